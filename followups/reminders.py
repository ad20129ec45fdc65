"""Reminders and escalation for follow-up items, before and after their due
date, through the same exactly-once ledger as the report reminders.

Each open item the addressed unit still has to answer (not started, in
progress, returned, waiting for its head's sign-off) owes, by the policy of
the directive its task belongs to (or the defaults when it has no task):
"due soon" reminders N days before its due date, "overdue" reminders every N
days after it, and one escalation after N days overdue. The sweep plans the
ledger rows that fell due (``FollowUpReminder``, one per item, kind and
offset), then delivers the pending ones inside the policy's sending window,
each by a conditional update from pending to sent in the same transaction as
its notifications (``reminders.ledger.ledger_claim``): exactly once, whatever
the retries or parallel sweeps. The notifications go to the inbox and by
e-mail, or into the daily digest of those who chose it (escalations are
always e-mailed on their own). It runs with the report reminders' periodic
sweep (reminders/tasks.py)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from directives.models import Directive
from followups.models import FollowUpAddressee, FollowUpItem, FollowUpStatus
from followups.roll_models import FollowUpReminder, FollowUpReminderKind
from notifications.models import NotificationKind
from notifications.services import notifications_send_many, office_members
from reminders.calendar import WorkingCalendar
from reminders.ledger import ledger_claim
from reminders.models import ReminderKind, ReminderPolicy, ReminderStatus
from reminders.rules import owed_reminders
from reminders.services import policy_for, sending_allowed
from units.models import Membership, MembershipRole

# The addressed unit still has to act on an item in these statuses; once it has
# reported the item (or the item is closed) nobody chases it.
CHASED = (
    FollowUpStatus.NOT_STARTED,
    FollowUpStatus.IN_PROGRESS,
    FollowUpStatus.RETURNED,
    FollowUpStatus.PENDING_SIGNOFF,
)
KINDS = {
    ReminderKind.DUE_SOON: FollowUpReminderKind.DUE_SOON,
    ReminderKind.OVERDUE: FollowUpReminderKind.OVERDUE,
    ReminderKind.ESCALATION: FollowUpReminderKind.ESCALATION,
}
NOTIFICATION_KINDS = {
    FollowUpReminderKind.DUE_SOON: NotificationKind.FOLLOWUP_DUE_SOON,
    FollowUpReminderKind.OVERDUE: NotificationKind.FOLLOWUP_OVERDUE,
    FollowUpReminderKind.ESCALATION: NotificationKind.FOLLOWUP_ESCALATION,
}
DEFAULTS = None  # the key of the items without a task: the default policy


@dataclass
class FollowUpSweepResult:
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    waiting: int = 0  # fell due but outside the sending window


def _policies(directive_ids):
    """{directive id (None: no task): policy}; the defaults, unsaved, for items without a task."""
    policies = {DEFAULTS: ReminderPolicy()}
    for directive in Directive.objects.filter(pk__in=directive_ids - {None}).select_related("reminder_policy"):
        policies[directive.pk] = policy_for(directive)
    return policies


def _at(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _chased_items(today, ahead_days):
    """(item id, due_on, directive id) of the items that may owe a reminder today: one query."""
    horizon = datetime.timedelta(days=settings.REMINDER_OVERDUE_HORIZON_DAYS)
    return list(
        FollowUpItem.objects.filter(
            status__in=CHASED,
            due_on__gte=today - horizon,
            due_on__lte=today + datetime.timedelta(days=ahead_days),
        ).values_list("pk", "due_on", "task__directive_id")
    )


def _plan(now, today):
    """Unsaved ledger rows for everything that has fallen due by ``now``, and the policies."""
    rows_of_items = _chased_items(today, ahead_days=60)  # the most days_before a policy allows
    policies = _policies({directive for _pk, _due, directive in rows_of_items})
    rows = []
    for pk, due_on, directive in rows_of_items:
        policy = policies.get(directive, policies[DEFAULTS])
        if not policy.is_active or due_on > today + datetime.timedelta(days=max(policy.days_before_list, default=0)):
            continue
        for kind, offset, day in owed_reminders(policy, due_on, today):
            rows.append(
                FollowUpReminder(item_id=pk, kind=KINDS[kind], offset=offset, due_at=_at(day, policy.send_from))
            )
    return rows, policies


def _record_plan(rows):
    """Inserts the rows that are new (the unique key makes parallel sweeps
    safe) and retires pending rows a newer one of the same kind replaces (and
    "due soon" rows once the item is overdue). Answers how many it retired."""
    item_ids = {row.item_id for row in rows}
    existing = list(
        FollowUpReminder.objects.filter(item_id__in=item_ids).values_list("pk", "item_id", "kind", "offset", "status")
    )
    known = {(item, kind, offset) for _pk, item, kind, offset, _status in existing}
    FollowUpReminder.objects.bulk_create(
        [row for row in rows if (row.item_id, row.kind, row.offset) not in known],
        ignore_conflicts=True,
        batch_size=2000,
    )
    latest = {(r.item_id, r.kind): r.offset for r in rows if r.kind != FollowUpReminderKind.ESCALATION}
    overdue = {item for item, kind in latest if kind == FollowUpReminderKind.OVERDUE}
    stale = [
        pk
        for pk, item, kind, offset, status in existing
        if status == ReminderStatus.PENDING
        and kind != FollowUpReminderKind.ESCALATION
        and (latest.get((item, kind), offset) != offset or (kind == FollowUpReminderKind.DUE_SOON and item in overdue))
    ]
    if not stale:
        return 0
    return FollowUpReminder.objects.filter(pk__in=stale, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.SKIPPED, note="superseded by a later reminder"
    )


def _recipients_of(reminders, items, leads):
    """{reminder pk: [users]}: the lead unit's reporters and heads; for an
    escalation, the lead unit's heads, the verifying body's heads and the office."""
    units = set(leads.values()) | {item.verifying_unit_id for item in items.values()}
    members = defaultdict(lambda: defaultdict(dict))  # unit -> role -> {pk: user}
    for membership in Membership.objects.filter(
        unit_id__in=units, role__in=[MembershipRole.REPORTER, MembershipRole.HEAD], user__is_active=True
    ).select_related("user"):
        members[membership.unit_id][membership.role][membership.user_id] = membership.user
    escalating = any(r.kind == FollowUpReminderKind.ESCALATION for r in reminders)
    office = office_members() if escalating else []
    found = {}
    for reminder in reminders:
        item = items[reminder.item_id]
        lead = members[leads.get(item.pk)]
        if reminder.kind == FollowUpReminderKind.ESCALATION:
            users = {**lead[MembershipRole.HEAD], **members[item.verifying_unit_id][MembershipRole.HEAD]}
            users.update((user.pk, user) for user in office)
        else:
            users = {**lead[MembershipRole.REPORTER], **lead[MembershipRole.HEAD]}
        found[reminder.pk] = list(users.values())
    return found


def _deliver_chunk(chunk, now):
    """One transaction: skips the rows whose item has meanwhile been reported
    or closed, claims the others that are still pending and creates their
    notifications. A few queries whatever the chunk's size."""
    with transaction.atomic():
        items = FollowUpItem.objects.select_related("document").in_bulk({r.item_id for r in chunk})
        leads = dict(
            FollowUpAddressee.objects.filter(item_id__in=list(items), role="lead").values_list("item_id", "unit_id")
        )
        owed = [r for r in chunk if r.item_id in items and items[r.item_id].status in CHASED]
        owed_pks = {r.pk for r in owed}
        skipped = ledger_claim(
            FollowUpReminder, [r.pk for r in chunk if r.pk not in owed_pks], ReminderStatus.SKIPPED, now,
            note="answered before it was sent",
        )  # fmt: skip
        recipients = _recipients_of(owed, items, leads)
        by_count = defaultdict(list)
        for reminder in owed:
            by_count[len(recipients[reminder.pk])].append(reminder.pk)
        sent = set()
        for count, pks in by_count.items():  # a few distinct counts: one statement each
            sent |= ledger_claim(FollowUpReminder, pks, ReminderStatus.SENT, now, recipients=count)
        notifications_send_many(
            [
                {
                    "recipients": recipients[r.pk],
                    "kind": NOTIFICATION_KINDS[r.kind],
                    "link": reverse("followup_detail", args=[r.item_id]),
                    "reason": f"{items[r.item_id]}: {Truncator(items[r.item_id].text).chars(200)}",
                }
                for r in owed
                if r.pk in sent
            ]
        )
    outcomes = dict.fromkeys(sent, "sent") | dict.fromkeys(skipped, "skipped")
    return [(reminder, outcomes.get(reminder.pk, "taken")) for reminder in chunk]


def followup_reminders_deliver(*, reminders, now) -> list:
    """Sends pending ledger rows, each exactly once: [(row, "sent" |
    "skipped" (the item was answered meanwhile) | "taken" (another sweep got
    it first))]."""
    outcomes, size = [], settings.REMINDER_DELIVERY_CHUNK
    for start in range(0, len(reminders), size):
        outcomes.extend(_deliver_chunk(reminders[start : start + size], now))
    return outcomes


def followup_reminders_sweep(*, now=None) -> FollowUpSweepResult:
    """One sweep over the open follow-up items: plan what fell due, then send
    the pending rows of each policy whose sending window is open."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = FollowUpSweepResult()
    planned, policies = _plan(now, today)
    result.planned = len(planned)
    result.skipped += _record_plan(planned)
    calendar = WorkingCalendar()
    allowed = {key for key, policy in policies.items() if sending_allowed(policy, now, calendar)}
    pending = list(
        FollowUpReminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", "item_id", "kind", "offset", "due_at", "item__task__directive_id")
    )
    ready = []
    for pk, item_id, kind, offset, due_at, directive in pending:
        key = directive if directive in policies else DEFAULTS
        if key in allowed:
            ready.append(FollowUpReminder(pk=pk, item_id=item_id, kind=kind, offset=offset, due_at=due_at))
        else:
            result.waiting += 1
    for _reminder, outcome in followup_reminders_deliver(reminders=ready, now=now):
        if outcome == "sent":
            result.sent += 1
        elif outcome == "skipped":
            result.skipped += 1
    return result
