"""Where each (unit, task) stands at one period: its expected report, the
Government Office category and its latest reported progress.

At period ``p`` an assignment's figures belong to the unit that stands for its
unit on the last day of ``p`` (itself, or the successor of a closed unit), so a
merger never owes one period's report twice. The dashboard (``figures``) and
its maintained roll-ups (``tallies``) both read states from here, so that
they cannot disagree.

The category is taken on the *status day* of the period: the day after its
on-time limit when that has passed, otherwise today. It is therefore fixed
once a period is past due."""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import TruncDate
from django.utils import timezone

from dashboard.measures import RECEIVED, Category, Counts, Progress, ReportStatus
from reports.models import AssignmentRole, ReportState

ONE_DAY = datetime.timedelta(days=1)


# For a range of periods a (unit, task) shows the status that needs attention
# first, so that it never reads better than a report its drill-down lists.
ATTENTION_ORDER = (ReportStatus.OVERDUE, ReportStatus.LATE, ReportStatus.ON_TIME, ReportStatus.AWAITING)


def attention_status(counts):
    """(status, how many expected reports are in it) for a range whose
    expected reports add up to ``counts``: overdue before late before on time
    before not yet due; (None, 0) when nothing is expected. Counts alone
    decide it, so live figures and tallies show the same."""
    for status in ATTENTION_ORDER:
        found = getattr(counts, status.value)
        if found:
            return status, found
    return None, 0


def on_time_limit(period):
    return period.due_on + datetime.timedelta(days=period.schedule.grace_days)


def status_day(period, as_of):
    return min(as_of, on_time_limit(period) + ONE_DAY)


@dataclass(slots=True)
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


REPORT_ROW_FIELDS = (
    "pk",
    "assignment_id",
    "period_id",
    "state",
    "submitted_on",
    "implementation_status",
    "percent_complete",
)


class LocalDate(TruncDate):
    """``TruncDate`` without its own converter, which only turns a datetime
    into a date on backends that return one: PostgreSQL returns a date and
    SQLite a text that the date field's converter reads. A rebuild reads
    three million rows nationally."""

    def get_db_converters(self, connection):
        return self.output_field.get_db_converters(connection)


def report_rows(queryset, *, chunked=False):
    """ReportRows of ``queryset``'s reports. Submission dates are taken in the
    site's time zone (the deadline is a local date) by the database:
    ``timezone.localtime`` per row was most of a province's figures."""
    # In no particular order (the walk sorts them): the reports' default order joins
    # the directive, task and unit of each row and sorts them all.
    rows = (
        queryset.order_by()
        .annotate(submitted_on=LocalDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list(*REPORT_ROW_FIELDS)
    )
    return [ReportRow(*row) for row in (rows.iterator(chunk_size=20000) if chunked else rows)]


@dataclass
class Expected:
    """One expected report: the unit that owes it, the period, and the best
    report filed for it by any of the assignments behind it."""

    owing_unit: object
    period: object
    assignment: object  # the assignment of the owing unit when it has one
    report: ReportRow | None
    status: str
    days_overdue: int = 0

    @property
    def counts(self):
        received, on_time, accepted, returned = report_counts(self.report and self.report.state, self.status)
        return Counts(
            expected=1,
            received=received,
            on_time=on_time,
            late=int(self.status == ReportStatus.LATE),
            overdue=int(self.status == ReportStatus.OVERDUE),
            awaiting=int(self.status == ReportStatus.AWAITING),
            accepted=accepted,
            returned=returned,
        )


def report_counts(state, status):
    """(received, on time, accepted, returned), each 0 or 1, of an expected
    report whose best report is in ``state`` (None: no report) and whose
    status is ``status``."""
    if state is None:
        return 0, 0, 0, 0
    received = state in RECEIVED
    return (int(received), int(status == ReportStatus.ON_TIME), int(received and state == ReportState.ACCEPTED),
            int(state == ReportState.RETURNED))  # fmt: skip


@dataclass
class State:
    """One (unit, task) at one period."""

    unit: object
    task_id: int
    row: Expected
    members: list  # every assignment whose figures the unit carries at this period
    category: str
    latest: ReportRow | None  # the latest received report up to this period
    progress: Progress
    is_lead: bool

    @property
    def period(self):
        return self.row.period


def report_status(report, period, as_of):
    return status_by_limit(report, on_time_limit(period), as_of)


def status_by_limit(report, limit, as_of):
    """(status, days overdue) of an expected report whose on-time limit is
    ``limit`` and whose best report is ``report``, on ``as_of``."""
    if report is not None and report.is_received:
        return (ReportStatus.ON_TIME if report.submitted_on and report.submitted_on <= limit else ReportStatus.LATE), 0
    if as_of > limit:
        return ReportStatus.OVERDUE, (as_of - limit).days
    return ReportStatus.AWAITING, 0


def best_report(reports, period):
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


def progress_of(percent, is_lead, rule):
    """The weighted progress of a (unit, task) whose latest received report
    gives ``percent`` complete (None: no report received yet)."""
    weight = rule.lead_weight if is_lead else rule.coordinating_weight
    if percent is None:
        return Progress(0, weight) if rule.missing_as_zero else Progress()
    return Progress(weight * percent, weight)


class Successions:
    """Which unit a closed unit's figures belong to: its one successor (the
    chain followed), or itself when it has none or was split in several."""

    def __init__(self, units, pairs):
        self.units = units
        successors = defaultdict(list)
        for predecessor, successor in pairs:
            if successor in units:
                successors[predecessor].append(successor)
        self.single = {pred: succs[0] for pred, succs in successors.items() if len(succs) == 1}

    def resolve(self, unit, day):
        """The unit that stands for ``unit`` on ``day``."""
        seen = set()
        while unit.valid_to is not None and unit.valid_to < day and unit.pk in self.single and unit.pk not in seen:
            seen.add(unit.pk)
            unit = self.units[self.single[unit.pk]]
        return unit


class Walk:
    """States of every (unit, task) at any period, from rows already loaded:
    assignments (with ``.unit`` set), every period of their schedules up to the
    latest wanted, and the reports of those periods."""

    def __init__(self, *, assignments, successions, periods, reports, rule, as_of):
        self.successions, self.rule, self.as_of = successions, rule, as_of
        self.assignments = assignments
        self.periods = sorted(periods, key=lambda p: (p.due_on, p.pk))
        self.limit = {p.pk: on_time_limit(p) for p in self.periods}
        self._past = None  # see lone_states
        self.due = {p.pk: p.due_on for p in self.periods}
        self.period_by_pk = {p.pk: p for p in self.periods}
        self.by_schedule = defaultdict(list)
        for period in self.periods:
            self.by_schedule[period.schedule_id].append(period)
        self.assignments_by_schedule = defaultdict(list)
        for assignment in assignments:
            self.assignments_by_schedule[assignment.schedule_id].append(assignment)
        self.reports = {(r.assignment_id, r.period_id): r for r in reports}
        self.received = defaultdict(list)  # assignment pk -> received reports by due date
        for report in sorted(reports, key=lambda r: (self.due[r.period_id], r.pk)):
            if report.is_received:
                self.received[report.assignment_id].append(report)
        self.received_due = {pk: [self.due[r.period_id] for r in rows] for pk, rows in self.received.items()}

    def states_at(self, period, among=None):
        """Every (unit, task) that owes ``period``'s report, with its state; of
        the assignments ``among`` only when given (of ``period``'s schedule)."""
        groups = defaultdict(list)
        for assignment in self.assignments_by_schedule[period.schedule_id] if among is None else among:
            unit = self.successions.resolve(assignment.unit, period.ends_on)
            groups[(unit, assignment.task_id)].append(assignment)
        states = []
        for (unit, task_id), members in groups.items():
            owing = [a for a in members if a.unit.is_open_during(period.starts_on, period.ends_on)]
            if owing:
                states.append(self._state(unit, task_id, period, members, owing))
        return states

    def lone(self):
        """The assignments that stand alone for their (unit, task) at every
        period: no succession leads into or out of their unit, so it always
        resolves to itself and no other assignment's unit resolves to it (an
        assignment is the only one of its task and unit)."""
        linked = set(self.successions.single) | set(self.successions.single.values())
        return [a for a in self.assignments if a.unit_id not in linked]

    def lone_states(self, assignment):
        """(period pk, report, status, category, latest received report) of a
        ``lone`` assignment at each period of its schedule past its on-time
        limit on ``as_of`` at which its unit is open, in due order: what
        ``states_at`` finds for it (the last due report of ``category_of``
        being the period's own), walked once along the periods with the
        latest received report and its "completed" run carried along instead
        of looked up at each period. A full rebuild walks millions of these."""
        if self._past is None:
            self._past = defaultdict(list)
            for p in self.periods:
                limit = self.limit[p.pk]
                if limit < self.as_of:
                    self._past[p.schedule_id].append((p.pk, p.due_on, p.starts_on, p.ends_on, limit, limit + ONE_DAY))
        received, due, reports, as_of = self.received.get(assignment.pk, ()), self.due, self.reports, self.as_of
        pk, deadline, period_of = assignment.pk, assignment.deadline, self.period_by_pk.__getitem__
        opens, closes = assignment.unit.valid_from or datetime.date.min, assignment.unit.valid_to or datetime.date.max
        taken, count, latest, first_completed = 0, len(received), None, None
        for period, due_on, starts_on, ends_on, limit, after_limit in self._past[assignment.schedule_id]:
            while taken < count and due[received[taken].period_id] <= due_on:
                report = received[taken]
                taken += 1
                run_goes_on = latest is not None and latest.implementation_status == "completed"
                if report.implementation_status != "completed" or not run_goes_on:
                    first_completed = report
                latest = report
            if opens > ends_on or closes < starts_on:
                continue
            report = reports.get((pk, period))
            status, _days = status_by_limit(report, limit, as_of)
            last_due = report is not None and report.is_received  # the period's own: past its limit
            category = category_of(deadline=deadline, latest=latest, first_completed=first_completed, last_due=last_due,
                                   day=min(as_of, after_limit), period_of=period_of)  # fmt: skip
            yield period, report, status, category, latest

    def _row(self, unit, period, owing):
        report = best_report([r for a in owing if (r := self.reports.get((a.pk, period.pk)))], period)
        status, days = report_status(report, period, self.as_of)
        own = [a for a in owing if a.unit_id == unit.pk]
        return Expected(unit, period, (own or owing)[0], report, status, days)

    def _latest(self, members, period):
        """The latest received report of ``members`` up to ``period``, and the
        first of the unbroken run of "completed" reports that ends with it."""
        if len(members) == 1:
            rows = self.received.get(members[0].pk)
            if not rows:
                return None, None
            end = bisect.bisect_right(self.received_due[members[0].pk], period.due_on)
        else:
            rows = []
            for assignment in members:
                found = self.received.get(assignment.pk)
                if found:
                    rows.extend(found[: bisect.bisect_right(self.received_due[assignment.pk], period.due_on)])
            rows.sort(key=lambda r: (self.due[r.period_id], r.pk))
            end = len(rows)
        if end == 0:
            return None, None
        latest = first = rows[end - 1]
        index = end - 1
        while index >= 0 and rows[index].implementation_status == "completed":
            first = rows[index]
            index -= 1
        return latest, first

    def _last_due_row(self, unit, period, members, row, day):
        """The latest expected report of the unit whose on-time limit is
        before ``day``: this period's, or an earlier one."""
        if on_time_limit(period) < day:
            return row
        for earlier in reversed(self.by_schedule[period.schedule_id]):
            if earlier.due_on >= period.due_on or on_time_limit(earlier) >= day:
                continue
            owing = [a for a in members if a.unit.is_open_during(earlier.starts_on, earlier.ends_on)]
            if owing:
                return self._row(unit, earlier, owing)
        return None

    def _state(self, unit, task_id, period, members, owing):
        row = self._row(unit, period, owing)
        latest, first_completed = self._latest(members, period)
        day = status_day(period, self.as_of)
        deadlines = [a.deadline for a in members if a.deadline]
        last_due = self._last_due_row(unit, period, members, row, day)
        category = category_of(
            deadline=min(deadlines) if deadlines else None,
            latest=latest,
            first_completed=first_completed,
            last_due=None if last_due is None else last_due.report is not None and last_due.report.is_received,
            day=day,
            period_of=self.period_by_pk.__getitem__,
        )
        is_lead = any(a.role == AssignmentRole.LEAD for a in members)
        progress = progress_of(latest and latest.percent_complete, is_lead, self.rule)
        return State(unit, task_id, row, members, category, latest, progress, is_lead)


def category_of(*, deadline, latest, first_completed, last_due, day, period_of):
    """The Government Office category of a (unit, task) on ``day``, from its
    latest received report and the first of the "completed" ones that end
    with it; ``last_due``: whether the latest expected report past its
    on-time limit before ``day`` was received (None when none was due yet)."""
    if latest is not None and latest.implementation_status == "completed":
        limit = deadline or on_time_limit(period_of(first_completed.period_id))
        done_on = first_completed.submitted_on or day
        return Category.COMPLETED_ON_TIME if done_on <= limit else Category.COMPLETED_LATE
    if deadline is not None and deadline < day:
        return Category.IN_PROGRESS_OVERDUE
    if last_due is None:
        return Category.NOT_YET_DUE if latest is None else Category.IN_PROGRESS_ON_TIME
    return Category.IN_PROGRESS_ON_TIME if last_due else Category.IN_PROGRESS_OVERDUE
