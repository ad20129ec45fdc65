"""Reminders and escalation for follow-up items (followups/reminders.py):
exactly once, in the sending window, by the directive's policy or the defaults."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followups.reminders import followup_reminders_deliver, followup_reminders_sweep
from followups.roll_models import FollowUpReminder, FollowUpReminderKind
from notifications.models import EmailStatus, Notification, NotificationKind, NotificationPreference
from reminders.models import ReminderPolicy, ReminderStatus
from reminders.tasks import sweep_reminders
from tests.factories import MembershipFactory, UnitFactory, UserFactory

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DUE = D(2025, 6, 19)  # a Thursday


def at(day, hour=9, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return followup_reminders_sweep()


def sent_to(kind):
    counts = {}
    for name in Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True):
        counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.fixture
def people(reporter_a, head_a, reporter_b, office_user, hdnd_head):
    """Everybody who could be told something."""


@pytest.fixture
def item(make_item, unit_a, people):
    return make_item(unit_a, deadline=DUE, number="1")


def test_due_soon_reminder_goes_once_to_the_lead_units_reporters_and_heads(item):
    result = sweep(at(D(2025, 6, 12)))  # 7 days before

    assert (result.planned, result.sent, result.skipped, result.waiting) == (1, 1, 0, 0)
    assert sent_to(NotificationKind.FOLLOWUP_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    notification = Notification.objects.filter(kind=NotificationKind.FOLLOWUP_DUE_SOON).first()
    assert notification.get_absolute_url() == f"/follow-ups/{item.pk}/"
    assert "Rà soát" in notification.reason
    row = FollowUpReminder.objects.get()
    assert (row.kind, row.offset, row.status, row.recipients) == ("due_soon", 7, ReminderStatus.SENT, 2)


def test_a_second_sweep_and_the_beat_task_at_the_same_moment_send_nothing_more(item):
    sweep(at(D(2025, 6, 12)))
    again = sweep(at(D(2025, 6, 12), 10))
    with time_machine.travel(at(D(2025, 6, 12), 11), tick=False):
        answer = sweep_reminders()

    assert (again.sent, answer["followups"]["sent"]) == (0, 0)
    assert Notification.objects.count() == 2
    assert FollowUpReminder.objects.count() == 1


def test_daily_sweeps_send_each_step_before_and_after_the_deadline_once(item):
    for offset in range(10, -12, -1):
        sweep(at(DUE - datetime.timedelta(days=offset)))

    rows = list(FollowUpReminder.objects.filter(status=ReminderStatus.SENT).order_by("due_at", "kind")
                .values_list("kind", "offset"))  # fmt: skip
    # Due soon 7, 3, 1, 0 days before (the defaults); overdue on days 1, 4, 7, 10; escalation after 7 days.
    assert rows == [
        ("due_soon", 7), ("due_soon", 3), ("due_soon", 1), ("due_soon", 0),
        ("overdue", 1), ("overdue", 4), ("escalation", 7), ("overdue", 7), ("overdue", 10),
    ]  # fmt: skip
    assert sent_to(NotificationKind.FOLLOWUP_OVERDUE) == {"reporter-a": 4, "head-a": 4}


def test_escalation_goes_to_the_lead_heads_the_verifying_heads_and_the_office(item):
    sweep(at(DUE + datetime.timedelta(days=7)))

    assert sent_to(NotificationKind.FOLLOWUP_ESCALATION) == {"head-a": 1, "head-hdnd": 1, "office": 1}


def test_outside_the_sending_window_the_row_waits_and_the_next_sweep_in_it_sends_it_once(item):
    early = sweep(at(D(2025, 6, 12), 18))  # after 17:00
    saturday = sweep(at(D(2025, 6, 14), 9))  # not a working day
    monday = sweep(at(D(2025, 6, 16), 9))

    assert (early.sent, early.waiting) == (0, 1)
    assert saturday.sent == 0
    assert monday.sent == 1
    # The 7-day reminder that waited over the weekend gives way to the 3-day one.
    assert set(FollowUpReminder.objects.values_list("kind", "offset", "status")) == {
        ("due_soon", 7, "skipped"),
        ("due_soon", 3, "sent"),
    }
    assert sent_to(NotificationKind.FOLLOWUP_DUE_SOON) == {"reporter-a": 1, "head-a": 1}


def test_the_policy_of_the_items_directive_is_used(make_item, unit_a, task, people):
    ReminderPolicy.objects.create(directive=task.directive, days_before="10", overdue_every_days=0,
                                  escalate_after_days=0)  # fmt: skip
    make_item(unit_a, task=task)

    assert sweep(at(D(2025, 6, 9))).sent == 1  # 10 days before: only the policy asks for that
    assert sweep(at(D(2025, 6, 12))).sent == 0  # the defaults' 7 days is not in this policy
    for day in range(20, 30):
        sweep(at(D(2025, 6, day)))
    assert list(FollowUpReminder.objects.order_by("due_at").values_list("kind", "offset")) == [
        ("due_soon", 10),
        ("overdue", 1),
    ]


def test_an_inactive_policy_sends_nothing(make_item, unit_a, task, people):
    ReminderPolicy.objects.create(directive=task.directive, is_active=False)
    make_item(unit_a, task=task)

    assert sweep(at(D(2025, 6, 12))).planned == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", ["reported", "settled", "not_feasible"])
def test_items_reported_or_closed_are_not_chased(make_item, unit_a, people, status):
    make_item(unit_a, status=status)

    assert sweep(at(DUE + datetime.timedelta(days=8))).planned == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", ["in_progress", "returned", "pending_signoff"])
def test_items_still_being_answered_are_chased(make_item, unit_a, people, status):
    make_item(unit_a, status=status)

    assert sweep(at(DUE + datetime.timedelta(days=1))).sent == 1


def test_an_item_reported_after_its_reminder_was_recorded_but_before_it_was_sent_is_skipped(item):
    sweep(at(D(2025, 6, 12), 6))  # recorded, waiting for the window
    item.status = "reported"
    item.save()

    result = sweep(at(D(2025, 6, 12), 9))

    assert (result.sent, result.skipped) == (0, 1)
    assert FollowUpReminder.objects.get().note == "answered before it was sent"
    assert not Notification.objects.exists()


def test_delivering_the_same_pending_row_twice_sends_one_set_of_notifications(item):
    sweep(at(D(2025, 6, 12), 6))
    row = FollowUpReminder.objects.get()

    first = followup_reminders_deliver(reminders=[row], now=at(D(2025, 6, 12)))
    second = followup_reminders_deliver(reminders=[row], now=at(D(2025, 6, 12)))

    assert [outcome for _row, outcome in first] == ["sent"]
    assert [outcome for _row, outcome in second] == ["taken"]
    assert Notification.objects.count() == 2


def test_digest_readers_get_reminders_in_their_digest_but_escalations_by_themselves(item, head_a):
    NotificationPreference.objects.create(user=head_a, email_mode="digest")
    sweep(at(DUE + datetime.timedelta(days=1)))
    sweep(at(DUE + datetime.timedelta(days=7)))

    overdue = Notification.objects.filter(recipient=head_a, kind=NotificationKind.FOLLOWUP_OVERDUE)
    escalation = Notification.objects.get(recipient=head_a, kind=NotificationKind.FOLLOWUP_ESCALATION)
    assert {(n.email_status, n.in_digest) for n in overdue} == {(EmailStatus.DIGEST, True)}
    assert escalation.email_status == EmailStatus.PENDING


def test_inactive_users_and_co_ordinating_units_are_not_reminded(make_item, unit_a, unit_b, people, reporter_a):
    reporter_a.is_active = False
    reporter_a.save()
    make_item(unit_a, coordinating=[unit_b])

    sweep(at(D(2025, 6, 12)))

    assert sent_to(NotificationKind.FOLLOWUP_DUE_SOON) == {"head-a": 1}


def test_the_sweeps_queries_do_not_grow_with_the_number_of_items(make_item, province, people):
    def measure(count):
        FollowUpReminder.objects.all().delete()
        Notification.objects.all().delete()
        for number in range(count):
            unit = UnitFactory(code=f"u-{count}-{number}", parent=province)
            MembershipFactory(user=UserFactory(username=f"r-{count}-{number}"), unit=unit, role="reporter")
            make_item(unit, deadline=DUE + datetime.timedelta(days=number % 3))
        with CaptureQueriesContext(connection) as queries:
            result = sweep(at(DUE + datetime.timedelta(days=8)))
        assert result.sent >= count
        return len(queries)

    assert measure(12) == measure(3)


def test_the_ledger_refuses_a_second_row_for_the_same_item_kind_and_offset(item):
    from django.db import IntegrityError, transaction

    FollowUpReminder.objects.create(item=item, kind=FollowUpReminderKind.OVERDUE, offset=1, due_at=at(DUE))
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpReminder.objects.create(item=item, kind=FollowUpReminderKind.OVERDUE, offset=1, due_at=at(DUE))
