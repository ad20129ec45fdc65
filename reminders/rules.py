"""Which reminder an (assignment, period) owes on a given day, by the policy.

Pure functions over dates: a sweep that runs late still finds what fell due,
and only the most recent reminder of each kind, never a burst of stale ones."""

import datetime

from reminders.models import ReminderKind


def due_soon_offset(days_before, days_left):
    """The latest "N days before" reminder that has fallen due, or None."""
    fallen = [offset for offset in days_before if offset >= days_left >= 0]
    return min(fallen) if fallen else None


def overdue_offset(every_days, days_overdue):
    """1 on the first day overdue, then every ``every_days`` (0: only once)."""
    if days_overdue < 1:
        return None
    if every_days == 0:
        return 1
    return 1 + ((days_overdue - 1) // every_days) * every_days


def owed_reminders(policy, due_on: datetime.date, today: datetime.date):
    """[(kind, offset, day it fell due)] for a report not yet submitted."""
    days_left = (due_on - today).days
    owed = []
    offset = due_soon_offset(policy.days_before_list, days_left)
    if offset is not None:
        owed.append((ReminderKind.DUE_SOON, offset, due_on - datetime.timedelta(days=offset)))
    offset = overdue_offset(policy.overdue_every_days, -days_left)
    if offset is not None:
        owed.append((ReminderKind.OVERDUE, offset, due_on + datetime.timedelta(days=offset)))
    if policy.escalate_after_days and -days_left >= policy.escalate_after_days:
        days = policy.escalate_after_days
        owed.append((ReminderKind.ESCALATION, days, due_on + datetime.timedelta(days=days)))
    return owed
