"""The pure reminder rules (reminders/rules.py) under the default policy:
7, 3, 1 and 0 days before the due date; every 3 days while overdue; escalate
after 7 days overdue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reminders.models import ReminderKind, ReminderPolicy, parse_days
from reminders.rules import due_soon_offset, overdue_offset, owed_reminders

D = datetime.date
DUE = D(2025, 6, 19)
SOON, OVERDUE, ESCALATION = ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.ESCALATION

# days left until the due date (negative: days overdue) → [(kind, offset)] owed that day
EXPECTED = {
    10: [],
    9: [],
    8: [],
    7: [(SOON, 7)],
    6: [(SOON, 7)],
    5: [(SOON, 7)],
    4: [(SOON, 7)],
    3: [(SOON, 3)],
    2: [(SOON, 3)],
    1: [(SOON, 1)],
    0: [(SOON, 0)],
    -1: [(OVERDUE, 1)],
    -2: [(OVERDUE, 1)],
    -3: [(OVERDUE, 1)],
    -4: [(OVERDUE, 4)],
    -5: [(OVERDUE, 4)],
    -6: [(OVERDUE, 4)],
    -7: [(OVERDUE, 7), (ESCALATION, 7)],
    -8: [(OVERDUE, 7), (ESCALATION, 7)],
    -9: [(OVERDUE, 7), (ESCALATION, 7)],
    -10: [(OVERDUE, 10), (ESCALATION, 7)],
    -11: [(OVERDUE, 10), (ESCALATION, 7)],
    -12: [(OVERDUE, 10), (ESCALATION, 7)],
    -13: [(OVERDUE, 13), (ESCALATION, 7)],
    -14: [(OVERDUE, 13), (ESCALATION, 7)],
    -15: [(OVERDUE, 13), (ESCALATION, 7)],
    -16: [(OVERDUE, 16), (ESCALATION, 7)],
    -17: [(OVERDUE, 16), (ESCALATION, 7)],
    -18: [(OVERDUE, 16), (ESCALATION, 7)],
    -19: [(OVERDUE, 19), (ESCALATION, 7)],
    -20: [(OVERDUE, 19), (ESCALATION, 7)],
}


def owed(policy, days_left):
    today = DUE - datetime.timedelta(days=days_left)
    return owed_reminders(policy, DUE, today)


def kinds_and_offsets(policy, days_left):
    return [(kind, offset) for kind, offset, _day in owed(policy, days_left)]


def test_default_policy_is_7_3_1_0_days_before_every_3_days_overdue_escalating_after_7():
    policy = ReminderPolicy()

    assert policy.days_before_list == [7, 3, 1, 0]
    assert (policy.overdue_every_days, policy.escalate_after_days, policy.review_waiting_days) == (3, 7, 5)
    assert (policy.send_from, policy.send_until) == (datetime.time(7, 30), datetime.time(17, 0))
    assert policy.working_days_only and policy.is_active


@pytest.mark.parametrize("days_left", sorted(EXPECTED, reverse=True))
def test_default_policy_owes_these_reminders_on_each_day(days_left):
    assert kinds_and_offsets(ReminderPolicy(), days_left) == EXPECTED[days_left]


@pytest.mark.parametrize("days_left", sorted(EXPECTED, reverse=True))
def test_each_owed_reminder_fell_due_on_the_day_its_offset_names(days_left):
    for kind, offset, day in owed(ReminderPolicy(), days_left):
        if kind == SOON:
            assert day == DUE - datetime.timedelta(days=offset)
        else:
            assert day == DUE + datetime.timedelta(days=offset)
        assert day <= DUE - datetime.timedelta(days=days_left)  # never in the future


def test_late_sweep_owes_only_the_latest_due_soon_reminder_not_a_burst():
    # The 7-day sweep never ran; two days before the due date only the 3-day one is owed.
    assert kinds_and_offsets(ReminderPolicy(), 2) == [(SOON, 3)]


def test_late_sweep_while_overdue_owes_only_the_latest_overdue_reminder():
    # Nothing ran for twelve days after the due date: one overdue reminder and the escalation.
    assert kinds_and_offsets(ReminderPolicy(), -12) == [(OVERDUE, 10), (ESCALATION, 7)]


def test_overdue_every_0_reminds_only_once():
    policy = ReminderPolicy(overdue_every_days=0)

    overdue = {
        offset for days in range(-1, -21, -1) for kind, offset in kinds_and_offsets(policy, days) if kind == OVERDUE
    }
    assert overdue == {1}


def test_escalate_after_0_never_escalates():
    policy = ReminderPolicy(escalate_after_days=0)

    kinds = {kind for days in range(10, -21, -1) for kind, _offset in kinds_and_offsets(policy, days)}
    assert ESCALATION not in kinds
    assert OVERDUE in kinds


def test_custom_days_before_are_honoured():
    policy = ReminderPolicy(days_before="10, 5")

    assert kinds_and_offsets(policy, 11) == []
    assert kinds_and_offsets(policy, 10) == [(SOON, 10)]
    assert kinds_and_offsets(policy, 5) == [(SOON, 5)]
    # No reminder on the due date itself when 0 is not listed.
    assert kinds_and_offsets(policy, 0) == [(SOON, 5)]


def test_no_days_before_means_no_due_soon_reminder():
    policy = ReminderPolicy(days_before="")

    assert kinds_and_offsets(policy, 0) == []
    assert kinds_and_offsets(policy, -1) == [(OVERDUE, 1)]


@pytest.mark.parametrize(
    ("days_before", "days_left", "expected"),
    [
        ([7, 3, 1, 0], 8, None),
        ([7, 3, 1, 0], 7, 7),
        ([7, 3, 1, 0], 4, 7),
        ([7, 3, 1, 0], 0, 0),
        ([7, 3, 1, 0], -1, None),
    ],
)
def test_due_soon_offset(days_before, days_left, expected):
    assert due_soon_offset(days_before, days_left) == expected


@pytest.mark.parametrize(
    ("every", "days_overdue", "expected"),
    [(3, 0, None), (3, 1, 1), (3, 3, 1), (3, 4, 4), (1, 5, 5), (0, 1, 1), (0, 30, 1), (7, 15, 15), (7, 14, 8)],
)
def test_overdue_offset(every, days_overdue, expected):
    assert overdue_offset(every, days_overdue) == expected


# --- parse_days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7, 3, 1, 0", [7, 3, 1, 0]),
        ("0,1,3,7", [7, 3, 1, 0]),
        ("7; 3; 1", [7, 3, 1]),
        (" 14 , 7 , 7 ,", [14, 7]),
        ("60", [60]),
        ("", []),
    ],
)
def test_parse_days_reads_comma_separated_whole_numbers_largest_first(text, expected):
    assert parse_days(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bảy, ba", "Nhập số ngày là số nguyên, cách nhau bằng dấu phẩy, ví dụ 7, 3, 1, 0."),
        ("7 3", "Nhập số ngày là số nguyên, cách nhau bằng dấu phẩy, ví dụ 7, 3, 1, 0."),
        ("1.5", "Nhập số ngày là số nguyên, cách nhau bằng dấu phẩy, ví dụ 7, 3, 1, 0."),
        ("7, -1", "Mỗi số ngày phải từ 0 đến 60."),
        ("61", "Mỗi số ngày phải từ 0 đến 60."),
    ],
)
def test_parse_days_rejects_bad_input_with_a_vietnamese_message(text, message):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        parse_days(text)
    with translation.override("vi"):
        assert error.value.messages == [message]


def test_policy_form_validation_rejects_bad_days_before():
    policy = ReminderPolicy(days_before="7, 3, mười")

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        policy.clean_fields(exclude=["directive"])
    with translation.override("vi"):
        assert error.value.message_dict["days_before"] == [
            "Nhập số ngày là số nguyên, cách nhau bằng dấu phẩy, ví dụ 7, 3, 1, 0."
        ]
