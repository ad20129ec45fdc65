"""Overdue and on time, on a hand-computed case: a deadline on a public holiday.

Deadline Friday 1 May 2026 (Labour Day). Saturday 2 and Sunday 3 May are the
weekend, so the item is due on Monday 4 May 2026: not overdue on 4 May,
overdue from 5 May; a report sent on 4 May and accepted on 6 May was settled
on time, one sent on 5 May late."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followups.models import Claim, FollowUpItem, StepAction
from followups.services import item_due_on, item_record, item_save_response
from followups.workflow import item_transition
from reminders.models import CalendarOverride, DayKind

D = datetime.date
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = D(2026, 5, 1)
DUE = D(2026, 5, 4)


def at(day, hour):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HANOI)


def test_a_deadline_on_a_holiday_falls_due_on_the_next_working_day(db):
    assert item_due_on(DEADLINE) == DUE
    assert item_due_on(D(2026, 5, 5)) == D(2026, 5, 5)  # a Tuesday stays


def test_an_extra_day_off_moves_the_due_date_too(db):
    CalendarOverride.objects.create(day=D(2026, 5, 4), kind=DayKind.DAY_OFF, note="Nghỉ bù")
    assert item_due_on(DEADLINE) == D(2026, 5, 5)


@pytest.fixture
def holiday_item(document, unit_b, board, office_user, head_b):
    return item_record(
        document=document, text="Báo cáo kết quả khắc phục.", lead=unit_b, deadline=DEADLINE, verifying_unit=board,
        by=office_user,
    )  # fmt: skip


def test_overdue_starts_the_day_after_the_due_date(holiday_item):
    assert holiday_item.deadline == DEADLINE and holiday_item.due_on == DUE
    items = FollowUpItem.objects.filter(pk=holiday_item.pk)
    for today, overdue in [(D(2026, 5, 1), False), (D(2026, 5, 4), False), (D(2026, 5, 5), True)]:
        assert holiday_item.is_overdue(today) is overdue, today
        assert items.overdue(today).exists() is overdue, today
        assert items.not_overdue(today).exists() is not overdue, today


def _settle(item, head, verifier, *, sent, accepted):
    with time_machine.travel(at(sent, 16), tick=False):
        item = item_save_response(item=item, by=head, response="Đã khắc phục.", expected_version=item.version)
        item = item_transition(item=item, action=StepAction.REPORT, by=head, claim=Claim.DONE)
    with time_machine.travel(at(accepted, 9), tick=False):
        return item_transition(item=item, action=StepAction.ACCEPT, by=verifier)


def test_reported_on_the_due_date_and_accepted_later_is_on_time(holiday_item, head_b, board_staff):
    item = _settle(holiday_item, head_b, board_staff, sent=D(2026, 5, 4), accepted=D(2026, 5, 6))
    assert item.completed_on == D(2026, 5, 4)
    assert item.closed_on_time is True
    items = FollowUpItem.objects.filter(pk=item.pk)
    assert items.settled_on_time().count() == 1 and items.settled_late().count() == 0
    assert items.closed_on_time().count() == 1
    assert not items.overdue(D(2026, 5, 20)).exists()  # closed: never overdue


def test_reported_the_day_after_is_late(holiday_item, head_b, board_staff):
    item = _settle(holiday_item, head_b, board_staff, sent=D(2026, 5, 5), accepted=D(2026, 5, 5))
    assert item.completed_on == D(2026, 5, 5)
    assert item.closed_on_time is False
    items = FollowUpItem.objects.filter(pk=item.pk)
    assert items.settled_late().count() == 1 and items.closed_late().count() == 1


def test_a_report_late_at_night_counts_on_its_local_day(holiday_item, head_b, board_staff):
    # 23:30 in Hải Dương on 4 May is 16:30 UTC the same day; 00:30 on 5 May is 17:30 UTC on 4 May.
    with time_machine.travel(datetime.datetime(2026, 5, 5, 0, 30, tzinfo=HANOI), tick=False):
        item = item_save_response(item=holiday_item, by=head_b, response="Xong.", expected_version=1)
        item = item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)
    item = item_transition(item=item, action=StepAction.ACCEPT, by=board_staff)
    assert item.completed_on == D(2026, 5, 5) and item.closed_on_time is False
