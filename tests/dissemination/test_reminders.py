"""Dissemination reminders on the hand-computed tree of ``roll_tree``: who
hears, escalation up the current tree, and each row sent exactly once."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.reminder_models import DisseminationReminder
from dissemination.reminders import dissemination_reminders_sweep, owed_rows
from notifications.models import Notification, NotificationKind
from reminders.models import ReminderPolicy, ReminderStatus
from tests.dissemination.roll_tree import CELL_DUE, TODAY, build, confirm
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def tree():
    t = build()
    ReminderPolicy.objects.create(
        directive=t.directive, days_before="7, 3, 1, 0", overdue_every_days=3, escalate_after_days=7,
        send_from=datetime.time(7, 30), send_until=datetime.time(17, 0), working_days_only=False,
    )  # fmt: skip
    t.people = {}
    for name, unit, role in [("sec-x2", t.x2, "head"), ("sec-z2", t.z2, "head"), ("head-y", t.y, "head"),
                             ("head-x", t.x, "head"), ("head-d1", t.d1, "head"), ("rep-z", t.z, "reporter"),
                             ("head-d2", t.d2, "head"), ("head-p", t.p, "head"), ("rep-dd", t.delegation, "reporter"),
                             ("viewer-y", t.y, "viewer")]:  # fmt: skip
        t.people[name] = MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user
    return t


def received(tree):
    names = {user.pk: name for name, user in tree.people.items()}
    return Counter((names[n.recipient_id], n.kind, n.link) for n in Notification.objects.all())


def test_the_rule_adds_a_second_escalation_after_twice_the_delay(tree):
    policy = ReminderPolicy.objects.get(directive=tree.directive)
    kinds = [(kind, offset) for kind, offset, _day in owed_rows(policy, CELL_DUE, TODAY)]
    assert kinds == [("overdue", 16), ("escalation", 7), ("escalation_up", 14)]
    assert [k for k, _o, _d in owed_rows(policy, CELL_DUE, CELL_DUE - datetime.timedelta(days=2))] == ["due_soon"]


def test_cells_and_plans_escalate_up_the_current_tree_exactly_once(tree):
    first = dissemination_reminders_sweep(now=at(TODAY, 9))
    assert (first.planned, first.sent, first.skipped) == (12, 12, 0)
    cell_x2, cell_z2 = (reverse("dissemination_cell", args=[tree.directive.pk, cell.pk]) for cell in (tree.x2, tree.z2))
    due, escalation = NotificationKind.DISSEMINATION_DUE, NotificationKind.DISSEMINATION_ESCALATION
    got = received(tree)
    # Cell x2 (its commune x merged into y): its secretary, then y (not the closed x), then d1.
    assert got[("sec-x2", due, cell_x2)] == 1
    assert got[("head-y", escalation, cell_x2)] == 1
    assert got[("head-d1", escalation, cell_x2)] == 1
    assert not any(name in ("head-x", "viewer-y") for name, _kind, _link in got)
    assert got[("sec-z2", due, cell_z2)] == 1
    assert got[("rep-z", escalation, cell_z2)] == 1 and got[("head-d2", escalation, cell_z2)] == 1
    # Plans: z's staff, then d2, then the province; the Party delegation's staff, then the province.
    plan_z = f"/dissemination/{tree.directive.pk}/units/{tree.z.pk}/"
    assert got[("rep-z", due, plan_z)] == 1
    assert got[("head-d2", escalation, plan_z)] == 1 and got[("head-p", escalation, plan_z)] == 1
    assert sum(1 for name, _kind, link in got if name == "head-p") == 2
    notification = Notification.objects.get(recipient=tree.people["sec-x2"])
    assert "x2" in notification.reason and "30/05/2026" in notification.reason
    assert set(DisseminationReminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}

    again = dissemination_reminders_sweep(now=at(TODAY, 11))
    assert (again.sent, again.planned) == (0, 12)
    assert DisseminationReminder.objects.count() == 12
    assert sum(received(tree).values()) == sum(got.values())


def test_outside_the_window_rows_wait_and_a_cell_that_confirms_meanwhile_is_not_reminded(tree):
    early = dissemination_reminders_sweep(now=at(TODAY, 6))
    # The escalations fell due days ago; today's overdue reminders fall due at 07:30.
    assert (early.sent, early.waiting) == (0, 8)
    confirm(tree.directive, tree.z2, TODAY, 12, 15)
    later = dissemination_reminders_sweep(now=at(TODAY, 8))
    assert (later.sent, later.skipped) == (9, 3)
    assert not Notification.objects.filter(recipient=tree.people["sec-z2"]).exists()


def test_a_later_overdue_reminder_supersedes_the_one_still_waiting(tree):
    dissemination_reminders_sweep(now=at(TODAY, 6))
    three_days_later = TODAY + datetime.timedelta(days=3)
    result = dissemination_reminders_sweep(now=at(three_days_later, 9))
    overdue = DisseminationReminder.objects.filter(unit=tree.x2, kind="overdue")
    assert dict(overdue.values_list("offset", "status")) == {16: "skipped", 19: "sent"}
    assert result.sent == 12
