import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from directives.models import Directive, Task
from reports.models import (
    Assignment,
    AssignmentRole,
    IndicatorValue,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    ReportingSchedule,
)
from reports.periods import schedule_period_specs
from reports.rules import can_edit_report
from units.models import Unit, scope_roots


def schedule_last_start(schedule: ReportingSchedule) -> datetime.date | None:
    """The last day a period of ``schedule`` may start on: its own end, or the
    end of the terms of the directives assigned on it when every one of them
    has a term (the latest of those), whichever comes first; None for no end."""
    ends = [schedule.ends_on] if schedule.ends_on else []
    directives = Directive.objects.filter(tasks__assignments__schedule=schedule).distinct()
    terms = list(directives.values_list("term_ends_on", flat=True))
    if terms and None not in terms:
        ends.append(max(terms))
    return min(ends) if ends else None


def period_due_on(schedule: ReportingSchedule, nominal: datetime.date, calendar=None) -> datetime.date:
    """The due date a period of ``schedule`` gets for ``nominal``: the next
    working day when the schedule moves due dates, else ``nominal`` itself."""
    if not schedule.move_to_working_day:
        return nominal
    if calendar is None:
        from reminders.calendar import WorkingCalendar  # reminders depends on reports' models

        calendar = WorkingCalendar()
    return calendar.next_working_day(nominal)


@transaction.atomic
def schedule_extend_periods(*, schedule: ReportingSchedule, through: datetime.date) -> list[ReportingPeriod]:
    """Creates the schedule's missing period rows up to ``through`` (never past
    ``schedule_last_start``); existing rows are left as they are. Returns the
    rows this call created (a schedule has a few dozen periods at most, so one
    get_or_create each is cheap and exact even when two runs overlap)."""
    from reminders.calendar import WorkingCalendar  # reminders depends on reports' models

    calendar = WorkingCalendar()
    existing = set(schedule.periods.values_list("key", flat=True))
    created = []
    last_start = schedule_last_start(schedule)
    for spec in schedule_period_specs(schedule, through=through, last_start=last_start):
        if spec.key in existing:
            continue
        period, was_created = ReportingPeriod.objects.get_or_create(
            schedule=schedule,
            key=spec.key,
            defaults={
                "kind": spec.kind,
                "starts_on": spec.starts_on,
                "ends_on": spec.ends_on,
                "due_on": period_due_on(schedule, spec.due_on, calendar),
                "nominal_due_on": spec.due_on,
            },
        )
        if was_created:
            created.append(period)
    return created


@dataclass
class PeriodSync:
    """What ``schedule_sync_periods`` did to one schedule's periods."""

    created: list[ReportingPeriod] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_past_end: list[ReportingPeriod] = field(default_factory=list)
    moved: list[tuple[ReportingPeriod, datetime.date]] = field(default_factory=list)


@transaction.atomic
def schedule_sync_periods(*, schedule: ReportingSchedule, through: datetime.date, today: datetime.date) -> PeriodSync:
    """Brings the schedule's periods in line with it after a change: creates the
    missing ones up to ``through``, deletes those that now start after its end
    (or its directives' term) while nothing refers to them yet, keeps (and
    lists) those that already have reports or reminders, and re-places the
    due dates of periods not yet due."""
    result = PeriodSync(created=schedule_extend_periods(schedule=schedule, through=through))
    last_start = schedule_last_start(schedule)
    if last_start is not None:
        beyond = schedule.periods.filter(starts_on__gt=last_start).exclude(kind=PeriodKind.AD_HOC)
        unused = beyond.filter(reports__isnull=True, reminders__isnull=True)
        result.removed = [str(period) for period in unused.order_by("due_on")]
        # One by one, so that the dashboard hears of each deletion.
        for period in unused:
            period.delete()
        result.kept_past_end = list(beyond.order_by("due_on"))
    result.moved = periods_realign_due_dates(today=today, schedules=[schedule])
    return result


@transaction.atomic
def periods_realign_due_dates(
    *, today: datetime.date, schedules: Iterable[ReportingSchedule] | None = None
) -> list[tuple[ReportingPeriod, datetime.date]]:
    """Re-places the due dates of the periods not yet due (due today or later)
    whose due date comes from a rule, after the working-day calendar or a
    schedule's choice changed. Due dates set by hand are left as they are, and
    no due date is moved into the past. Returns (period, old due date) for
    every period moved; each is saved on its own so that the dashboard's
    tallies are marked stale."""
    from reminders.calendar import WorkingCalendar  # reminders depends on reports' models

    calendar = WorkingCalendar()
    periods = ReportingPeriod.objects.select_for_update().filter(nominal_due_on__isnull=False, due_on__gte=today)
    if schedules is not None:
        periods = periods.filter(schedule__in=list(schedules))
    moved = []
    for period in periods.select_related("schedule").order_by("due_on", "pk"):
        due_on = max(period_due_on(period.schedule, period.nominal_due_on, calendar), period.ends_on)
        if due_on != period.due_on and due_on >= today:
            old, period.due_on = period.due_on, due_on
            period.save(update_fields=["due_on"])
            moved.append((period, old))
    return moved


def period_place_due_date(*, period: ReportingPeriod, due_on: datetime.date, by_rule: bool) -> bool:
    """Sets the period's due date from what an administrator typed. By rule (an
    ad hoc period's date) it is kept as the nominal date and moved off a
    non-working day like any computed one; otherwise it is a deliberate date
    (an extension) and stays exactly as typed. Returns whether it was moved.
    The caller saves the period."""
    if by_rule:
        period.nominal_due_on = due_on
        period.due_on = period_due_on(period.schedule, due_on)
    else:
        period.nominal_due_on = None
        period.due_on = due_on
    return period.due_on != due_on


@transaction.atomic
def assignments_bulk_create(
    *,
    tasks: Iterable[Task],
    kind: str,
    level: int,
    role: str,
    schedule: ReportingSchedule,
    reviewing_unit: Unit | None = None,
    open_on: datetime.date | None = None,
) -> tuple[int, int]:
    """Assigns every task to every unit of ``kind`` at ``level`` (only units open
    on ``open_on`` when given). Pairs that already have an assignment are left as
    they are. Returns (created, skipped).

    A bulk insert bypasses ``Assignment.clean()``, so its one-lead-per-area rule
    is checked here for the whole batch (ValidationError naming the clashes,
    nothing created); the unique (task, unit) constraint still holds, and a row
    inserted concurrently by someone else is ignored rather than raising."""
    units = Unit.objects.without_tree_fields().filter(kind=kind, level=level)
    if open_on is not None:
        units = units.open_on(open_on)
    unit_ids = list(units.values_list("pk", flat=True))
    task_ids = [task.pk for task in tasks]
    existing = set(
        Assignment.objects.filter(task_id__in=task_ids, unit_id__in=unit_ids).values_list("task_id", "unit_id")
    )
    if role == AssignmentRole.LEAD:
        _check_one_lead_per_area(task_ids, unit_ids, existing)
    new = [
        Assignment(task_id=task_id, unit_id=unit_id, role=role, schedule=schedule, reviewing_unit=reviewing_unit)
        for task_id in task_ids
        for unit_id in unit_ids
        if (task_id, unit_id) not in existing
    ]
    Assignment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(existing)


def _check_one_lead_per_area(task_ids, unit_ids, existing):
    """Raises ValidationError when the new leads would give a task two leads,
    open at the same time, in one Party-committee area."""
    roots = scope_roots()
    current = list(
        Assignment.objects.filter(task_id__in=task_ids, role=AssignmentRole.LEAD).values_list("task_id", "unit_id")
    )
    units = Unit.objects.without_tree_fields().in_bulk(set(unit_ids) | {unit_id for _task, unit_id in current})
    leads = defaultdict(list)
    for task_id, unit_id in current:
        leads[task_id].append(units[unit_id])
    clashes = set()
    for task_id in task_ids:
        for unit_id in unit_ids:
            if (task_id, unit_id) in existing:
                continue
            unit = units[unit_id]
            for other in leads[task_id]:
                if roots[other.pk] == roots[unit.pk] and other.overlaps(unit):
                    clashes.add(unit.name)
            leads[task_id].append(unit)
    if clashes:
        raise ValidationError(
            _("These units would lead a task in an area that already has a lead: %(units)s.")
            % {"units": ", ".join(sorted(clashes))}
        )


class EditConflict(Exception):
    """Someone saved the report after the editor loaded it."""

    def __init__(self, current: ProgressReport, changes: list[tuple[str, object, object]], by, at):
        super().__init__("stale version")
        self.current, self.changes, self.by, self.at = current, changes, by, at


REPORT_FIELDS = ("implementation_status", "percent_complete", "results", "difficulties", "proposals", "next_steps")


def report_start(*, assignment: Assignment, period: ReportingPeriod, by) -> ProgressReport:
    """The assignment's report for the period, created as a draft on first use."""
    if not by.has_perm("reports.start_report", assignment):
        raise PermissionDenied
    report, _created = ProgressReport.objects.get_or_create(
        assignment=assignment, period=period, defaults={"created_by": by}
    )
    return report


def _changes_since(current: ProgressReport, version: int):
    """(field label, value then, value now) for every field changed after ``version``."""
    base = current.history.filter(version=version).order_by("-history_date").first()
    latest = current.history.order_by("-history_date").first()
    if base is None or latest is None:
        return []
    delta = latest.diff_against(base, included_fields=list(REPORT_FIELDS))
    return [(ProgressReport._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes]


def report_save(
    *, report: ProgressReport, by, data: dict, indicator_values: dict, expected_version: int
) -> ProgressReport:
    """Saves the editable fields and indicator values if nobody saved the report
    since ``expected_version``; otherwise raises EditConflict and changes nothing."""
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().select_related("assignment__unit").get(pk=report.pk)
        if not can_edit_report(by, locked):
            raise PermissionDenied
        if locked.version != expected_version:
            latest = locked.history.order_by("-history_date").first()
            raise EditConflict(
                locked,
                _changes_since(locked, expected_version),
                by=latest.history_user if latest else None,
                at=latest.history_date if latest else locked.updated_at,
            )
        for field in REPORT_FIELDS:
            if field in data:
                setattr(locked, field, data[field])
        locked.version += 1
        locked.save()
        _save_indicator_values(locked, indicator_values)
    return locked


def _save_indicator_values(report, values):
    existing = {value.indicator_id: value for value in report.indicator_values.all()}
    changed, new = [], []
    for indicator_id, value in values.items():
        row = existing.get(indicator_id)
        if row is None:
            new.append(IndicatorValue(report=report, indicator_id=indicator_id, value=value))
        elif row.value != value:
            row.value = value
            changed.append(row)
    IndicatorValue.objects.bulk_create(new)
    IndicatorValue.objects.bulk_update(changed, ["value"])
