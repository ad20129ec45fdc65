"""Whole-directive drill-downs of a directive too large to compute live (a
country's tens of thousands of assignments and millions of reports): the task
page and the rows behind a figure list the matrix's top rows from the tallies
(a province, or a body under the single root) with their counts, each linking
to the same page for that row's subtree, which is computed live."""

from dataclasses import dataclass

from django.conf import settings

from dashboard.measures import Block
from dashboard.tally_figures import tally_dashboard
from reports.models import Assignment


def too_large_to_compute(directive):
    """Whether the directive has more assignments than the live figures take
    within a request (``DASHBOARD_LIVE_MAX_ASSIGNMENTS``)."""
    limit = settings.DASHBOARD_LIVE_MAX_ASSIGNMENTS
    # Without the assignments' default order: the count of a slice would otherwise sort
    # every assignment of the directive (joined to its directive and units) first.
    return Assignment.objects.filter(task__directive=directive).order_by()[: limit + 1].count() > limit


@dataclass
class TopRow:
    unit: object
    block: Block  # the task's figures under this row (every task's when no task is chosen)
    merged: list  # closed units whose figures are shown under it
    query: str  # the selection's query string for this row's subtree

    def count(self, measure=None, category=None):
        """How many of ``category`` (assignments) or ``measure`` (expected reports) it holds."""
        if category:
            return self.block.taxonomy.counts.get(category, 0)
        return getattr(self.block.counts, measure or "expected")


def tallied_top_rows(selection, task_pk=None):
    """(figures, [TopRow]) of the selection from the tallies, the last ones
    when they are being recalculated (``figures.tallied_at`` says so); None
    when the tallies have never been built."""
    tallied = tally_dashboard(selection, allow_stale=True)
    if tallied is None:
        return None
    figures, groups = tallied
    index = next((i for i, task in enumerate(figures.tasks) if task.pk == task_pk), None)
    rows = []
    for group in groups:
        for row in group.rows:
            block = row.total if task_pk is None else row.blocks[index] if index is not None else None
            if block is not None:
                rows.append(TopRow(row.unit, block, row.merged, selection.query(unit=row.unit)))
    return figures, rows
