"""Coverage of a directive's dissemination, live ("Học tập, quán triệt"): the
share of committees with an implementing plan (on time, late, missing), of
Party cells that have disseminated it and of Party members reached, by level
and by unit, rolled up through today's tree (``coverage_tree``).

A handful of queries whatever the size of the tree: the units (without the
cells), the cells aggregated by their stored parent, the plans, the setting
and the units the directive is assigned to. Everything else is arithmetic."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, FilteredRelation, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dissemination.coverage_tree import tree_today
from dissemination.models import CellConfirmation, DisseminationSetting, ImplementingPlan
from dissemination.scope import PLAN_KINDS
from reports.models import Assignment
from units.models import Unit, UnitKind, UnitLevel


def rate(part, whole):
    """``part`` ÷ ``whole`` as a percentage with one decimal (None when nothing is owed)."""
    if not whole:
        return None
    return min(Decimal(100), (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Tally:
    committees: int = 0  # owing an implementing plan
    plans_on_time: int = 0
    plans_late: int = 0
    plans_missing: int = 0  # none, and the deadline has passed
    plans_not_due: int = 0  # none yet, the deadline has not passed
    cells: int = 0
    cells_on_time: int = 0
    cells_late: int = 0
    members: int = 0
    members_reached: int = 0

    def add(self, other):
        # Spelled out: called for every unit of a national tree, where a loop
        # over the fields with getattr/setattr was most of the section's time.
        self.committees += other.committees
        self.plans_on_time += other.plans_on_time
        self.plans_late += other.plans_late
        self.plans_missing += other.plans_missing
        self.plans_not_due += other.plans_not_due
        self.cells += other.cells
        self.cells_on_time += other.cells_on_time
        self.cells_late += other.cells_late
        self.members += other.members
        self.members_reached += other.members_reached

    @property
    def plans(self):
        return self.plans_on_time + self.plans_late

    @property
    def cells_reached(self):
        return self.cells_on_time + self.cells_late

    @property
    def cells_not_reached(self):
        return self.cells - self.cells_reached

    @property
    def plan_rate(self):
        return rate(self.plans, self.committees)

    @property
    def plan_on_time_rate(self):
        return rate(self.plans_on_time, self.committees)

    @property
    def cell_rate(self):
        return rate(self.cells_reached, self.cells)

    @property
    def member_rate(self):
        return rate(self.members_reached, self.members)

    @property
    def is_empty(self):
        return not self.committees and not self.cells


@dataclass
class LevelRow:
    level: int
    label: str
    tally: Tally


@dataclass
class UnitRow:
    unit: object  # coverage_tree.TreeUnit
    tally: Tally  # the unit and everything below it
    plan_status: str = ""  # "on_time", "late", "missing", "not_due" ("" when the unit owes no plan)
    has_children: bool = False


@dataclass
class Coverage:
    directive: object
    as_of: datetime.date
    plan_due_on: datetime.date | None
    cell_due_on: datetime.date | None
    tree: object  # coverage_tree.TreeToday
    total: Tally
    by_level: list  # LevelRow
    tallies: dict  # unit pk -> Tally of its subtree (scope units with anything to count only)
    own_cells: dict  # unit pk -> Tally of the cells directly under it
    plan_status: dict  # committee pk -> status
    roots: list  # pks of the scope's top units
    cell_parents: dict = field(default_factory=dict)  # stored parent id of cells -> the unit carrying it today
    not_reached: dict = field(default_factory=dict)  # stored parent id of cells -> its open cells not confirmed
    has_setting: bool = False  # the directive's deadlines were set
    in_scope: set = field(default_factory=set)  # pks of the units in the directive's scope

    def tally_of(self, pk):
        """The tally of ``pk``'s subtree (empty when nothing below it counts)."""
        return self.tallies.get(pk) or Tally()

    @property
    def is_tracked(self):
        """Whether dissemination is followed for this directive: its deadlines
        were set, or a plan or a Party cell is there to count."""
        return self.has_setting or bool(self.total.plans or self.total.cells)

    def rows(self, parent_pk=None):
        """The units one level below ``parent_pk`` (the scope's roots when None)
        that have anything to count, in the tree's order."""
        pks = self.roots if parent_pk is None else self.tree.units[parent_pk].child_ids
        found = []
        for pk in pks:
            tally = self.tallies.get(pk)
            if tally is None or tally.is_empty:
                continue
            children = any(not self.tally_of(c).is_empty for c in self.tree.units[pk].child_ids)
            found.append(UnitRow(self.tree.units[pk], tally, self.plan_status.get(pk, ""), children))
        return found

    def stored_parents_under(self, pk):
        """The stored parent ids of the cells that roll up under ``pk`` today."""
        subtree = set(self.tree.subtree(pk))
        return [stored for stored, current in self.cell_parents.items() if current in subtree]


def deadlines(directive):
    """(plan due on, cells due on, whether the deadlines were set)."""
    saved = DisseminationSetting.objects.filter(directive=directive).first()
    if saved is not None:
        saved.directive = directive  # already read: no query for its signing day
    setting = saved or DisseminationSetting(directive=directive)
    return setting.plan_due_on(), setting.cell_due_on(), saved is not None


def scope_roots(directive, tree):
    """The top units whose trees the directive reaches: the trees of its issuing
    unit and of the units it is assigned to (every tree when it names none)."""
    assigned = Assignment.objects.filter(task__directive=directive).order_by().values_list("unit_id", flat=True)
    pks = set(assigned.distinct())  # no ordering: DISTINCT over the unit ids alone
    if directive.issuing_unit_id:
        pks.add(directive.issuing_unit_id)
    roots = {pk for pk, unit in tree.units.items() if unit.parent_id is None}
    if not pks:
        return sorted(roots, key=lambda pk: (tree.units[pk].level, tree.units[pk].name))
    wanted, top_of = set(), {}
    for pk in pks:
        current = tree.current(pk)
        if current is None:
            continue
        wanted.add(_top(tree, current, top_of))
    return sorted(wanted, key=lambda pk: (tree.units[pk].level, tree.units[pk].name))


def _top(tree, pk, top_of):
    """The root above ``pk`` today, remembered in ``top_of`` for every unit on
    the way (thousands of assigned units share a handful of roots)."""
    path, seen = [], set()
    current = pk
    while current not in top_of:
        path.append(current)
        seen.add(current)
        parent = tree.units[current].parent_id
        if parent is None or parent in seen:
            top_of[current] = current
            break
        current = parent
    top = top_of[current]
    for unit in path:
        top_of[unit] = top
    return top


def cells_by_parent(directive, day):
    """[(stored parent id, cells, on time, late, members, members reached)] of
    the Party cells open on ``day``: one grouped query."""
    d = directive
    confirmation = Q(confirmation__due_on__isnull=True) | Q(confirmation__confirmed_on__lte=F("confirmation__due_on"))
    return list(
        Unit.objects.without_tree_fields()
        .open_on(day)
        .filter(kind=UnitKind.PARTY_CELL)
        .annotate(confirmation=FilteredRelation("cell_confirmations", condition=Q(cell_confirmations__directive=d)))
        .values("parent_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("confirmation", filter=confirmation),
            late=Count("confirmation", filter=~confirmation & Q(confirmation__isnull=False)),
            members=Sum(Coalesce("cell_size__party_members", "confirmation__members_total", Value(0)),
                        output_field=IntegerField()),
            reached=Coalesce(Sum("confirmation__members_present"), Value(0), output_field=IntegerField()),
        )
        .order_by()
        .values_list("parent_id", "n", "on_time", "late", "members", "reached")
    )  # fmt: skip


def _plan_status(plan, due_on, today):
    if plan is None:
        return "missing" if due_on is None or today > due_on else "not_due"
    issued_on, plan_due = plan
    return "late" if plan_due is not None and issued_on > plan_due else "on_time"


def coverage_build(*, directive, today=None) -> Coverage:
    """The coverage of ``directive`` on ``today`` (the local date by default)."""
    today = today or timezone.localdate()
    plan_due_on, cell_due_on, has_setting = deadlines(directive)
    tree = tree_today(today, exclude_kinds=[UnitKind.PARTY_CELL])
    roots = scope_roots(directive, tree)
    in_scope = set()
    for root in roots:
        in_scope.update(tree.subtree(root))
    plans = {
        unit_id: (issued_on, due_on)
        for unit_id, issued_on, due_on in ImplementingPlan.objects.filter(directive=directive)
        .order_by()
        .values_list("unit_id", "issued_on", "due_on")
    }
    # Only the committees and the units carrying cells have anything of their own:
    # a few thousand of a country's tens of thousands of units.
    own, plan_status, cell_parents, not_reached = {}, {}, {}, {}
    for pk in in_scope:
        unit = tree.units[pk]
        if unit.kind in PLAN_KINDS and pk != directive.issuing_unit_id:
            status = plan_status[pk] = _plan_status(plans.get(pk), plan_due_on, today)
            tally = own[pk] = Tally(committees=1)
            setattr(tally, f"plans_{status}", 1)
    own_cells = {}
    for parent_id, count, on_time, late, members, reached in cells_by_parent(directive, today):
        current = tree.current(parent_id) if parent_id is not None else None
        if current is None or current not in in_scope:
            continue
        cell_parents[parent_id] = current
        not_reached[parent_id] = count - on_time - late
        cells = Tally(cells=count, cells_on_time=on_time, cells_late=late, members=members or 0,
                      members_reached=reached or 0)  # fmt: skip
        own_cells.setdefault(current, Tally()).add(cells)
        own.setdefault(current, Tally()).add(cells)
    # Each unit's own figures go up to it and every unit above it (a unit with
    # nothing below it has no tally).
    tallies = {}
    for pk, tally in own.items():
        current = pk
        while current is not None:
            tallies.setdefault(current, Tally()).add(tally)
            current = tree.units[current].parent_id
    total = Tally()
    for root in roots:
        if root in tallies:
            total.add(tallies[root])
    by_level = {}
    for pk, tally in own.items():
        level = tree.units[pk].level
        by_level.setdefault(level, Tally()).add(tally)
    labels = dict(UnitLevel.choices)
    levels = [LevelRow(level, str(labels.get(level, level)), tally) for level, tally in sorted(by_level.items())
              if not tally.is_empty]  # fmt: skip
    return Coverage(directive, today, plan_due_on, cell_due_on, tree, total, levels, tallies, own_cells,
                    plan_status, roots, cell_parents, not_reached, has_setting, in_scope)  # fmt: skip


def cells_not_reached(coverage, *, unit_pk=None):
    """The open Party cells under ``unit_pk`` today (every cell of the scope
    when None) that have not confirmed, as a queryset ordered by committee and
    name (the export reads it; the drill-down pages ``coverage_pages``)."""
    parents = list(coverage.cell_parents) if unit_pk is None else coverage.stored_parents_under(unit_pk)
    return cells_not_reached_under(coverage, parents).order_by("parent__name", "name", "pk")


def cells_not_reached_under(coverage, parents):
    """The open Party cells whose stored parent is one of ``parents`` that have
    not confirmed (unordered)."""
    confirmed = CellConfirmation.objects.filter(directive=coverage.directive).values("cell_id")
    return (
        Unit.objects.without_tree_fields()
        .open_on(coverage.as_of)
        .filter(kind=UnitKind.PARTY_CELL, parent_id__in=parents)
        .exclude(pk__in=confirmed)
        .select_related("cell_size")
    )
