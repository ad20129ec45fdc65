"""The reminder sweep (reminders/services.py) and `send_reminders`: what is sent
to whom and when, exactly once, on small data built with factories."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from notifications.models import EmailStatus, Notification, NotificationKind, NotificationPreference
from reminders.models import CalendarOverride, DayKind, Reminder, ReminderKind, ReminderPolicy, ReminderStatus
from reminders.services import _deliver_new, _plan_directive, policy_for, reminder_deliver, reminders_sweep
from reports.models import ReportState, TransitionAction
from reports.workflow import report_transition
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    UnitFactory,
    UserFactory,
)

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DUE = D(2025, 6, 19)  # a Thursday


def at(day, hour=9, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def days(start, end):
    """Every day from ``start`` to ``end``, both included."""
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def timezone_date(moment):
    return moment.astimezone(TZ).date()


def sweep(moment):
    """One sweep as the beat task runs it: no arguments, the clock at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return reminders_sweep()


def sent_to(kind):
    """{username: count} of the notifications of ``kind``."""
    counts = {}
    for name in Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True):
        counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.fixture
def reviewing_unit(province):
    return UnitFactory(code="vptu", name="Văn phòng Tỉnh ủy (thử)", kind="advisory_body", parent=province)


@pytest.fixture
def reviewing_head(reviewing_unit):
    return MembershipFactory(user=UserFactory(username="head-vptu"), unit=reviewing_unit, role="head").user


@pytest.fixture
def viewer_a(unit_a):
    return MembershipFactory(user=UserFactory(username="viewer-a"), unit=unit_a, role="viewer").user


@pytest.fixture
def people(reporter_a, head_a, viewer_a, reporter_b, office_user, reviewing_head):
    """Everybody who could be told something."""


@pytest.fixture
def directive(task):
    return task.directive


@pytest.fixture
def make_period(schedule):
    def make(due_on=DUE, **fields):
        ends_on = due_on - datetime.timedelta(days=5)
        fields.setdefault("key", f"{ends_on.year}-H1")
        return PeriodFactory(
            schedule=schedule,
            kind="semiannual",
            starts_on=D(ends_on.year - 1, 12, 15),
            ends_on=ends_on,
            due_on=due_on,
            **fields,
        )

    return make


@pytest.fixture
def period(make_period):
    """First six months of 2025: data until 14/06, due Thursday 19/06/2025."""
    return make_period()


@pytest.fixture
def assignment(task, unit_a, schedule, reviewing_unit, people):
    return AssignmentFactory(task=task, unit=unit_a, schedule=schedule, reviewing_unit=reviewing_unit)


def run_command(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def sent_rows(kind=None):
    rows = Reminder.objects.filter(status=ReminderStatus.SENT).order_by("sent_at", "kind")
    if kind:
        rows = rows.filter(kind=kind)
    return [(row.kind, row.offset) for row in rows]


# --- due soon ------------------------------------------------------------------------------------


def test_due_soon_reminder_goes_once_to_the_units_reporters_and_heads(assignment, period):
    result = sweep(at(D(2025, 6, 12)))  # 7 days before the due date

    assert (result.planned, result.sent, result.skipped, result.waiting) == (1, 1, 0, 0)
    # Not the viewer, not the other unit, not the office.
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    assert Notification.objects.count() == 2
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.offset, reminder.status, reminder.recipients) == (
        ReminderKind.DUE_SOON,
        7,
        ReminderStatus.SENT,
        2,
    )
    assert reminder.sent_at == at(D(2025, 6, 12))
    assert reminder.due_at == at(D(2025, 6, 12), 7, 30)
    item = Notification.objects.get(recipient__username="reporter-a")
    assert (item.assignment, item.period, item.report) == (assignment, period, None)
    assert item.get_absolute_url() == f"/assignments/{assignment.pk}/periods/{period.pk}/report/"


def test_second_sweep_sends_nothing_more(assignment, period):
    sweep(at(D(2025, 6, 12), 9))

    again = sweep(at(D(2025, 6, 12), 9, 15))
    next_day = sweep(at(D(2025, 6, 13)))  # 6 days left: still the 7-day reminder

    assert (again.sent, next_day.sent) == (0, 0)
    assert Notification.objects.count() == 2
    assert Reminder.objects.count() == 1


def test_daily_sweeps_send_each_due_soon_step_once(assignment, period):
    for day in days(D(2025, 6, 5), DUE):
        sweep(at(day))

    assert sent_rows() == [(ReminderKind.DUE_SOON, offset) for offset in (7, 3, 1, 0)]
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 4, "head-a": 4}
    assert not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()


def test_a_saved_policy_sets_the_days_before(directive, assignment, period):
    ReminderPolicy.objects.create(directive=directive, days_before="2")

    assert sweep(at(D(2025, 6, 12))).planned == 0
    assert sweep(at(D(2025, 6, 17))).sent == 1
    assert sent_rows() == [(ReminderKind.DUE_SOON, 2)]


# --- the sending window and working days ---------------------------------------------------------

NEXT_FRIDAY = D(2025, 6, 27)  # due a week after Friday 20/06/2025

# (due date, a sweep that may not send, the next sweep that may, a day made a day off)
BLOCKED = [
    pytest.param(NEXT_FRIDAY, at(D(2025, 6, 20), 7, 0), at(D(2025, 6, 20), 8, 0), None, id="before-send-from"),
    pytest.param(NEXT_FRIDAY, at(D(2025, 6, 20), 17, 30), at(D(2025, 6, 23), 8, 0), None, id="after-send-until"),
    pytest.param(NEXT_FRIDAY, at(D(2025, 6, 21)), at(D(2025, 6, 23)), None, id="saturday"),
    pytest.param(NEXT_FRIDAY, at(D(2025, 6, 22)), at(D(2025, 6, 23)), None, id="sunday"),
    pytest.param(D(2026, 2, 27), at(D(2026, 2, 20)), at(D(2026, 2, 23)), None, id="tet-2026"),
    pytest.param(D(2025, 2, 7), at(D(2025, 1, 31)), at(D(2025, 2, 3)), None, id="tet-2025"),
    pytest.param(NEXT_FRIDAY, at(D(2025, 6, 20)), at(D(2025, 6, 23)), D(2025, 6, 20), id="override-day-off"),
]


@pytest.mark.parametrize(("due_on", "blocked", "allowed", "day_off"), BLOCKED)
def test_sweep_that_may_not_send_records_the_reminder_and_the_next_allowed_sweep_sends_it_once(
    assignment, make_period, due_on, blocked, allowed, day_off
):
    if day_off:
        CalendarOverride.objects.create(day=day_off, kind=DayKind.DAY_OFF, note="Nghỉ bù")
    make_period(due_on=due_on)

    result = sweep(blocked)

    assert result.sent == 0
    assert not Notification.objects.exists()
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.offset, reminder.status) == (ReminderKind.DUE_SOON, 7, ReminderStatus.PENDING)

    assert sweep(allowed).sent == 1
    assert sweep(allowed + datetime.timedelta(hours=1)).sent == 0
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == (ReminderStatus.SENT, allowed)


def test_sweep_after_the_window_counts_what_waits(assignment, make_period):
    make_period(due_on=NEXT_FRIDAY)

    result = sweep(at(D(2025, 6, 20), 17, 0))  # the window ends at 17:00, exclusive

    assert (result.planned, result.sent, result.waiting) == (1, 0, 1)


def test_the_policys_own_window_is_used(directive, assignment, make_period):
    ReminderPolicy.objects.create(directive=directive, send_from=datetime.time(13, 0), send_until=datetime.time(15, 0))
    make_period(due_on=NEXT_FRIDAY)

    assert sweep(at(D(2025, 6, 20), 9)).sent == 0
    assert sweep(at(D(2025, 6, 20), 13, 30)).sent == 1


def test_policy_that_sends_on_any_day_sends_on_a_saturday(directive, assignment, make_period):
    ReminderPolicy.objects.create(directive=directive, working_days_only=False)
    make_period(due_on=NEXT_FRIDAY)

    assert sweep(at(D(2025, 6, 21))).sent == 1


def test_saturday_made_a_working_day_by_an_override_may_send(assignment, make_period):
    CalendarOverride.objects.create(day=D(2025, 6, 21), kind=DayKind.WORKING_DAY, note="Làm bù")
    make_period(due_on=NEXT_FRIDAY)

    assert sweep(at(D(2025, 6, 21))).sent == 1


# --- who is not reminded -------------------------------------------------------------------------


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.ACCEPTED])
def test_units_that_submitted_are_not_reminded(assignment, period, task, unit_b, schedule, state):
    AssignmentFactory(task=task, unit=unit_b, schedule=schedule)
    ReportFactory(assignment=assignment, period=period, state=state)

    sweep(at(D(2025, 6, 12)))
    sweep(at(D(2025, 6, 27)))  # 8 days overdue

    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-b": 1}
    assert sent_to(NotificationKind.REMINDER_OVERDUE) == {"reporter-b": 1}
    assert not Reminder.objects.filter(assignment=assignment).exists()


def test_report_submitted_after_the_reminder_was_recorded_but_before_it_was_sent_is_not_reminded(
    assignment, period, reporter_a, head_a
):
    report = ReportFactory(assignment=assignment, period=period, created_by=reporter_a)
    sweep(at(D(2025, 6, 14)))  # Saturday: recorded, not sent
    with time_machine.travel(at(D(2025, 6, 15), 20), tick=False):
        report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)

    result = sweep(at(D(2025, 6, 16)))

    assert (result.sent, result.skipped) == (0, 1)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.note) == (ReminderStatus.SKIPPED, "reported before it was sent")
    assert not Notification.objects.filter(kind__startswith="reminder_").exists()


@pytest.mark.parametrize("state", [ReportState.DRAFT, ReportState.PENDING_SIGNOFF, ReportState.RETURNED])
def test_unfinished_report_still_gets_reminders(assignment, period, state):
    report = ReportFactory(assignment=assignment, period=period, state=state)

    sweep(at(D(2025, 6, 12)))
    sweep(at(D(2025, 6, 20)))

    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    assert sent_to(NotificationKind.REMINDER_OVERDUE) == {"reporter-a": 1, "head-a": 1}
    assert set(Notification.objects.values_list("report", flat=True)) == {report.pk}


def test_inactive_policy_sends_nothing(directive, assignment, period):
    ReminderPolicy.objects.create(directive=directive, is_active=False)

    for moment in (at(D(2025, 6, 12)), at(D(2025, 6, 20)), at(D(2025, 6, 30))):
        assert sweep(moment).planned == 0

    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_directive_not_in_force_is_not_swept(directive, assignment, period, status):
    directive.status = status
    directive.save()

    sweep(at(D(2025, 6, 12)))

    assert not Reminder.objects.exists()


def test_unit_closed_before_the_period_began_is_not_reminded(assignment, period, unit_a):
    unit_a.valid_to = D(2024, 11, 30)  # the period's data run from 15/12/2024
    unit_a.save()

    sweep(at(D(2025, 6, 12)))
    sweep(at(D(2025, 6, 27)))

    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()


def test_unit_opened_after_the_period_ended_is_not_reminded(assignment, period, unit_a):
    unit_a.valid_from = D(2025, 6, 15)  # the period's data end on 14/06/2025
    unit_a.save()

    sweep(at(D(2025, 6, 16)))

    assert not Reminder.objects.exists()


def test_inactive_user_is_not_reminded(assignment, period, head_a):
    head_a.is_active = False
    head_a.save()

    sweep(at(D(2025, 6, 12)))

    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1}
    assert Reminder.objects.get().recipients == 1


# --- superseded rows -----------------------------------------------------------------------------


def test_pending_reminder_superseded_by_a_later_one_is_skipped(assignment, period):
    sweep(at(D(2025, 6, 14)))  # Saturday, 5 days left: the 7-day reminder waits

    result = sweep(at(D(2025, 6, 16)))  # Monday, 3 days left

    assert (result.sent, result.skipped) == (1, 1)
    stale = Reminder.objects.get(offset=7)
    assert (stale.status, stale.note) == (ReminderStatus.SKIPPED, "superseded by a later reminder")
    assert sent_rows() == [(ReminderKind.DUE_SOON, 3)]
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}


def test_due_soon_reminder_still_waiting_when_the_due_date_passes_is_not_sent_late(assignment, make_period):
    make_period(due_on=D(2025, 6, 21))  # a Saturday; this schedule does not move due dates

    for day in days(D(2025, 6, 20), D(2025, 6, 23)):
        sweep(at(day))

    # Monday, 2 days overdue: the overdue reminder, not also the "due today" one from Saturday.
    assert sent_rows() == [(ReminderKind.DUE_SOON, 1), (ReminderKind.OVERDUE, 1)]
    stale = Reminder.objects.get(kind=ReminderKind.DUE_SOON, offset=0)
    assert stale.status == ReminderStatus.SKIPPED
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    assert sent_to(NotificationKind.REMINDER_OVERDUE) == {"reporter-a": 1, "head-a": 1}


# --- overdue and escalation ----------------------------------------------------------------------


def test_overdue_reminders_repeat_every_3_days(assignment, period):
    for day in days(D(2025, 6, 20), D(2025, 7, 1)):
        sweep(at(day))

    overdue = Reminder.objects.filter(kind=ReminderKind.OVERDUE, status=ReminderStatus.SENT).order_by("sent_at")
    # Offset 10 fell due on Sunday 29/06 and went out on Monday.
    assert [(row.offset, timezone_date(row.sent_at)) for row in overdue] == [
        (1, D(2025, 6, 20)),
        (4, D(2025, 6, 23)),
        (7, D(2025, 6, 26)),
        (10, D(2025, 6, 30)),
    ]
    assert sent_to(NotificationKind.REMINDER_OVERDUE) == {"reporter-a": 4, "head-a": 4}


def test_overdue_every_0_reminds_only_once(directive, assignment, period):
    ReminderPolicy.objects.create(directive=directive, overdue_every_days=0)

    for day in days(D(2025, 6, 20), D(2025, 7, 10)):
        sweep(at(day))

    assert sent_rows(ReminderKind.OVERDUE) == [(ReminderKind.OVERDUE, 1)]


def test_escalation_after_7_days_overdue_goes_to_unit_heads_reviewing_heads_and_office(assignment, period):
    sweep(at(D(2025, 6, 25)))  # 6 days overdue
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER_ESCALATION).exists()

    for day in days(D(2025, 6, 26), D(2025, 7, 10)):
        sweep(at(day))

    assert sent_to(NotificationKind.REMINDER_ESCALATION) == {"head-a": 1, "head-vptu": 1, "office": 1}
    escalation = Reminder.objects.get(kind=ReminderKind.ESCALATION)
    assert (escalation.offset, escalation.recipients, timezone_date(escalation.sent_at)) == (7, 3, D(2025, 6, 26))


def test_escalate_after_0_never_escalates(directive, assignment, period):
    ReminderPolicy.objects.create(directive=directive, escalate_after_days=0)

    for day in days(D(2025, 6, 20), D(2025, 7, 10)):
        sweep(at(day))

    assert not Reminder.objects.filter(kind=ReminderKind.ESCALATION).exists()
    assert Reminder.objects.filter(kind=ReminderKind.OVERDUE).exists()


def test_escalation_email_stays_individual_for_readers_of_the_daily_digest(assignment, period, head_a, office_user):
    for user in (head_a, office_user):
        NotificationPreference.objects.create(user=user, email_mode="digest")

    sweep(at(D(2025, 6, 26)))

    escalations = Notification.objects.filter(kind=NotificationKind.REMINDER_ESCALATION)
    assert {(n.recipient.username, n.email_status, n.in_digest) for n in escalations} == {
        ("head-a", EmailStatus.PENDING, False),
        ("office", EmailStatus.PENDING, False),
        ("head-vptu", EmailStatus.PENDING, False),
    }
    # The same head's ordinary overdue reminder waits for the digest.
    overdue = Notification.objects.filter(kind=NotificationKind.REMINDER_OVERDUE)
    assert {(n.recipient.username, n.email_status) for n in overdue} == {
        ("head-a", EmailStatus.DIGEST),
        ("reporter-a", EmailStatus.PENDING),
    }


# --- waiting for review --------------------------------------------------------------------------


def test_review_waiting_reminder_goes_to_the_office_once_per_submission(assignment, period, head_a, office_user):
    report = ReportFactory(assignment=assignment, period=period)
    with time_machine.travel(at(D(2025, 6, 18), 9), tick=False):  # Wednesday
        report = report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)

    sweep(at(D(2025, 6, 23), 8, 59))  # not yet 5 days
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER_REVIEW_WAITING).exists()

    sweep(at(D(2025, 6, 23), 9, 30))
    sweep(at(D(2025, 6, 24), 9))
    assert sent_to(NotificationKind.REMINDER_REVIEW_WAITING) == {"office": 1}
    item = Notification.objects.get(kind=NotificationKind.REMINDER_REVIEW_WAITING)
    assert item.report == report
    assert item.get_absolute_url() == f"/reports/{report.pk}/"
    first_version = report.version

    # Returned and submitted again: a new submission waits again.
    with time_machine.travel(at(D(2025, 6, 24), 10), tick=False):
        report = report_transition(
            report=report, action=TransitionAction.RETURN, by=office_user, reason="Bổ sung số liệu."
        )
    with time_machine.travel(at(D(2025, 6, 25), 9), tick=False):
        report = report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)

    sweep(at(D(2025, 6, 27), 9))
    assert sent_to(NotificationKind.REMINDER_REVIEW_WAITING) == {"office": 1}
    sweep(at(D(2025, 6, 30), 9, 30))
    sweep(at(D(2025, 7, 1), 9))

    assert sent_to(NotificationKind.REMINDER_REVIEW_WAITING) == {"office": 2}
    rows = Reminder.objects.filter(kind=ReminderKind.REVIEW_WAITING).order_by("sent_at")
    assert [(row.offset, row.status) for row in rows] == [
        (first_version, ReminderStatus.SENT),
        (report.version, ReminderStatus.SENT),
    ]


def test_accepted_report_gets_no_review_waiting_reminder(assignment, period, head_a, office_user):
    report = ReportFactory(assignment=assignment, period=period)
    with time_machine.travel(at(D(2025, 6, 18), 7), tick=False):
        report = report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)
    sweep(at(D(2025, 6, 23), 7, 15))  # 5 days on, before the window: recorded, not sent
    with time_machine.travel(at(D(2025, 6, 23), 7, 20), tick=False):
        report_transition(report=report, action=TransitionAction.ACCEPT, by=office_user)

    sweep(at(D(2025, 6, 23), 9, 30))

    assert not Notification.objects.filter(kind=NotificationKind.REMINDER_REVIEW_WAITING).exists()
    assert Reminder.objects.get(kind=ReminderKind.REVIEW_WAITING).status == ReminderStatus.SKIPPED


# --- send_reminders ------------------------------------------------------------------------------


@pytest.fixture
def assignment_b(task, unit_b, schedule, reporter_b):
    return AssignmentFactory(task=task, unit=unit_b, schedule=schedule)


def test_dry_run_prints_per_unit_in_vietnamese_and_writes_nothing(assignment, assignment_b, period):
    output = run_command("--dry-run", "--now", "2025-06-12T09:00:00+07:00")

    assert output.startswith("Rà soát nhắc việc lúc 12/06/2025 09:00 (chạy thử, không gửi gì)")
    for unit in ("Huyện ủy Gia Lộc (thử)", "Huyện ủy Tứ Kỳ (thử)"):
        assert f"\n{unit}\n  - Nhiệm vụ 1, 6 tháng đầu năm 2025: Sắp đến hạn báo cáo (hạn 19/06/2025, " in output
    assert output.count("7 ngày) → sẽ gửi ngay") == 2
    assert "Đã lập 2, đã gửi 0, bỏ qua 0, chờ khung giờ gửi 0." in output
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()


def test_dry_run_outside_the_window_says_it_would_wait(assignment, period):
    output = run_command("--dry-run", "--now", "2025-06-14T09:00:00+07:00")  # Saturday

    assert "→ chờ đến khung giờ gửi" in output
    assert not Reminder.objects.exists()


def test_dry_run_after_a_real_sweep_has_nothing_to_send(assignment, period):
    sweep(at(D(2025, 6, 12)))

    output = run_command("--dry-run", "--now", "2025-06-12T10:00:00+07:00")

    assert "Không có nhắc việc nào cần gửi." in output
    assert Notification.objects.count() == 2


def test_send_reminders_sends_for_real(assignment, period):
    output = run_command("--now", "2025-06-12T09:00:00+07:00")

    assert "(gửi thật)" in output
    assert "Huyện ủy Gia Lộc (thử)\n  - Nhiệm vụ 1, 6 tháng đầu năm 2025: Sắp đến hạn báo cáo" in output
    assert "→ đã gửi" in output
    assert "Đã lập 1, đã gửi 1, bỏ qua 0, chờ khung giờ gửi 0." in output
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    assert Reminder.objects.get().status == ReminderStatus.SENT


def test_send_reminders_reads_a_time_without_zone_as_local_time(assignment, period):
    # 07:00 in Hà Nội is before the window (it would be 14:00 if read as UTC).
    output = run_command("--now", "2025-06-12T07:00:00")

    assert "Rà soát nhắc việc lúc 12/06/2025 07:00" in output
    assert not Notification.objects.exists()
    assert Reminder.objects.get().status == ReminderStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["tomorrow", "12/06/2025 09:00", "2025-02-30T09:00:00"])
def test_send_reminders_with_a_bad_now_is_a_command_error(value):
    with pytest.raises(CommandError, match="ISO 8601"):
        run_command("--now", value)


# --- parallel sweeps -----------------------------------------------------------------------------


def test_delivering_the_same_pending_row_twice_sends_one_set_of_notifications(assignment, period):
    sweep(at(D(2025, 6, 12), 17, 30))  # after the window: recorded, not sent
    # Two sweeps both read the pending row before either delivers it.
    first_copy, second_copy = Reminder.objects.get(), Reminder.objects.get()

    outcomes = [
        reminder_deliver(reminder=first_copy, now=at(D(2025, 6, 13))),
        reminder_deliver(reminder=second_copy, now=at(D(2025, 6, 13))),
    ]

    assert outcomes == ["sent", "taken"]
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    assert Reminder.objects.get().recipients == 2


def test_delivering_twice_a_row_no_longer_owed_skips_it_once(assignment, period):
    sweep(at(D(2025, 6, 12), 17, 30))
    first_copy, second_copy = Reminder.objects.get(), Reminder.objects.get()
    ReportFactory(assignment=assignment, period=period, state=ReportState.SUBMITTED)

    outcomes = [
        reminder_deliver(reminder=first_copy, now=at(D(2025, 6, 13))),
        reminder_deliver(reminder=second_copy, now=at(D(2025, 6, 13))),
    ]

    assert outcomes == ["skipped", "taken"]
    assert not Notification.objects.exists()


def planned_at(directive, moment):
    """What a sweep at ``moment`` plans: rows not yet in the ledger."""
    with time_machine.travel(moment, tick=False):
        return _plan_directive(directive, policy_for(directive), moment, timezone_date(moment))


def test_two_sweeps_that_planned_the_same_new_reminder_send_it_once(directive, assignment, period):
    moment = at(D(2025, 6, 13))
    # Both sweeps planned before either wrote the ledger: the row is new to both.
    first, second = planned_at(directive, moment), planned_at(directive, moment)
    assert [row.kind for row in first] == [ReminderKind.DUE_SOON]

    outcomes = [outcome for _row, outcome in _deliver_new(first, moment) + _deliver_new(second, moment)]

    assert outcomes == ["sent", "taken"]
    assert sent_to(NotificationKind.REMINDER_DUE_SOON) == {"reporter-a": 1, "head-a": 1}
    row = Reminder.objects.get()
    assert (row.status, row.recipients, row.sent_at) == (ReminderStatus.SENT, 2, moment)
    assert first[0].pk == row.pk and second[0].pk is None


def test_a_new_reminder_reported_before_it_was_sent_is_written_skipped_once(directive, assignment, period):
    moment = at(D(2025, 6, 13))
    first, second = planned_at(directive, moment), planned_at(directive, moment)
    ReportFactory(assignment=assignment, period=period, state=ReportState.SUBMITTED)

    outcomes = [outcome for _row, outcome in _deliver_new(first, moment) + _deliver_new(second, moment)]

    assert outcomes == ["skipped", "taken"]
    assert not Notification.objects.exists()
    row = Reminder.objects.get()
    assert (row.status, row.note, row.sent_at) == (ReminderStatus.SKIPPED, "reported before it was sent", None)


# --- added with the fixes for early submissions and closed units ------------------------------------


def test_report_submitted_long_before_its_due_date_still_reminds_the_office(
    assignment, make_period, head_a, office_user
):
    # Due in December, submitted in May: the review wait is measured from the submission.
    period = make_period(due_on=D(2025, 12, 19), key="2025")
    report = ReportFactory(assignment=assignment, period=period)
    with time_machine.travel(at(D(2025, 5, 5), 9), tick=False):  # Monday
        report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)

    sweep(at(D(2025, 5, 12), 9, 30))

    assert sent_to(NotificationKind.REMINDER_REVIEW_WAITING) == {"office": 1}


def test_unit_closed_before_the_reminder_day_is_not_chased(assignment, period, unit_a):
    # Open during the period, closed (merged away) before the due date.
    unit_a.valid_to = D(2025, 6, 10)
    unit_a.save()

    sweep(at(D(2025, 6, 16), 9))  # 3 days before the due date
    sweep(at(D(2025, 6, 27), 9))  # 8 days overdue

    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()


# --- queries ---------------------------------------------------------------------------------------


def test_a_sweep_takes_the_same_queries_for_three_units_as_for_thirty(task, schedule, province, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def units_owing(first, count):
        for number in range(first, first + count):
            unit = UnitFactory(code=f"q-{number}", parent=province)
            AssignmentFactory(task=task, unit=unit, schedule=schedule, reviewing_unit=province)
            MembershipFactory(user=UserFactory(username=f"q-reporter-{number}"), unit=unit, role="reporter")

    units_owing(0, 3)
    with CaptureQueriesContext(connection) as few, time_machine.travel(at(D(2025, 6, 12)), tick=False):
        assert reminders_sweep().sent == 3
    Reminder.objects.all().delete()
    Notification.objects.all().delete()
    units_owing(3, 27)
    with CaptureQueriesContext(connection) as many, time_machine.travel(at(D(2025, 6, 12)), tick=False):
        assert reminders_sweep().sent == 30
    # No query per assignment, unit or reminder (a field left out of the plan's would be one).
    assert len(many) == len(few)


def test_a_large_sweep_refreshes_the_ledgers_planner_statistics(task, schedule, province, period, monkeypatch):
    from django.db import connection

    from reminders import services

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")

    def reltuples():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Reminder._meta.db_table])
            return cursor.fetchone()[0]

    for number in range(4):
        unit = UnitFactory(code=f"s-{number}", parent=province)
        AssignmentFactory(task=task, unit=unit, schedule=schedule, reviewing_unit=province)
        MembershipFactory(user=UserFactory(username=f"s-reporter-{number}"), unit=unit, role="reporter")
    monkeypatch.setattr(services, "ANALYZE_AFTER", 5)
    assert sweep(at(D(2025, 6, 12))).sent == 4  # under the threshold: left to the server
    assert reltuples() != 4
    Reminder.objects.all().delete()
    monkeypatch.setattr(services, "ANALYZE_AFTER", 4)
    assert sweep(at(D(2025, 6, 12))).sent == 4
    assert reltuples() == 4  # the planner knows the rows the sweep wrote
