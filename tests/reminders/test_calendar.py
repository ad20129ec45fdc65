"""Working days (reminders/calendar.py) and due dates that move off weekends and
public holidays (reports.services.schedule_extend_periods)."""

import datetime

import pytest
from django.utils import translation

from directives.seed import hai_duong as seed
from directives.seed.loader import seed_load
from reminders.calendar import WorkingCalendar
from reminders.models import CalendarOverride, DayKind
from reports.models import ReportingSchedule
from reports.services import schedule_extend_periods
from tests.factories import ScheduleFactory

D = datetime.date


def days(start, end):
    """Every day from ``start`` to ``end``, both included."""
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.fixture
def package_calendar():
    """The `holidays` package alone, without any override from the database."""
    return WorkingCalendar(overrides={})


# --- the package's calendar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param(D(2025, 1, 27), D(2025, 2, 1), id="tet-2025"),
        pytest.param(D(2026, 2, 16), D(2026, 2, 20), id="tet-2026"),
    ],
)
def test_every_day_of_tet_is_a_day_off(package_calendar, first, last):
    assert [day for day in days(first, last) if package_calendar.is_working_day(day)] == []


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(D(2025, 4, 7), id="gio-to-2025"),
        pytest.param(D(2026, 4, 26), id="gio-to-2026-on-a-sunday"),
        pytest.param(D(2026, 4, 27), id="gio-to-2026-day-in-lieu"),
        pytest.param(D(2025, 4, 30), id="30-4-2025"),
        pytest.param(D(2025, 5, 1), id="1-5-2025"),
        pytest.param(D(2026, 4, 30), id="30-4-2026"),
        pytest.param(D(2026, 5, 1), id="1-5-2026"),
        pytest.param(D(2025, 9, 1), id="quoc-khanh-2025-eve"),
        pytest.param(D(2025, 9, 2), id="2-9-2025"),
        pytest.param(D(2026, 9, 2), id="2-9-2026"),
        pytest.param(D(2026, 1, 1), id="new-year-2026"),
    ],
)
def test_public_holidays_are_days_off(package_calendar, day):
    assert not package_calendar.is_working_day(day)
    assert package_calendar.holiday_name(day)


def test_weekends_are_days_off_and_weekdays_working_days(package_calendar):
    week = days(D(2025, 6, 16), D(2025, 6, 22))  # Monday to Sunday, no holiday
    assert [package_calendar.is_working_day(day) for day in week] == [True] * 5 + [False, False]


def test_tet_names_are_vietnamese(package_calendar):
    assert "Tết" in package_calendar.holiday_name(D(2025, 1, 29))
    assert package_calendar.holiday_name(D(2025, 6, 17)) is None


def test_package_swap_of_2025_makes_saturday_26_april_working_and_friday_2_may_off(package_calendar):
    assert package_calendar.is_working_day(D(2025, 4, 26))
    assert not package_calendar.is_working_day(D(2025, 5, 2))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2025, 6, 17), D(2025, 6, 17), id="working-day-is-itself"),
        pytest.param(D(2025, 6, 21), D(2025, 6, 23), id="saturday-to-monday"),
        pytest.param(D(2025, 1, 27), D(2025, 2, 3), id="tet-2025"),
        pytest.param(D(2026, 2, 16), D(2026, 2, 23), id="tet-2026"),
        pytest.param(D(2025, 4, 7), D(2025, 4, 8), id="gio-to-2025"),
        pytest.param(D(2026, 4, 26), D(2026, 4, 28), id="gio-to-2026-sunday-and-monday-off"),
        pytest.param(D(2025, 4, 30), D(2025, 5, 5), id="30-4-to-5-5-2025-over-the-swap"),
        pytest.param(D(2026, 4, 30), D(2026, 5, 4), id="30-4-2026"),
        pytest.param(D(2025, 9, 1), D(2025, 9, 3), id="quoc-khanh-2025"),
    ],
)
def test_next_working_day_skips_weekends_and_holidays(package_calendar, day, expected):
    assert package_calendar.next_working_day(day) == expected


# --- overrides from the database -----------------------------------------------------------------


@pytest.fixture
def january_2026_swap(db):
    """An announced swap: work Saturday 10/01/2026, rest Friday 02/01/2026."""
    CalendarOverride.objects.create(day=D(2026, 1, 10), kind=DayKind.WORKING_DAY, note="Làm bù cho ngày 02/01")
    CalendarOverride.objects.create(day=D(2026, 1, 2), kind=DayKind.DAY_OFF, note="Nghỉ bù Tết Dương lịch")


def test_without_the_override_the_swap_days_are_ordinary(package_calendar):
    assert package_calendar.is_working_day(D(2026, 1, 2))
    assert not package_calendar.is_working_day(D(2026, 1, 10))
    assert package_calendar.next_working_day(D(2026, 1, 1)) == D(2026, 1, 2)


def test_configured_swap_changes_which_days_are_working_days(january_2026_swap):
    calendar = WorkingCalendar()

    assert calendar.is_working_day(D(2026, 1, 10))
    assert not calendar.is_working_day(D(2026, 1, 2))


def test_configured_swap_changes_the_next_working_day(january_2026_swap):
    calendar = WorkingCalendar()

    # 01/01 is New Year, 02/01 now a day off, then the weekend.
    assert calendar.next_working_day(D(2026, 1, 1)) == D(2026, 1, 5)
    # The worked Saturday is a working day in its own right.
    assert calendar.next_working_day(D(2026, 1, 10)) == D(2026, 1, 10)


def test_override_can_make_a_public_holiday_a_working_day(db):
    CalendarOverride.objects.create(day=D(2025, 4, 7), kind=DayKind.WORKING_DAY)

    assert WorkingCalendar().is_working_day(D(2025, 4, 7))


def test_calendar_override_reads_in_vietnamese(db):
    override = CalendarOverride.objects.create(day=D(2026, 1, 2), kind=DayKind.DAY_OFF)

    with translation.override("vi"):
        assert str(override) == "02/01/2026 · Ngày nghỉ"


# --- due dates of generated periods --------------------------------------------------------------

# (days after the 14th's cut-off, monthly period key, due date as computed, the working day it moves to)
DUE_DATES = [
    pytest.param(8, "2025-06", D(2025, 6, 22), D(2025, 6, 23), id="sunday"),
    pytest.param(14, "2025-01", D(2025, 1, 28), D(2025, 2, 3), id="tet-2025"),
    pytest.param(2, "2026-02", D(2026, 2, 16), D(2026, 2, 23), id="tet-2026"),
    pytest.param(24, "2025-03", D(2025, 4, 7), D(2025, 4, 8), id="gio-to-2025"),
    pytest.param(12, "2026-04", D(2026, 4, 26), D(2026, 4, 28), id="gio-to-2026"),
    pytest.param(16, "2025-04", D(2025, 4, 30), D(2025, 5, 5), id="30-4-2025"),
    pytest.param(17, "2025-04", D(2025, 5, 1), D(2025, 5, 5), id="1-5-2025"),
    pytest.param(17, "2026-04", D(2026, 5, 1), D(2026, 5, 4), id="1-5-2026"),
    pytest.param(19, "2025-08", D(2025, 9, 2), D(2025, 9, 3), id="2-9-2025"),
    pytest.param(18, "2025-12", D(2026, 1, 1), D(2026, 1, 2), id="new-year-2026"),
]


def monthly_schedule(due_days, *, move):
    return ScheduleFactory(
        name="Báo cáo tháng",
        monthly=True,
        semiannual=False,
        annual=False,
        cutoff_day=14,
        due_days_after_cutoff=due_days,
        move_to_working_day=move,
        starts_on=D(2025, 1, 1),
    )


def due_on(schedule, key):
    schedule_extend_periods(schedule=schedule, through=D(2026, 12, 31))
    return schedule.periods.get(key=key).due_on


@pytest.mark.django_db
@pytest.mark.parametrize(("due_days", "key", "computed", "working_day"), DUE_DATES)
def test_due_date_on_a_day_off_moves_to_the_next_working_day_when_the_rule_is_on(due_days, key, computed, working_day):
    assert due_on(monthly_schedule(due_days, move=True), key) == working_day


@pytest.mark.django_db
@pytest.mark.parametrize(("due_days", "key", "computed", "working_day"), DUE_DATES)
def test_due_date_on_a_day_off_stays_put_when_the_rule_is_off(due_days, key, computed, working_day):
    assert due_on(monthly_schedule(due_days, move=False), key) == computed


@pytest.mark.django_db
def test_due_date_on_a_working_day_does_not_move():
    assert due_on(monthly_schedule(5, move=True), "2025-06") == D(2025, 6, 19)


@pytest.mark.django_db
def test_due_date_on_the_package_swap_saturday_does_not_move():
    # Saturday 26/04/2025 is worked in exchange for Friday 02/05/2025.
    assert due_on(monthly_schedule(12, move=True), "2025-04") == D(2025, 4, 26)


def test_due_date_follows_a_configured_swap(january_2026_swap):
    # 01/01/2026 is New Year; 02/01 was made a day off, so the next working day is Monday 05/01.
    assert due_on(monthly_schedule(18, move=True), "2025-12") == D(2026, 1, 5)
    # The worked Saturday 10/01/2026 is a valid due date.
    assert due_on(monthly_schedule(27, move=True), "2025-12") == D(2026, 1, 10)


@pytest.mark.django_db
def test_extending_again_leaves_existing_due_dates_alone():
    """Rows already made are not moved when the calendar changes later."""
    schedule = monthly_schedule(8, move=True)
    schedule_extend_periods(schedule=schedule, through=D(2025, 12, 31))
    CalendarOverride.objects.create(day=D(2025, 6, 23), kind=DayKind.DAY_OFF)

    assert schedule_extend_periods(schedule=schedule, through=D(2025, 12, 31)) == []
    assert schedule.periods.get(key="2025-06").due_on == D(2025, 6, 23)


def test_seed_schedule_has_the_rule_on():
    assert seed.SCHEDULE["code"] == "sau-thang-va-nam"
    assert seed.SCHEDULE["move_to_working_day"] is True


@pytest.mark.django_db
def test_seed_schedule_moves_sunday_due_dates_to_monday(settings):
    settings.REPORTING_CUTOFF_DAY = 14
    settings.REPORTING_DUE_DAYS_AFTER_CUTOFF = 5
    seed_load(today=D(2024, 3, 1))

    schedule = ReportingSchedule.objects.get(code="sau-thang-va-nam")
    assert schedule.move_to_working_day
    due = dict(schedule.periods.values_list("key", "due_on"))
    # 19/12/2021 and 19/06/2022 were Sundays; 19/06/2024 a Wednesday.
    assert due["2021"] == D(2021, 12, 20)
    assert due["2022-H1"] == D(2022, 6, 20)
    assert due["2024-H1"] == D(2024, 6, 19)
