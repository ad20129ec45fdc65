"""The reminder sweep: plan the ledger rows that fell due, then deliver the
pending ones inside the policy's sending window, each exactly once."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from directives.models import Directive
from notifications.models import NotificationKind
from notifications.services import notification_send, office_members, unit_members
from reminders.calendar import WorkingCalendar
from reminders.models import Reminder, ReminderKind, ReminderPolicy, ReminderStatus
from reminders.rules import owed_reminders
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportState
from units.models import MembershipRole

DONE = (ReportState.SUBMITTED, ReportState.ACCEPTED)
NOTIFICATION_KINDS = {
    ReminderKind.DUE_SOON: NotificationKind.REMINDER_DUE_SOON,
    ReminderKind.OVERDUE: NotificationKind.REMINDER_OVERDUE,
    ReminderKind.ESCALATION: NotificationKind.REMINDER_ESCALATION,
    ReminderKind.REVIEW_WAITING: NotificationKind.REMINDER_REVIEW_WAITING,
    ReminderKind.MANUAL: NotificationKind.REMINDER_OVERDUE,
}


@dataclass
class SweepResult:
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    waiting: int = 0  # fell due but outside the sending window
    lines: list = field(default_factory=list)  # (unit name, kind, period label, detail)


def policy_for(directive) -> ReminderPolicy:
    try:
        return directive.reminder_policy
    except ReminderPolicy.DoesNotExist:
        return ReminderPolicy(directive=directive)  # the defaults, unsaved


def _at(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


def sending_allowed(policy, now, calendar) -> bool:
    local = timezone.localtime(now)
    if policy.working_days_only and not calendar.is_working_day(local.date()):
        return False
    return policy.send_from <= local.time() < policy.send_until


def _plan_directive(directive, policy, now, today):
    """Unsaved ledger rows for everything that has fallen due by ``now``."""
    horizon = datetime.timedelta(days=settings.REMINDER_OVERDUE_HORIZON_DAYS)
    ahead = datetime.timedelta(days=max(policy.days_before_list, default=0))
    assignments = list(
        Assignment.objects.filter(task__directive=directive).select_related("unit", "task").order_by("pk")
    )
    periods = list(
        ReportingPeriod.objects.filter(
            schedule_id__in={a.schedule_id for a in assignments},
            due_on__gte=today - horizon,
            due_on__lte=today + ahead,
        )
    )
    by_schedule = defaultdict(list)
    for period in periods:
        by_schedule[period.schedule_id].append(period)
    reports = {
        (assignment_id, period_id): state
        for assignment_id, period_id, state in ProgressReport.objects.filter(
            assignment__task__directive=directive, period__in=periods
        ).values_list("assignment_id", "period_id", "state")
    }
    rows = _plan_review_waiting(directive, policy, now)
    for assignment in assignments:
        if not assignment.unit.is_open_on(today):
            continue  # a closed unit is not chased; its successor reports
        for period in by_schedule[assignment.schedule_id]:
            if not assignment.unit.is_open_during(period.starts_on, period.ends_on):
                continue
            if reports.get((assignment.pk, period.pk)) in DONE:
                continue
            for kind, offset, day in owed_reminders(policy, period.due_on, today):
                rows.append(Reminder(assignment=assignment, period=period, kind=kind, offset=offset,
                                     due_at=_at(day, policy.send_from)))  # fmt: skip
    return rows


def _plan_review_waiting(directive, policy, now):
    """A reminder to the office for every report waiting for review longer than
    the policy allows, once per submission (the report's version)."""
    if not policy.review_waiting_days:
        return []
    waited = datetime.timedelta(days=policy.review_waiting_days)
    waiting = ProgressReport.objects.filter(
        assignment__task__directive=directive, state=ReportState.SUBMITTED, state_changed_at__lte=now - waited
    ).select_related("assignment__unit", "assignment__task", "period")
    return [
        Reminder(
            assignment=report.assignment,
            period=report.period,
            kind=ReminderKind.REVIEW_WAITING,
            offset=report.version,
            due_at=report.state_changed_at + waited,
        )
        for report in waiting
    ]


def _record_plan(rows):
    """Inserts the rows that are new (the unique key makes parallel sweeps safe)
    and retires older pending rows of the same kind that a newer one replaces."""
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    superseded = 0
    latest = {(r.assignment_id, r.period_id, r.kind): r.offset for r in rows if r.kind != ReminderKind.ESCALATION}
    pending = Reminder.objects.filter(
        status=ReminderStatus.PENDING, assignment_id__in={key[0] for key in latest}
    ).values_list("pk", "assignment_id", "period_id", "kind", "offset")
    # Once the due date has passed (an overdue reminder is owed), a "due soon" one still waiting is stale too.
    overdue = {(a, p) for a, p, kind in latest if kind == ReminderKind.OVERDUE}
    stale = [
        pk
        for pk, a, p, kind, offset in pending
        if latest.get((a, p, kind), offset) != offset or (kind == ReminderKind.DUE_SOON and (a, p) in overdue)
    ]
    if stale:
        superseded = Reminder.objects.filter(pk__in=stale, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.SKIPPED, note="superseded by a later reminder"
        )
    return superseded


def _recipients(reminder):
    assignment = reminder.assignment
    if reminder.kind in (ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.MANUAL):
        return list(unit_members(assignment.unit_id, [MembershipRole.REPORTER, MembershipRole.HEAD]))
    office = office_members()
    if reminder.kind == ReminderKind.REVIEW_WAITING:
        return office
    heads = [*unit_members(assignment.unit_id, [MembershipRole.HEAD])]
    if assignment.reviewing_unit_id:
        heads += unit_members(assignment.reviewing_unit_id, [MembershipRole.HEAD])
    return list({user.pk: user for user in [*heads, *office]}.values())


def reminder_deliver(*, reminder: Reminder, now) -> str:
    """Sends one pending reminder: "sent", "skipped" (the unit has reported
    meanwhile) or "taken" (another sweep got it first)."""
    with transaction.atomic():
        report = ProgressReport.objects.filter(
            assignment_id=reminder.assignment_id, period_id=reminder.period_id
        ).first()
        still_owed = (
            report is not None and report.state == ReportState.SUBMITTED
            if reminder.kind == ReminderKind.REVIEW_WAITING
            else report is None or report.state not in DONE
        )
        if not still_owed:
            taken = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.PENDING).update(
                status=ReminderStatus.SKIPPED, note="reported before it was sent"
            )
            return "skipped" if taken else "taken"
        # The claim: only the sweep whose update changes the row sends it.
        if not Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.SENT, sent_at=now
        ):
            return "taken"
        recipients = _recipients(reminder)
        notification_send(
            recipients=recipients,
            kind=NOTIFICATION_KINDS[reminder.kind],
            report=report,
            assignment=reminder.assignment,
            period=reminder.period,
        )
        Reminder.objects.filter(pk=reminder.pk).update(recipients=len(recipients))
    return "sent"


def reminder_send_now(*, assignment, period, by, now=None) -> str:
    """ "Remind now" from the late list: one ledger row per unit, period and
    day (a second click the same day sends nothing), delivered at once
    whatever the sending window. Answers as ``reminder_deliver`` does, or
    "already" when the unit was reminded this way today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminder, created = Reminder.objects.get_or_create(
        assignment=assignment,
        period=period,
        kind=ReminderKind.MANUAL,
        offset=today.toordinal(),
        defaults={"due_at": now, "note": f"by {by.get_username()}"[:255]},
    )
    if not created and reminder.status != ReminderStatus.PENDING:
        return "already"
    return reminder_deliver(reminder=reminder, now=now)


def reminders_sweep(*, now=None, dry_run: bool = False, directives=None) -> SweepResult:
    """One sweep over every directive in force (or those given)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = WorkingCalendar()
    result = SweepResult()
    for directive in directives or Directive.objects.in_force().select_related("reminder_policy"):
        policy = policy_for(directive)
        if not policy.is_active:
            continue
        planned = _plan_directive(directive, policy, now, today)
        result.planned += len(planned)
        allowed = sending_allowed(policy, now, calendar)
        if dry_run:
            sent = {(r.assignment_id, r.period_id, r.kind, r.offset) for r in Reminder.objects.filter(
                assignment__task__directive=directive).exclude(status=ReminderStatus.PENDING)}  # fmt: skip
            for row in planned:
                if (row.assignment_id, row.period_id, row.kind, row.offset) not in sent:
                    result.lines.append((row, "would send" if allowed else "would wait"))
            continue
        result.skipped += _record_plan(planned)
        pending = (
            Reminder.objects.filter(
                assignment__task__directive=directive, status=ReminderStatus.PENDING, due_at__lte=now
            )
            .select_related("assignment__unit", "assignment__task", "period")
            .order_by("due_at", "pk")
        )
        if not allowed:
            result.waiting += pending.count()
            continue
        for reminder in pending:
            outcome = reminder_deliver(reminder=reminder, now=now)
            if outcome == "sent":
                result.sent += 1
                result.lines.append((reminder, "sent"))
            elif outcome == "skipped":
                result.skipped += 1
    return result
