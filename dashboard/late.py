"""The late list: every expected report of the range that is overdue, with
the reminders already sent for it and the heads of the unit that owes it."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

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
    pairs = Q(pk__in=[])
    for row in rows:  # exactly the rows' (assignment, period) pairs: the ledger's unique index answers
        pairs |= Q(assignment_id=row.assignment.pk, period_id=row.period.pk)
    sent = Counter(
        (assignment, period)
        for assignment, period, status in Reminder.objects.filter(pairs).values_list(
            "assignment_id", "period_id", "status"
        )
        if status == ReminderStatus.SENT  # counted here: the status index would only slow the lookup down
    )
    heads = defaultdict(list)
    for membership in Membership.objects.filter(
        unit_id__in={row.unit.pk for row in rows}, role=MembershipRole.HEAD, user__is_active=True
    ).select_related("user"):
        heads[membership.unit_id].append(membership.user.get_full_name() or membership.user.get_username())
    for row in rows:
        row.reminders_sent = sent.get((row.assignment.pk, row.period.pk), 0)
        row.heads = sorted(heads[row.unit.pk])
    return rows
