"""The late list: every expected report of the range that is overdue, with
the reminders already sent for it and the heads of the unit that owes it."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from dashboard.measures import ReportStatus
from reminders.models import Reminder, ReminderStatus
from units.models import Membership, MembershipRole

SORTS = {
    "days": lambda row: (-row.days_overdue, row.unit.name),
    "unit": lambda row: (row.unit.name, row.task.number),
    "task": lambda row: (row.task.number, -row.days_overdue),
    "reminders": lambda row: (-row.reminders_sent, -row.days_overdue),
}


@dataclass
class LateRow:
    unit: object
    task: object
    period: object
    assignment: object
    due_on: object
    days_overdue: int
    reminders_sent: int = 0
    heads: list = field(default_factory=list)


def late_rows(figures, sort="days"):
    """Two queries whatever the number of rows."""
    rows = [
        LateRow(row.owing_unit, cell.task, row.period, row.assignment, row.period.due_on, row.days_overdue)
        for cell, row in figures.expected_rows()
        if row.status == ReportStatus.OVERDUE
    ]
    return sorted(late_details(rows), key=SORTS.get(sort, SORTS["days"]))


def late_details(rows):
    """The reminders already sent for each row and the heads of its unit."""
    if not rows:
        return rows
    assignment_ids = {row.assignment.pk for row in rows}
    period_ids = {row.period.pk for row in rows}
    sent = {
        (item["assignment_id"], item["period_id"]): item["n"]
        for item in Reminder.objects.filter(
            assignment_id__in=assignment_ids, period_id__in=period_ids, status=ReminderStatus.SENT
        )
        .values("assignment_id", "period_id")
        .annotate(n=Count("pk"))
    }
    heads = defaultdict(list)
    for membership in Membership.objects.filter(
        unit_id__in={row.unit.pk for row in rows}, role=MembershipRole.HEAD, user__is_active=True
    ).select_related("user"):
        heads[membership.unit_id].append(membership.user.get_full_name() or membership.user.get_username())
    for row in rows:
        row.reminders_sent = sent.get((row.assignment.pk, row.period.pk), 0)
        row.heads = sorted(heads[row.unit.pk])
    return rows
