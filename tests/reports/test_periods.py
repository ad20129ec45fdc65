"""Reporting periods per Nghị định 09/2019: the pure window arithmetic, and the
service that turns it into rows."""

import datetime

import pytest

from reports.models import ReportingPeriod, ReportingSchedule
from reports.periods import PeriodSpec, schedule_period_specs
from reports.services import schedule_extend_periods
from tests.factories import ScheduleFactory

D = datetime.date
NEW_YEAR_2024 = D(2024, 1, 1)


def make_schedule(*, starts_on=NEW_YEAR_2024, ends_on=None, cutoff_day=14, due_days_after_cutoff=5, **kinds):
    """An unsaved schedule: period arithmetic needs no database."""
    return ReportingSchedule(
        code="test",
        name="Thử nghiệm",
        starts_on=starts_on,
        ends_on=ends_on,
        cutoff_day=cutoff_day,
        due_days_after_cutoff=due_days_after_cutoff,
        **kinds,
    )


def by_key(specs):
    return {spec.key: spec for spec in specs}


class TestMonthly:
    def test_month_runs_from_the_15th_of_the_previous_month_to_the_14th(self):
        specs = by_key(schedule_period_specs(make_schedule(monthly=True), through=D(2024, 12, 31)))
        assert specs["2024-03"] == PeriodSpec("monthly", "2024-03", D(2024, 2, 15), D(2024, 3, 14), D(2024, 3, 19))
        assert specs["2024-12"] == PeriodSpec("monthly", "2024-12", D(2024, 11, 15), D(2024, 12, 14), D(2024, 12, 19))

    def test_january_starts_in_december_of_the_previous_year(self):
        specs = by_key(schedule_period_specs(make_schedule(monthly=True), through=D(2024, 12, 31)))
        assert specs["2024-01"] == PeriodSpec("monthly", "2024-01", D(2023, 12, 15), D(2024, 1, 14), D(2024, 1, 19))
        # Its December start falls before `through`, so next January is already listed.
        assert specs["2025-01"] == PeriodSpec("monthly", "2025-01", D(2024, 12, 15), D(2025, 1, 14), D(2025, 1, 19))

    def test_february_window_in_a_leap_year(self):
        specs = by_key(schedule_period_specs(make_schedule(monthly=True), through=D(2024, 3, 31)))
        assert (specs["2024-03"].starts_on, specs["2024-03"].ends_on) == (D(2024, 2, 15), D(2024, 3, 14))

    def test_windows_are_contiguous(self):
        specs = schedule_period_specs(make_schedule(monthly=True), through=D(2025, 12, 31))
        for earlier, later in zip(specs, specs[1:], strict=False):
            assert later.starts_on == earlier.ends_on + datetime.timedelta(days=1)

    def test_through_includes_windows_starting_on_or_before_it(self):
        schedule = make_schedule(monthly=True)
        assert [s.key for s in schedule_period_specs(schedule, through=D(2024, 2, 14))] == ["2024-01", "2024-02"]
        assert [s.key for s in schedule_period_specs(schedule, through=D(2024, 2, 15))] == [
            "2024-01",
            "2024-02",
            "2024-03",
        ]


class TestQuarterly:
    def test_quarter_runs_from_the_15th_of_the_month_before_to_the_14th_of_its_last_month(self):
        specs = schedule_period_specs(make_schedule(quarterly=True), through=D(2024, 12, 1))
        assert specs == [
            PeriodSpec("quarterly", "2024-Q1", D(2023, 12, 15), D(2024, 3, 14), D(2024, 3, 19)),
            PeriodSpec("quarterly", "2024-Q2", D(2024, 3, 15), D(2024, 6, 14), D(2024, 6, 19)),
            PeriodSpec("quarterly", "2024-Q3", D(2024, 6, 15), D(2024, 9, 14), D(2024, 9, 19)),
            PeriodSpec("quarterly", "2024-Q4", D(2024, 9, 15), D(2024, 12, 14), D(2024, 12, 19)),
        ]


class TestSixMonthlyAndAnnual:
    def test_first_half_and_year_with_an_annual_report(self):
        specs = schedule_period_specs(make_schedule(semiannual=True, annual=True), through=D(2024, 12, 1))
        assert specs == [
            PeriodSpec("semiannual", "2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19)),
            PeriodSpec("annual", "2024", D(2023, 12, 15), D(2024, 12, 14), D(2024, 12, 19)),
        ]

    def test_second_half_is_reported_only_without_an_annual_report(self):
        specs = schedule_period_specs(make_schedule(semiannual=True), through=D(2024, 12, 1))
        assert specs == [
            PeriodSpec("semiannual", "2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19)),
            PeriodSpec("semiannual", "2024-H2", D(2024, 6, 15), D(2024, 12, 14), D(2024, 12, 19)),
        ]

    def test_annual_runs_from_15_december_to_14_december(self):
        specs = schedule_period_specs(make_schedule(annual=True), through=D(2025, 12, 1))
        assert specs == [
            PeriodSpec("annual", "2024", D(2023, 12, 15), D(2024, 12, 14), D(2024, 12, 19)),
            PeriodSpec("annual", "2025", D(2024, 12, 15), D(2025, 12, 14), D(2025, 12, 19)),
        ]

    def test_no_kind_chosen_gives_no_periods(self):
        assert schedule_period_specs(make_schedule(), through=D(2030, 1, 1)) == []


class TestSettings:
    def test_due_days_after_cutoff_set_the_due_date(self):
        schedule = make_schedule(semiannual=True, annual=True, due_days_after_cutoff=10)
        specs = by_key(schedule_period_specs(schedule, through=D(2024, 12, 1)))
        assert specs["2024-H1"].due_on == D(2024, 6, 24)
        assert specs["2024"].due_on == D(2024, 12, 24)

    def test_zero_due_days_makes_the_cutoff_day_the_due_date(self):
        specs = schedule_period_specs(make_schedule(annual=True, due_days_after_cutoff=0), through=D(2024, 1, 1))
        assert specs[0].due_on == specs[0].ends_on == D(2024, 12, 14)

    def test_due_date_can_fall_in_the_next_year(self):
        schedule = make_schedule(annual=True, due_days_after_cutoff=20)
        assert schedule_period_specs(schedule, through=D(2024, 1, 1))[0].due_on == D(2025, 1, 3)

    def test_cutoff_day_moves_every_window(self):
        schedule = make_schedule(monthly=True, quarterly=True, cutoff_day=20)
        specs = by_key(schedule_period_specs(schedule, through=D(2024, 3, 31)))
        assert specs["2024-01"] == PeriodSpec("monthly", "2024-01", D(2023, 12, 21), D(2024, 1, 20), D(2024, 1, 25))
        assert specs["2024-Q1"] == PeriodSpec("quarterly", "2024-Q1", D(2023, 12, 21), D(2024, 3, 20), D(2024, 3, 25))

    def test_cutoff_on_the_28th_works_in_february(self):
        schedule = make_schedule(monthly=True, cutoff_day=28, starts_on=D(2023, 1, 1))
        specs = by_key(schedule_period_specs(schedule, through=D(2023, 3, 31)))
        assert (specs["2023-03"].starts_on, specs["2023-03"].ends_on) == (D(2023, 3, 1), D(2023, 3, 28))
        assert (specs["2023-02"].starts_on, specs["2023-02"].ends_on) == (D(2023, 1, 29), D(2023, 2, 28))


class TestScheduleDates:
    def test_windows_ending_before_the_schedule_starts_are_left_out(self):
        schedule = make_schedule(monthly=True, starts_on=D(2024, 3, 1))
        keys = [s.key for s in schedule_period_specs(schedule, through=D(2024, 4, 30))]
        # 2024-03 (15/02 → 14/03) overlaps the schedule's first day; 2024-02 ended before it.
        assert keys == ["2024-03", "2024-04", "2024-05"]

    def test_windows_starting_after_the_schedule_ends_are_left_out(self):
        schedule = make_schedule(monthly=True, starts_on=D(2024, 3, 1), ends_on=D(2024, 5, 31))
        keys = [s.key for s in schedule_period_specs(schedule, through=D(2030, 1, 1))]
        # 2024-06 (15/05 → 14/06) still covers the schedule's last fortnight.
        assert keys == ["2024-03", "2024-04", "2024-05", "2024-06"]

    def test_schedule_end_clips_the_annual_report_too(self):
        schedule = make_schedule(semiannual=True, annual=True, starts_on=D(2021, 7, 1), ends_on=D(2023, 12, 10))
        keys = [s.key for s in schedule_period_specs(schedule, through=D(2030, 1, 1))]
        assert keys == ["2021", "2022-H1", "2022", "2023-H1", "2023"]

    def test_schedule_starting_after_the_december_cutoff_begins_with_the_next_years_windows(self):
        schedule = make_schedule(semiannual=True, annual=True, starts_on=D(2024, 12, 20))
        keys = [s.key for s in schedule_period_specs(schedule, through=D(2025, 1, 10))]
        # The 2024 report (15/12/2023 → 14/12/2024) ended before the schedule began.
        assert keys == ["2025-H1", "2025"]


class TestOrdering:
    def test_periods_are_sorted_by_due_date_then_key(self):
        schedule = make_schedule(monthly=True, quarterly=True, semiannual=True, annual=True)
        specs = schedule_period_specs(schedule, through=D(2024, 12, 14))
        assert specs == sorted(specs, key=lambda spec: (spec.due_on, spec.key))
        keys = [spec.key for spec in specs]
        assert keys[:5] == ["2024-01", "2024-02", "2024-03", "2024-Q1", "2024-04"]
        # Same due date: ordered by key.
        assert keys[keys.index("2024-06") :][:3] == ["2024-06", "2024-H1", "2024-Q2"]
        assert keys[-4:] == ["2024-11", "2024", "2024-12", "2024-Q4"]
        assert len(keys) == 12 + 4 + 1 + 1

    def test_due_dates_never_go_backwards(self):
        schedule = make_schedule(monthly=True, quarterly=True, annual=True, due_days_after_cutoff=3)
        due = [spec.due_on for spec in schedule_period_specs(schedule, through=D(2026, 6, 30))]
        assert due == sorted(due)


@pytest.mark.django_db
class TestExtendPeriods:
    def test_creates_the_schedules_periods(self):
        schedule = ScheduleFactory(starts_on=D(2024, 1, 1), cutoff_day=14, due_days_after_cutoff=5)
        created = schedule_extend_periods(schedule=schedule, through=D(2024, 12, 31))
        assert [period.key for period in created] == ["2024-H1", "2024", "2025-H1", "2025"]
        stored = ReportingPeriod.objects.get(schedule=schedule, key="2024-H1")
        assert (stored.kind, stored.starts_on, stored.ends_on, stored.due_on) == (
            "semiannual",
            D(2023, 12, 15),
            D(2024, 6, 14),
            D(2024, 6, 19),
        )

    def test_second_run_creates_nothing(self):
        schedule = ScheduleFactory()
        schedule_extend_periods(schedule=schedule, through=D(2025, 6, 30))
        before = list(ReportingPeriod.objects.order_by("pk").values())
        assert schedule_extend_periods(schedule=schedule, through=D(2025, 6, 30)) == []
        assert list(ReportingPeriod.objects.order_by("pk").values()) == before

    def test_only_missing_periods_are_added(self):
        schedule = ScheduleFactory()
        schedule_extend_periods(schedule=schedule, through=D(2024, 12, 31))
        ReportingPeriod.objects.filter(schedule=schedule, key="2024").delete()
        created = schedule_extend_periods(schedule=schedule, through=D(2024, 12, 31))
        assert [period.key for period in created] == ["2024"]
        assert schedule.periods.count() == 4

    def test_extending_further_adds_only_the_later_periods(self):
        schedule = ScheduleFactory()
        schedule_extend_periods(schedule=schedule, through=D(2024, 6, 30))
        created = schedule_extend_periods(schedule=schedule, through=D(2025, 12, 31))
        assert [period.key for period in created] == ["2025-H1", "2025", "2026-H1", "2026"]
        assert schedule.periods.count() == 6

    def test_periods_edited_by_an_administrator_are_left_alone(self):
        schedule = ScheduleFactory()
        schedule_extend_periods(schedule=schedule, through=D(2024, 6, 30))
        ReportingPeriod.objects.filter(schedule=schedule, key="2024-H1").update(due_on=D(2024, 6, 30))
        schedule_extend_periods(schedule=schedule, through=D(2025, 6, 30))
        assert schedule.periods.get(key="2024-H1").due_on == D(2024, 6, 30)

    def test_other_schedules_are_not_touched(self):
        first, second = ScheduleFactory(), ScheduleFactory(monthly=True, semiannual=False, annual=False)
        schedule_extend_periods(schedule=first, through=D(2024, 12, 31))
        assert second.periods.count() == 0


def test_no_period_starts_after_the_last_start_given():
    schedule = make_schedule(semiannual=True, annual=True, starts_on=D(2021, 7, 1))
    specs = schedule_period_specs(schedule, through=D(2027, 12, 31), last_start=D(2026, 12, 14))
    assert max(spec.starts_on for spec in specs) <= D(2026, 12, 14)
    assert {"2026-H1", "2026"} <= {spec.key for spec in specs}
    assert not any(spec.key.startswith("2027") for spec in specs)
