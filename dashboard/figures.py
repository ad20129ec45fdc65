"""The Standing Committee's figures for one directive over a range of periods.

Everything is computed from a fixed number of queries (the directive's tasks,
assignments, units, successions, periods and reports), whatever the number of
units, assignments or reports; the rules below work on those rows in memory.

The rules, as the Government Office counts them (stated on the dashboard too):

- An *expected report* is an (assignment, period) pair whose unit was open
  during the period. When a unit closes during a period and one successor takes
  over its duties, that period's report is owed once, by the successor: the
  pair is keyed by the unit that owes it (``owing unit``), so a merger never
  counts a report twice and never loses one.
- A report is *received* when it is with the provincial office (submitted or
  accepted); *on time* when it was first submitted on or before the due date
  plus the schedule's grace days; *overdue* when it is not received and that
  day has passed; *awaiting* when not received and not yet due.
- Reporting rate = received ÷ expected, on-time rate = on time ÷ expected, both
  capped at 100 %.
- A task's progress is the weighted average of each unit's latest reported
  percentage up to the end of the range; the weights and the treatment of units
  without a report are set per directive.
- In a range that spans a unit's closure, the unit's figures appear under its
  successor (``display unit``).
- Categories and progress are those at the last period of the range (see
  ``dashboard.states``): a unit closed earlier in the range, with no successor,
  has expected reports in the range but no status at its end.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, Q, Sum, Value, When, Window
from django.db.models.functions import Lead, RowNumber

from dashboard.measures import RECEIVED, Block, Counts, Progress, ReportStatus, Rule
from dashboard.states import (
    ReportRow,
    Successions,
    Walk,
    attention_status,
    on_time_limit,
    report_rows,
    status_day,
)
from directives.models import Task
from reports.models import Assignment, ProgressReport, ReportingPeriod
from units.models import Unit, UnitSuccession
from units.placement import moved_since, place_on, subtree_on

# Charts and trends show at least this many periods up to the end of the range.
SERIES_MIN = 6


@dataclass
class Cell:
    """One task for one display unit over the range: its expected reports,
    its category and its latest reported progress."""

    unit: Unit
    task: Task
    assignments: list
    expected: list = field(default_factory=list)  # Expected, in period order
    counts: Counts = field(default_factory=Counts)
    category: str | None = None  # None: no status at the end of the range (closed earlier)
    latest: ReportRow | None = None  # latest received report up to the end of the range
    progress: Progress = field(default_factory=Progress)
    is_lead: bool = False

    @property
    def last(self):
        """The expected report of the latest period in the range."""
        return self.expected[-1] if self.expected else None

    @property
    def status(self):
        """The status that needs attention first over the range (see
        ``attention_status``), not merely the last period's."""
        return attention_status(self.counts)[0]

    @property
    def status_count(self):
        """How many of the range's expected reports are in ``status``."""
        return attention_status(self.counts)[1]

    @property
    def days_overdue(self):
        """The longest overdue report's days overdue (0 when none is)."""
        return max((row.days_overdue for row in self.expected if row.status == ReportStatus.OVERDUE), default=0)

    @property
    def percent(self):
        return self.latest.percent_complete if self.latest else None


@dataclass
class TaskFigures:
    task: Task
    block: Block
    trend: list  # reporting rate per series period (None where nothing was expected)

    @property
    def overdue(self):
        return self.block.counts.overdue


@dataclass
class SeriesPoint:
    period: ReportingPeriod
    reporting_rate: Decimal | None
    on_time_rate: Decimal | None
    progress: Decimal | None


@dataclass
class Figures:
    directive: object
    periods: list  # the chosen range, by due date
    series_periods: list
    as_of: datetime.date
    rule: Rule
    tasks: list  # Task
    units: dict  # pk -> Unit (every unit, with ``children`` ids)
    cells: dict  # (display unit pk, task pk) -> Cell
    merged_into: dict  # display unit pk -> [predecessor Unit] shown under it
    scope: object = None  # the unit whose subtree the figures cover (None: every unit)
    tallied_at: object = None  # set when these are the last tallies, being recalculated
    total: Block = field(default_factory=Block)
    by_task: list = field(default_factory=list)  # TaskFigures
    series: list = field(default_factory=list)  # SeriesPoint

    @property
    def first_period(self):
        return self.periods[0]

    @property
    def last_period(self):
        return self.periods[-1]

    def expected_rows(self):
        for cell in self.cells.values():
            yield from ((cell, row) for row in cell.expected)

    def subtree_ids(self, unit_pk):
        """The unit and every unit below it (display units only matter; a unit
        with nothing assigned at or below it is not loaded, and has none)."""
        found, stack = [], [unit_pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            if pk in self.units:
                stack.extend(self.units[pk].child_ids)
        return found

    def block_for(self, unit_pks, task_pk=None):
        block = Block()
        wanted = set(unit_pks)
        for (unit_pk, cell_task_pk), cell in self.cells.items():
            if unit_pk in wanted and (task_pk is None or task_pk == cell_task_pk):
                block.add_cell(cell)
        return block


def _load(directive, end_due, scope, end_day, wanted_of, as_of, task):
    tasks = list(Task.objects.filter(directive=directive).order_by("number"))
    assignments = Assignment.objects.filter(task__directive=directive)
    if task is not None:
        assignments = assignments.filter(task_id=task)
    pairs = list(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    linked = {pk for pair in pairs for pk in pair}
    moved = moved_since(end_day)
    tree = Unit.objects.without_tree_fields()
    if scope is not None:
        # The scope's subtree, with the closed units merged into it (their reports roll up
        # under their successors) wherever they stood in the tree.
        # On the tree as it stood at the end of the range (units that moved since
        # roll up where they stood then).
        covered = subtree_on(scope.pk, end_day, moved)
        merged = {pred for pred, succ in pairs if succ in covered} - covered
        while merged:
            covered |= merged
            merged = {pred for pred, succ in pairs if succ in covered} - covered
        assignments = assignments.filter(unit_id__in=covered)
        tree = tree.filter(pk__in=covered | linked)
    assignments = list(
        assignments.only("pk", "task_id", "unit_id", "role", "deadline", "schedule_id", "responsible_person")
    )
    units = {
        u.pk: u
        for u in Unit.objects.without_tree_fields()
        .filter(pk__in=_with_parents(tree, moved, {a.unit_id for a in assignments} | linked, scope))
        .only("pk", "parent_id", "code", "name", "short_name", "kind", "level", "valid_from", "valid_to")
        .order_by("level", "name")
    }
    place_on(units, end_day, moved)
    for unit in units.values():
        unit.child_ids = []
    for unit in units.values():
        if unit.parent_id in units:
            units[unit.parent_id].child_ids.append(unit.pk)
    periods = list(
        ReportingPeriod.objects.filter(schedule_id__in={a.schedule_id for a in assignments}, due_on__lte=end_due)
        .select_related("schedule")
        .order_by("due_on", "kind", "pk")
    )
    if scope is None:
        reports = ProgressReport.objects.filter(assignment__task__directive=directive, period__due_on__lte=end_due)
        if task is not None:
            reports = reports.filter(assignment__task_id=task)
    else:
        # By period pks, not by due date: no join with the periods for every report.
        reports = ProgressReport.objects.filter(
            assignment_id__in=[a.pk for a in assignments], period_id__in=[p.pk for p in periods]
        )
    wanted = wanted_of(periods)
    start = _history_start(periods, wanted, as_of)
    if start is None:
        return tasks, assignments, units, pairs, periods, report_rows(reports)
    since_start = Q(period_id__in=[p.pk for p in periods if p.due_on >= start])
    recent = report_rows(reports.filter(since_start | Q(assignment__unit_id__in=linked) if linked else since_start))
    # Before ``start`` a (unit, task) reads its latest report and the first "completed" one
    # of the run that ends with it; not when a report of the range already ends that run.
    first_due, due = {}, {p.pk: p.due_on for p in periods}
    for period in wanted:
        first_due[period.schedule_id] = min(first_due.get(period.schedule_id, period.due_on), period.due_on)
    schedule_of = {a.pk: a.schedule_id for a in assignments}
    settled = {
        r.assignment_id
        for r in recent
        if r.is_received
        and r.implementation_status != "completed"
        and due[r.period_id] <= first_due.get(schedule_of[r.assignment_id], datetime.date.min)
    }
    unsettled = [a.pk for a in assignments if a.schedule_id in first_due and a.pk not in settled
                 and a.unit_id not in linked]  # fmt: skip
    earlier = ProgressReport.objects.filter(assignment_id__in=unsettled, period__due_on__lt=start, state__in=RECEIVED)
    return tasks, assignments, units, pairs, periods, recent + report_rows(_anchors(earlier))


def _with_parents(tree, moved, wanted, scope):
    """Pks of the ``wanted`` units of ``tree`` (a queryset of units) and of
    every unit above them in it, on the tree of ``moved``: the units that
    figures show or roll up through (not the thousands of Party cells below
    them that nothing is assigned to), and ``scope`` itself."""
    parents = {pk: moved.get(pk, parent) for pk, parent in tree.values_list("pk", "parent_id")}
    found = {scope.pk} if scope is not None else set()
    for pk in wanted:
        while pk in parents and pk not in found:
            found.add(pk)
            pk = parents[pk]
    return found


def _history_start(periods, wanted, as_of):
    """The earliest due date from which the states at the ``wanted`` periods
    read every report: each wanted period's own, and the last one before it
    past due on its status day (``Walk._last_due_row``). Before that date a
    (unit, task) reads only its latest received report and the first of the
    "completed" ones that end with it (``_anchors``); None: every report."""
    by_schedule = defaultdict(list)
    for period in periods:
        by_schedule[period.schedule_id].append(period)
    starts = []
    for period in wanted:
        day = status_day(period, as_of)
        earlier = [p for p in by_schedule[period.schedule_id] if p.due_on < period.due_on and on_time_limit(p) < day]
        starts.append(earlier[-1].due_on if earlier else period.due_on)
    return min(starts, default=None)


def _anchors(received):
    """Of each assignment's ``received`` reports, the latest and the first of
    the unbroken run of "completed" ones that ends with it: all that
    ``Walk._latest`` reads of them when a later report of the range may
    follow. For an assignment with no predecessor or successor only: a merged
    (unit, task) reads the run across several assignments, in full."""
    newest_first = [F("period__due_on").desc(), F("pk").desc()]

    def window(expression):
        return Window(expression, partition_by=[F("assignment_id")], order_by=newest_first)

    not_completed = Case(When(implementation_status="completed", then=Value(0)), default=Value(1))
    return received.annotate(
        newest=window(RowNumber()),
        broken=window(Sum(not_completed)),  # reports not "completed" from the latest back to this one
        older_status=window(Lead("implementation_status")),
    ).filter(Q(newest=1) | Q(broken=0) & (Q(older_status__isnull=True) | ~Q(older_status="completed")))


def figures_build(*, directive, periods, as_of, scope=None, series=True, task=None) -> Figures:
    """The figures for ``periods`` (one schedule's or several, by due date) of
    ``directive`` on ``as_of``, for every unit or for the subtree of ``scope``;
    without the chart's and trends' points when ``series`` is False (a page
    that shows none: a province's units take a sixth of the time); with
    ``task`` (a pk), of that task's assignments only (a page about one task:
    the other tasks show nothing, and the chart's points are the task's).
    Nine queries at most (ten with a scope)."""
    periods = sorted(periods, key=lambda p: (p.due_on, p.pk))
    end = periods[-1]
    chosen = {p.pk for p in periods}

    def series_keys_of(all_periods):
        # Series points are period keys: schedules that share a key share a point.
        keys = list(dict.fromkeys(p.key for p in all_periods))
        return set(keys[-max(SERIES_MIN, len({p.key for p in periods})) :]) if series else set()

    def wanted_of(all_periods):
        keys = series_keys_of(all_periods)
        return [p for p in all_periods if p.pk in chosen or p.key in keys]

    tasks, assignments, units, pairs, all_periods, reports = _load(
        directive, end.due_on, scope, end.ends_on, wanted_of, as_of, task
    )
    successions = Successions(units, pairs)
    for assignment in assignments:
        assignment.unit = units[assignment.unit_id]
    walk = Walk(
        assignments=assignments,
        successions=successions,
        periods=all_periods,
        reports=reports,
        rule=Rule.of(directive),
        as_of=as_of,
    )
    series_keys = series_keys_of(all_periods)
    series_periods = [p for p in all_periods if p.key in series_keys]
    figures = Figures(
        directive=directive,
        periods=periods,
        series_periods=series_periods,
        as_of=as_of,
        rule=walk.rule,
        tasks=tasks,
        units=units,
        cells={},
        merged_into=defaultdict(list),
        scope=scope,
    )
    # The state a cell shows is its state at the last period of the range on its schedule.
    last_of_schedule = {p.schedule_id: p.pk for p in periods}
    tasks_by_pk = {t.pk: t for t in tasks}
    states_by_period = {p.pk: walk.states_at(p) for p in wanted_of(all_periods)}
    for period in periods:
        # A scope with no assignments has none of the directive's periods: nothing is owed.
        for state in states_by_period.get(period.pk, ()):
            display = successions.resolve(state.unit, end.ends_on)
            cell = figures.cells.get((display.pk, state.task_id))
            if cell is None:
                cell = Cell(unit=display, task=tasks_by_pk[state.task_id], assignments=[])
                figures.cells[(display.pk, state.task_id)] = cell
            cell.expected.append(state.row)
            cell.counts.add(state.row.counts)
            cell.assignments.extend(a for a in state.members if a not in cell.assignments)
            if last_of_schedule[period.schedule_id] == period.pk and display.pk == state.unit.pk:
                cell.category, cell.latest, cell.progress = state.category, state.latest, state.progress
                cell.is_lead = state.is_lead
    merged = defaultdict(dict)
    for (display_pk, _task), cell in figures.cells.items():
        merged[display_pk].update((a.unit_id, a.unit) for a in cell.assignments if a.unit_id != display_pk)
    figures.merged_into.update(
        (pk, sorted(units_.values(), key=lambda u: u.name)) for pk, units_ in merged.items() if units_
    )
    for cell in figures.cells.values():
        figures.total.add_cell(cell)
    figures.by_task = [TaskFigures(task, figures.block_for(units.keys(), task.pk), []) for task in tasks]
    _series(figures, states_by_period)
    return figures


def _series(figures, states_by_period):
    """Reporting and on-time rates and progress for each series period key
    (the periods of every schedule with that key together), and each task's
    reporting-rate trend. A point's progress is over the units that owed a
    report then."""
    trend = defaultdict(list)
    by_key = defaultdict(list)
    for period in figures.series_periods:
        by_key[period.key].append(period)
    for same_key in by_key.values():
        counts, per_task, progress = Counts(), defaultdict(Counts), Progress()
        for state in (state for period in same_key for state in states_by_period[period.pk]):
            counts.add(state.row.counts)
            per_task[state.task_id].add(state.row.counts)
            progress.add(state.progress)
        figures.series.append(SeriesPoint(same_key[0], counts.reporting_rate, counts.on_time_rate, progress.value))
        for task in figures.tasks:
            trend[task.pk].append(per_task[task.pk].reporting_rate)
    for task_figures in figures.by_task:
        task_figures.trend = trend[task_figures.task.pk]
