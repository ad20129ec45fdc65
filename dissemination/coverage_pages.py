"""Pages of the Party cells not yet reached, for the coverage drill-down, at
national size: the count is the coverage's own (already computed per stored
parent, so no COUNT over tens of thousands of cells), and a page reads only
the cells of the committees it spans (no sort of every unreached cell to skip
to page N). Cells are ordered by committee (name, then id) and by name."""

from functools import cached_property

from django.core.paginator import Paginator

from dissemination.coverage import cells_not_reached_under
from units.models import Unit


class NotReachedPaginator(Paginator):
    def __init__(self, coverage, per_page, *, unit_pk=None):
        self.coverage = coverage
        self.unit_pk = unit_pk
        super().__init__([], per_page)

    @cached_property
    def parents(self):
        """[(stored parent id, cells not reached)] in committee order, for the
        parents with a cell not yet reached under the unit."""
        coverage = self.coverage
        wanted = list(coverage.cell_parents) if self.unit_pk is None else coverage.stored_parents_under(self.unit_pk)
        counts = {pk: coverage.not_reached.get(pk, 0) for pk in wanted}
        counts = {pk: n for pk, n in counts.items() if n > 0}
        if not counts:
            return []
        ordered = Unit.objects.without_tree_fields().filter(pk__in=counts).order_by("name", "pk")
        return [(pk, counts[pk]) for pk in ordered.values_list("pk", flat=True)]

    @cached_property
    def count(self):
        return sum(n for _pk, n in self.parents)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        chosen, skip, seen = [], 0, 0
        for pk, n in self.parents:
            if seen + n > bottom and seen < top:
                if not chosen:
                    skip = bottom - seen
                chosen.append(pk)
            seen += n
            if seen >= top:
                break
        cells = []
        if chosen:
            rows = cells_not_reached_under(self.coverage, chosen)
            by_parent = {}
            for cell in rows.order_by("parent_id", "name", "pk"):
                by_parent.setdefault(cell.parent_id, []).append(cell)
            for pk in chosen:
                cells.extend(by_parent.get(pk, []))
        return self._get_page(cells[skip : skip + (top - bottom)], number, self)
