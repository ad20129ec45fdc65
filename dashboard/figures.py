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
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dashboard.measures import RECEIVED, Block, Category, Counts, Progress, ReportStatus, Rule
from directives.models import Task
from reports.models import Assignment, AssignmentRole, ProgressReport, ReportingPeriod, ReportState
from units.models import Unit, UnitSuccession

# Charts and trends show at least this many periods up to the end of the range.
SERIES_MIN = 6


@dataclass
class ReportRow:
    """A report's fields the figures need (never the long texts)."""

    pk: int
    assignment_id: int
    period_id: int
    state: str
    submitted_on: datetime.date | None
    implementation_status: str
    percent_complete: int

    @property
    def is_received(self):
        return self.state in RECEIVED


@dataclass
class Expected:
    """One expected report: the unit that owes it, the period, and the best
    report filed for it by any of the assignments behind it."""

    owing_unit: Unit
    period: ReportingPeriod
    assignment: Assignment  # the assignment of the owing unit when it has one
    report: ReportRow | None
    status: str
    days_overdue: int = 0

    @property
    def counts(self):
        counts = Counts(expected=1)
        received = self.report is not None and self.report.is_received
        counts.received = int(received)
        counts.on_time = int(self.status == ReportStatus.ON_TIME)
        counts.late = int(self.status == ReportStatus.LATE)
        counts.overdue = int(self.status == ReportStatus.OVERDUE)
        counts.awaiting = int(self.status == ReportStatus.AWAITING)
        counts.accepted = int(received and self.report.state == ReportState.ACCEPTED)
        counts.returned = int(self.report is not None and self.report.state == ReportState.RETURNED)
        return counts


@dataclass
class Cell:
    """One task for one display unit over the range: its expected reports,
    its category and its latest reported progress."""

    unit: Unit
    task: Task
    assignments: list
    expected: list = field(default_factory=list)  # Expected, in period order
    counts: Counts = field(default_factory=Counts)
    category: str = Category.NOT_YET_DUE
    latest: ReportRow | None = None  # latest received report up to the end of the range
    progress: Progress = field(default_factory=Progress)
    is_lead: bool = False

    @property
    def last(self):
        """The expected report of the latest period in the range."""
        return self.expected[-1] if self.expected else None

    @property
    def status(self):
        return self.last.status if self.last else None

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
        """The unit and every unit below it (display units only matter)."""
        found, stack = [], [unit_pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(self.units[pk].child_ids)
        return found

    def block_for(self, unit_pks, task_pk=None):
        block = Block()
        wanted = set(unit_pks)
        for (unit_pk, cell_task_pk), cell in self.cells.items():
            if unit_pk in wanted and (task_pk is None or task_pk == cell_task_pk):
                block.add_cell(cell)
        return block


def on_time_limit(period):
    return period.due_on + datetime.timedelta(days=period.schedule.grace_days)


def _status(report, period, as_of):
    limit = on_time_limit(period)
    if report is not None and report.is_received:
        return (ReportStatus.ON_TIME if report.submitted_on and report.submitted_on <= limit else ReportStatus.LATE), 0
    if as_of > limit:
        return ReportStatus.OVERDUE, (as_of - limit).days
    return ReportStatus.AWAITING, 0


def _best(reports, period):
    """Of several reports for one expected report, the one that counts most:
    received on time before received late before anything else (accepted
    before merely submitted, then the earliest)."""
    if not reports:
        return None
    limit = on_time_limit(period)

    def rank(r):
        on_time = r.is_received and r.submitted_on is not None and r.submitted_on <= limit
        return (
            r.is_received,
            on_time,
            r.state == ReportState.ACCEPTED,
            -(r.submitted_on or datetime.date.max).toordinal(),
        )

    return max(reports, key=rank)


class Successions:
    """Which unit a closed unit's figures belong to: its one successor (the
    chain followed), or itself when it has none or was split in several."""

    def __init__(self, units, pairs):
        self.units = units
        self.single = {}
        successors = defaultdict(list)
        for predecessor, successor in pairs:
            successors[predecessor].append(successor)
        self.single = {pred: succs[0] for pred, succs in successors.items() if len(succs) == 1}

    def resolve(self, unit, day):
        """The unit that stands for ``unit`` on ``day``."""
        seen = set()
        while unit.valid_to is not None and unit.valid_to < day and unit.pk in self.single and unit.pk not in seen:
            seen.add(unit.pk)
            unit = self.units[self.single[unit.pk]]
        return unit


def _load(directive, end_due):
    tasks = list(Task.objects.filter(directive=directive).order_by("number"))
    assignments = list(
        Assignment.objects.filter(task__directive=directive)
        .select_related("schedule")
        .only(
            "pk",
            "task_id",
            "unit_id",
            "role",
            "deadline",
            "schedule_id",
            "responsible_person",
            "schedule__grace_days",
        )
    )
    units = {
        u.pk: u
        for u in Unit.objects.without_tree_fields()
        .only("pk", "parent_id", "code", "name", "short_name", "kind", "level", "valid_from", "valid_to")
        .order_by("level", "name")
    }
    for unit in units.values():
        unit.child_ids = []
    for unit in units.values():
        if unit.parent_id in units:
            units[unit.parent_id].child_ids.append(unit.pk)
    pairs = list(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    periods = list(
        ReportingPeriod.objects.filter(schedule_id__in={a.schedule_id for a in assignments}, due_on__lte=end_due)
        .select_related("schedule")
        .order_by("due_on", "kind", "pk")
    )
    # Submission dates in the site's time zone: the deadline is a local date.
    reports = [
        ReportRow(pk, a, p, state, submitted_at and timezone.localtime(submitted_at).date(), status, pct)
        for pk, a, p, state, submitted_at, status, pct in ProgressReport.objects.filter(
            assignment__task__directive=directive, period__due_on__lte=end_due
        ).values_list(
            "pk", "assignment_id", "period_id", "state", "submitted_at", "implementation_status", "percent_complete"
        )
    ]
    return tasks, assignments, units, pairs, periods, reports


def figures_build(*, directive, periods, as_of) -> Figures:
    """The figures for ``periods`` (one schedule's or several, by due date) of
    ``directive`` on ``as_of``. Six queries."""
    periods = sorted(periods, key=lambda p: (p.due_on, p.pk))
    end = periods[-1]
    tasks, assignments, units, pairs, all_periods, reports = _load(directive, end.due_on)
    successions = Successions(units, pairs)
    chosen = {p.pk for p in periods}
    # Series points are period keys: schedules that share a key share a point.
    keys = list(dict.fromkeys(p.key for p in all_periods))
    series_keys = set(keys[-max(SERIES_MIN, len({p.key for p in periods})) :])
    series_periods = [p for p in all_periods if p.key in series_keys]
    series_ids = {p.pk for p in series_periods} | chosen
    by_schedule = defaultdict(list)
    for period in all_periods:
        by_schedule[period.schedule_id].append(period)
    periods_by_pk = {p.pk: p for p in all_periods}
    reports_by_pair = {(r.assignment_id, r.period_id): r for r in reports}
    received_by_assignment = defaultdict(list)
    for report in sorted(reports, key=lambda r: (periods_by_pk[r.period_id].due_on, r.pk)):
        if report.is_received:
            received_by_assignment[report.assignment_id].append(report)
    tasks_by_pk = {t.pk: t for t in tasks}
    rule = Rule.of(directive)
    range_end = end.ends_on

    # Group each task's assignments by display unit.
    groups = defaultdict(list)
    for assignment in assignments:
        unit = units[assignment.unit_id]
        assignment.unit = unit
        display = successions.resolve(unit, range_end)
        groups[(display.pk, assignment.task_id)].append(assignment)

    figures = Figures(
        directive=directive,
        periods=periods,
        series_periods=series_periods,
        as_of=as_of,
        rule=rule,
        tasks=tasks,
        units=units,
        cells={},
        merged_into=defaultdict(list),
    )
    series_expected = defaultdict(list)  # period pk -> [(cell, Expected)]
    for (display_pk, task_pk), members in groups.items():
        cell = Cell(unit=units[display_pk], task=tasks_by_pk[task_pk], assignments=members)
        cell.is_lead = any(a.role == AssignmentRole.LEAD for a in members)
        owed = defaultdict(list)  # (owing unit pk, period pk) -> [(assignment, report)]
        for assignment in members:
            for period in by_schedule[assignment.schedule_id]:
                if period.pk not in series_ids or not assignment.unit.is_open_during(period.starts_on, period.ends_on):
                    continue
                owing = successions.resolve(assignment.unit, period.ends_on)
                owed[(owing.pk, period.pk)].append((assignment, reports_by_pair.get((assignment.pk, period.pk))))
        for (owing_pk, period_pk), entries in sorted(owed.items(), key=lambda item: periods_by_pk[item[0][1]].due_on):
            period = periods_by_pk[period_pk]
            own = [a for a, _r in entries if a.unit_id == owing_pk]
            report = _best([r for _a, r in entries if r is not None], period)
            status, days = _status(report, period, as_of)
            row = Expected(units[owing_pk], period, (own or [entries[0][0]])[0], report, status, days)
            series_expected[period_pk].append((cell, row))
            if period_pk in chosen:
                cell.expected.append(row)
                cell.counts.add(row.counts)
        if not cell.expected:
            continue  # nothing owed in the range: the unit was closed or not yet open
        history = sorted(
            (r for a in members for r in received_by_assignment[a.pk]),
            key=lambda r: (periods_by_pk[r.period_id].due_on, r.pk),
        )
        cell.latest = history[-1] if history else None
        cell.category = _category(cell, history, periods_by_pk, as_of)
        cell.progress = _progress(cell.latest, cell.is_lead, rule)
        figures.cells[(display_pk, task_pk)] = cell
        for assignment in members:
            if assignment.unit_id != display_pk:
                figures.merged_into[display_pk].append(assignment.unit)

    for display_pk, merged in figures.merged_into.items():
        figures.merged_into[display_pk] = sorted({u.pk: u for u in merged}.values(), key=lambda u: u.name)
    for cell in figures.cells.values():
        figures.total.add_cell(cell)
    figures.by_task = [TaskFigures(task, figures.block_for(units.keys(), task.pk), []) for task in tasks]
    _series(figures, series_expected, reports, periods_by_pk, rule)
    return figures


def _category(cell, history, periods_by_pk, as_of):
    deadlines = [a.deadline for a in cell.assignments if a.deadline]
    deadline = min(deadlines) if deadlines else None
    latest = cell.latest
    if latest is not None and latest.implementation_status == "completed":
        # The first report that said "completed" since the last one that did not.
        first = latest
        for report in reversed(history):
            if report.implementation_status != "completed":
                break
            first = report
        limit = deadline or on_time_limit(periods_by_pk[first.period_id])
        done_on = first.submitted_on or as_of
        return Category.COMPLETED_ON_TIME if done_on <= limit else Category.COMPLETED_LATE
    if deadline is not None and deadline < as_of:
        return Category.IN_PROGRESS_OVERDUE
    past_due = [row for row in cell.expected if row.status != ReportStatus.AWAITING]
    if not past_due and latest is None:
        return Category.NOT_YET_DUE
    if past_due and past_due[-1].status == ReportStatus.OVERDUE:
        return Category.IN_PROGRESS_OVERDUE
    return Category.IN_PROGRESS_ON_TIME


def _progress(latest, is_lead, rule):
    weight = rule.lead_weight if is_lead else rule.coordinating_weight
    if latest is None:
        return Progress(0, weight) if rule.missing_as_zero else Progress()
    return Progress(weight * latest.percent_complete, weight)


def _series(figures, series_expected, reports, periods_by_pk, rule):
    """Reporting and on-time rates and progress for each series period key
    (the periods of every schedule with that key together), and each task's
    reporting-rate trend. A point's progress counts only the units that owed
    a report by then (a unit opened later is not a 0 % before it existed)."""
    received = sorted((r for r in reports if r.is_received), key=lambda r: periods_by_pk[r.period_id].due_on)
    trend = defaultdict(list)
    by_key = defaultdict(list)
    for period in figures.series_periods:
        by_key[period.key].append(period)
    started = set()
    for same_key in by_key.values():
        counts, per_task = Counts(), defaultdict(Counts)
        for cell, row in (item for period in same_key for item in series_expected.get(period.pk, ())):
            started.add(id(cell))
            counts.add(row.counts)
            per_task[cell.task.pk].add(row.counts)
        progress = Progress()
        latest = {}
        last_due = max(period.due_on for period in same_key)
        for report in received:
            if periods_by_pk[report.period_id].due_on > last_due:
                break
            latest[report.assignment_id] = report
        for cell in figures.cells.values():
            if id(cell) not in started:
                continue
            reports_of_cell = [latest[a.pk] for a in cell.assignments if a.pk in latest]
            newest = max(reports_of_cell, key=lambda r: periods_by_pk[r.period_id].due_on, default=None)
            progress.add(_progress(newest, cell.is_lead, rule))
        figures.series.append(SeriesPoint(same_key[0], counts.reporting_rate, counts.on_time_rate, progress.value))
        for task in figures.tasks:
            trend[task.pk].append(per_task[task.pk].reporting_rate)
    for task_figures in figures.by_task:
        task_figures.trend = trend[task_figures.task.pk]
