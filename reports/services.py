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
    """Someone saved the report after the editor loaded it (or, for a report
    not yet started, started it first).

    ``changes`` are (field label, one value, the other value): what changed
    meanwhile according to the report's history, or, where the history cannot
    tell (a report with no history rows, such as the demo's), the saved value
    beside the editor's own; ``against_yours`` says which of the two."""

    def __init__(self, current: ProgressReport, changes, by, at, *, against_yours: bool = False):
        super().__init__("stale version")
        self.current, self.changes, self.by, self.at = current, changes, by, at
        self.against_yours = against_yours


REPORT_FIELDS = ("implementation_status", "percent_complete", "results", "difficulties", "proposals", "next_steps")
# What the conflict page compares: the content and where the report stands.
CONFLICT_FIELDS = ("state", *REPORT_FIELDS)


def report_start(*, assignment: Assignment, period: ReportingPeriod, by) -> ProgressReport:
    """The assignment's report for the period, created as a draft on first use
    (version 1, like the empty form every first save is checked against)."""
    if not by.has_perm("reports.start_report", assignment):
        raise PermissionDenied
    report, _created = ProgressReport.objects.get_or_create(
        assignment=assignment, period=period, defaults={"created_by": by}
    )
    return report


def _shown(field_name, value):
    model_field = ProgressReport._meta.get_field(field_name)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def _label(field_name):
    return ProgressReport._meta.get_field(field_name).verbose_name


def _conflict_changes(current: ProgressReport, version: int, data: dict):
    """(changes, against_yours) for a save refused at ``version``."""
    base = current.history.filter(version=version).order_by("-history_date").first()
    latest = current.history.order_by("-history_date").first()
    if base is not None and latest is not None and latest.version == current.version:
        delta = latest.diff_against(base, included_fields=list(CONFLICT_FIELDS))
        changes = [(_label(c.field), _shown(c.field, c.old), _shown(c.field, c.new)) for c in delta.changes]
        if changes:
            return changes, False
    # No history to tell what changed: compare the saved fields themselves with the editor's.
    changes = [
        (_label(name), _shown(name, getattr(current, name)), _shown(name, data[name]))
        for name in REPORT_FIELDS
        if name in data and data[name] != getattr(current, name)
    ]
    return changes, True


def _last_saved_by(current: ProgressReport):
    """Who saved the report last, and when: its history, else its last workflow
    step, else whoever started it."""
    latest = current.history.select_related("history_user").order_by("-history_date").first()
    if latest is not None and latest.version == current.version and latest.history_user is not None:
        return latest.history_user, latest.history_date
    step = current.transitions.select_related("by").order_by("-at", "-pk").first()
    if step is not None:
        return step.by, step.at
    return current.created_by, current.updated_at


def report_save(
    *, report: ProgressReport, by, data: dict, indicator_values: dict, expected_version: int
) -> ProgressReport:
    """Saves the editable fields and indicator values if nobody saved the report
    since ``expected_version``; otherwise raises EditConflict and changes nothing.

    The version is checked before the right to edit: someone who could edit
    the report when they loaded it, and cannot now because it moved on, is told
    what happened rather than refused."""
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().select_related("assignment__unit").get(pk=report.pk)
        if locked.version != expected_version and by.has_perm("reports.read_report", locked):
            changes, against_yours = _conflict_changes(locked, expected_version, data)
            who, when = _last_saved_by(locked)
            raise EditConflict(locked, changes, by=who, at=when, against_yours=against_yours)
        if locked.version != expected_version or not can_edit_report(by, locked):
            raise PermissionDenied
        for field in REPORT_FIELDS:
            if field in data:
                setattr(locked, field, data[field])
        locked.version += 1
        locked._history_user = by  # the history names who saved, in a request or not
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
