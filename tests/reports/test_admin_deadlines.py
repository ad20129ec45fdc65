"""Deadlines an administrator can set right (#11.8): the working-day choice on
every schedule, periods created when a schedule is saved, the directive's term
bounding its periods, calendar changes moving the due dates not yet passed,
ad hoc periods off non-working days, and the reminder policy on the
directive's page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboard.models import TallyState
from reminders.models import CalendarOverride, DayKind, ReminderPolicy
from reports.models import ReportingPeriod, ReportingSchedule
from reports.services import periods_realign_due_dates, schedule_extend_periods
from tests.admin_forms import change_form_data
from tests.factories import AssignmentFactory, ReportFactory, ScheduleFactory, TaskFactory, UnitFactory

D = datetime.date
TODAY = D(2026, 3, 2)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def admin_client(admin_user, client_for):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def quarterly_schedule(**fields):
    values = {"code": "quy", "name": "Báo cáo quý", "quarterly": True, "starts_on": D(2026, 1, 1), **fields}
    return ScheduleFactory(semiannual=False, annual=False, **values)


class TestScheduleAdmin:
    def test_new_schedule_form_offers_the_working_day_choice_checked(self, admin_client):
        form = admin_client.get(url(ReportingSchedule, "add")).context["adminform"].form
        assert "move_to_working_day" in form.fields
        assert form["move_to_working_day"].value() is True

    def test_saving_a_new_schedule_creates_its_periods_on_working_days_and_says_so(self, admin_client):
        page = admin_client.get(url(ReportingSchedule, "add"))
        assert "Saving the schedule creates its reporting periods" in page.content.decode()
        data = change_form_data(
            page, code="quy", name="Báo cáo quý", quarterly=True, starts_on=D(2026, 1, 1), move_to_working_day=True
        )
        response = admin_client.post(url(ReportingSchedule, "add"), data, follow=True)
        schedule = ReportingSchedule.objects.get(code="quy")
        dues = dict(schedule.periods.values_list("key", "due_on"))
        # 14/9 + 5 days and 14/12 + 5 days are Saturdays: moved to the Mondays.
        assert dues["2026-Q3"] == D(2026, 9, 21)
        assert dues["2026-Q4"] == D(2026, 12, 21)
        assert all(due.weekday() < 5 for due in dues.values())
        assert set(dues) == {f"{year}-Q{q}" for year in (2026, 2027) for q in (1, 2, 3, 4)} | {"2028-Q1"}
        assert any("reporting periods were created" in message for message in messages_of(response))

    def test_turning_the_working_day_choice_on_moves_only_periods_not_yet_due(self, admin_client):
        schedule = quarterly_schedule(move_to_working_day=False, starts_on=D(2025, 1, 1))
        schedule_extend_periods(schedule=schedule, through=D(2026, 12, 31))
        assert schedule.periods.get(key="2026-Q3").due_on == D(2026, 9, 19)  # a Saturday
        past = schedule.periods.get(key="2025-Q2")  # due 19/6/2025, already passed
        page = admin_client.get(url(ReportingSchedule, "change", schedule.pk))
        response = admin_client.post(
            url(ReportingSchedule, "change", schedule.pk), change_form_data(page, move_to_working_day=True), follow=True
        )
        assert schedule.periods.get(key="2026-Q3").due_on == D(2026, 9, 21)
        assert schedule.periods.get(pk=past.pk).due_on == past.due_on
        assert any("19/09/2026 → 21/09/2026" in message for message in messages_of(response))


class TestDirectiveTerm:
    @pytest.fixture
    def on_term(self, db):
        schedule = ScheduleFactory(code="sau-thang", starts_on=D(2021, 7, 1))
        task = TaskFactory(directive__term_ends_on=D(2026, 12, 14))
        AssignmentFactory(task=task, unit=UnitFactory(), schedule=schedule)
        return schedule, task.directive

    def test_no_period_starts_after_the_term_ends(self, on_term):
        schedule, _directive = on_term
        schedule_extend_periods(schedule=schedule, through=D(2028, 12, 31))
        keys = set(schedule.periods.values_list("key", flat=True))
        assert {"2021", "2026-H1", "2026"} <= keys
        assert not any(key.startswith(("2027", "2028")) for key in keys)
        assert not schedule.periods.filter(starts_on__gt=D(2026, 12, 14)).exists()

    def test_a_schedule_shared_with_an_open_ended_directive_keeps_going(self, on_term):
        schedule, _directive = on_term
        AssignmentFactory(task=TaskFactory(), unit=UnitFactory(), schedule=schedule)
        schedule_extend_periods(schedule=schedule, through=D(2027, 12, 31))
        assert schedule.periods.filter(key="2027").exists()

    def test_setting_the_term_in_the_admin_deletes_unused_periods_after_it_and_keeps_reported_ones(
        self, on_term, admin_client
    ):
        schedule, directive = on_term
        directive.term_ends_on = None
        directive.save()
        schedule_extend_periods(schedule=schedule, through=D(2027, 12, 31))
        reported = schedule.periods.get(key="2027-H1")
        ReportFactory(assignment=schedule.assignments.get(), period=reported)
        assert schedule.periods.filter(key="2027").exists()
        page = admin_client.get(url(type(directive), "change", directive.pk))
        response = admin_client.post(
            url(type(directive), "change", directive.pk),
            change_form_data(page, term_ends_on=D(2026, 12, 14)),
            follow=True,
        )
        assert response.status_code == 200
        assert not schedule.periods.filter(key="2027").exists()
        assert schedule.periods.filter(pk=reported.pk).exists()
        shown = " ".join(messages_of(response))
        assert "were deleted" in shown and "already have reports" in shown

    def test_directive_page_holds_its_reminder_policy_inline(self, on_term, admin_client):
        _schedule, directive = on_term
        ReminderPolicy.objects.create(directive=directive)
        page = admin_client.get(url(type(directive), "change", directive.pk))
        assert any(inline.formset.model is ReminderPolicy for inline in page.context["inline_admin_formsets"])
        response = admin_client.post(
            url(type(directive), "change", directive.pk),
            change_form_data(page, **{"reminder_policy-0-escalate_after_days": "10"}),
            follow=True,
        )
        assert response.status_code == 200
        assert ReminderPolicy.objects.get(directive=directive).escalate_after_days == 10


class TestCalendarOverrides:
    @pytest.fixture
    def periods(self, db):
        schedule = quarterly_schedule(starts_on=D(2025, 1, 1))
        schedule_extend_periods(schedule=schedule, through=D(2026, 12, 31))
        return schedule

    def test_an_added_day_off_moves_a_due_date_on_it_and_says_so(self, periods, admin_client):
        q2 = periods.periods.get(key="2026-Q2")
        assert q2.due_on == D(2026, 6, 19)  # a Friday
        page = admin_client.get(url(CalendarOverride, "add"))
        response = admin_client.post(
            url(CalendarOverride, "add"),
            change_form_data(page, day=D(2026, 6, 19), kind=DayKind.DAY_OFF, note="Nghỉ bù"),
            follow=True,
        )
        q2.refresh_from_db()
        assert q2.due_on == D(2026, 6, 22)
        assert any("19/06/2026 → 22/06/2026" in message for message in messages_of(response))

    def test_deleting_the_day_off_moves_the_due_date_back(self, periods, admin_client):
        override = CalendarOverride.objects.create(day=D(2026, 6, 19), kind=DayKind.DAY_OFF)
        periods_realign_due_dates(today=TODAY)
        assert periods.periods.get(key="2026-Q2").due_on == D(2026, 6, 22)
        admin_client.post(url(CalendarOverride, "delete", override.pk), {"post": "yes"})
        assert periods.periods.get(key="2026-Q2").due_on == D(2026, 6, 19)

    def test_bulk_deleting_overrides_moves_due_dates_too(self, periods, admin_client):
        override = CalendarOverride.objects.create(day=D(2026, 6, 19), kind=DayKind.DAY_OFF)
        periods_realign_due_dates(today=TODAY)
        admin_client.post(
            url(CalendarOverride, "changelist"),
            {"action": "delete_selected", "_selected_action": [override.pk], "post": "yes"},
        )
        assert periods.periods.get(key="2026-Q2").due_on == D(2026, 6, 19)

    def test_passed_and_hand_set_due_dates_are_left_alone(self, periods):
        passed = periods.periods.get(key="2025-Q4")  # due 19/12/2025
        hand_set = periods.periods.get(key="2026-Q2")
        hand_set.due_on, hand_set.nominal_due_on = D(2026, 6, 26), None
        hand_set.save()
        CalendarOverride.objects.create(day=passed.due_on, kind=DayKind.DAY_OFF)
        CalendarOverride.objects.create(day=D(2026, 6, 26), kind=DayKind.DAY_OFF)
        assert periods_realign_due_dates(today=TODAY) == []
        assert periods.periods.get(pk=passed.pk).due_on == passed.due_on
        assert periods.periods.get(pk=hand_set.pk).due_on == D(2026, 6, 26)

    def test_moving_due_dates_marks_the_dashboard_tallies_stale(self, periods):
        directive = AssignmentFactory(schedule=periods).task.directive
        TallyState.objects.create(directive=directive, built_on=TODAY, built_at=timezone.now(), is_stale=False)
        CalendarOverride.objects.create(day=D(2026, 6, 19), kind=DayKind.DAY_OFF)
        assert periods_realign_due_dates(today=TODAY)
        assert TallyState.objects.get(directive=directive).is_stale


class TestPeriodAdmin:
    def test_an_ad_hoc_due_date_on_a_weekend_moves_to_the_next_working_day(self, admin_client):
        schedule = quarterly_schedule()
        page = admin_client.get(url(ReportingPeriod, "add"))
        data = change_form_data(
            page,
            schedule=schedule.pk,
            kind="ad_hoc",
            key="dot-xuat-1",
            title="Báo cáo đột xuất",
            starts_on=D(2026, 2, 1),
            ends_on=D(2026, 3, 1),
            due_on=D(2026, 3, 7),  # a Saturday
        )
        response = admin_client.post(url(ReportingPeriod, "add"), data, follow=True)
        period = ReportingPeriod.objects.get(key="dot-xuat-1")
        assert (period.due_on, period.nominal_due_on) == (D(2026, 3, 9), D(2026, 3, 7))
        assert any("07/03/2026 is not a working day" in message for message in messages_of(response))

    def test_a_due_date_typed_on_a_periodic_period_is_kept_and_no_longer_follows_the_calendar(self, admin_client):
        schedule = quarterly_schedule()
        schedule_extend_periods(schedule=schedule, through=D(2026, 12, 31))
        q2 = schedule.periods.get(key="2026-Q2")
        page = admin_client.get(url(ReportingPeriod, "change", q2.pk))
        admin_client.post(url(ReportingPeriod, "change", q2.pk), change_form_data(page, due_on=D(2026, 6, 27)))
        q2.refresh_from_db()
        assert (q2.due_on, q2.nominal_due_on) == (D(2026, 6, 27), None)


def test_a_new_directive_gets_the_default_reminder_policy(admin_client):
    from directives.models import Directive

    page = admin_client.get(url(Directive, "add"))
    data = change_form_data(page, code="ct-moi", title="Về một việc mới", kind="chi_thi", status="in_force")
    admin_client.post(url(Directive, "add"), data)
    policy = ReminderPolicy.objects.get(directive__code="ct-moi")
    assert policy.days_before == "7, 3, 1, 0"


def test_the_nightly_job_drops_periods_past_a_term_that_came_with_a_later_assignment(db):
    from reminders.tasks import extend_reporting_periods

    schedule = ScheduleFactory(code="sau-thang", starts_on=D(2025, 7, 1))
    schedule_extend_periods(schedule=schedule, through=D(2027, 1, 31))
    assert schedule.periods.filter(key="2027").exists()
    AssignmentFactory(task=TaskFactory(directive__term_ends_on=D(2026, 12, 14)), schedule=schedule)
    extend_reporting_periods()
    assert not schedule.periods.filter(starts_on__gt=D(2026, 12, 14)).exists()
    assert schedule.periods.filter(key="2026").exists()
