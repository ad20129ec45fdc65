"""Reports: the database constraints that keep one report per assignment and
period, and how periods are named."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import override

from directives.models import Task
from reports.models import Assignment, ProgressReport, ReportingPeriod
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
)


@pytest.mark.django_db
class TestReportConstraints:
    def test_second_report_for_the_same_assignment_and_period_is_rejected(self, assignment_a):
        period = PeriodFactory(schedule=assignment_a.schedule)
        ReportFactory(assignment=assignment_a, period=period)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgressReport.objects.create(assignment=assignment_a, period=period)

    def test_same_assignment_reports_once_per_period(self, assignment_a):
        first = PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
        second = PeriodFactory(
            schedule=assignment_a.schedule,
            kind="annual",
            key="2024",
            ends_on=datetime.date(2024, 12, 14),
            due_on=datetime.date(2024, 12, 19),
        )
        ReportFactory(assignment=assignment_a, period=first)
        ReportFactory(assignment=assignment_a, period=second)
        assert assignment_a.reports.count() == 2

    def test_percent_complete_above_100_is_rejected(self, assignment_a):
        period = PeriodFactory(schedule=assignment_a.schedule)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgressReport.objects.create(assignment=assignment_a, period=period, percent_complete=101)

    def test_negative_percent_complete_is_rejected(self, assignment_a):
        period = PeriodFactory(schedule=assignment_a.schedule)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgressReport.objects.create(assignment=assignment_a, period=period, percent_complete=-1)

    @pytest.mark.parametrize("percent", [0, 100])
    def test_percent_complete_from_0_to_100_is_accepted(self, assignment_a, percent):
        period = PeriodFactory(schedule=assignment_a.schedule)
        report = ProgressReport.objects.create(assignment=assignment_a, period=period, percent_complete=percent)
        report.refresh_from_db()
        assert report.percent_complete == percent

    def test_percent_complete_cannot_be_raised_above_100_by_an_update(self, assignment_a):
        report = ReportFactory(assignment=assignment_a, percent_complete=50)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgressReport.objects.filter(pk=report.pk).update(percent_complete=150)
        report.refresh_from_db()
        assert report.percent_complete == 50


@pytest.mark.django_db
class TestAssignmentAndTaskConstraints:
    def test_second_assignment_of_a_task_to_the_same_unit_is_rejected(self, assignment_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.create(
                task=assignment_a.task, unit=assignment_a.unit, role="coordinating", schedule=assignment_a.schedule
            )

    def test_same_task_assigned_to_two_units_is_accepted(self, assignment_a, assignment_b):
        assert assignment_a.task.assignments.count() == 2

    def test_duplicate_task_number_in_a_directive_is_rejected(self):
        task = TaskFactory(number=3)
        with pytest.raises(IntegrityError), transaction.atomic():
            Task.objects.create(directive=task.directive, number=3, title="Trùng số", text="…")

    def test_same_task_number_in_another_directive_is_accepted(self):
        TaskFactory(number=3)
        TaskFactory(number=3, directive=DirectiveFactory())
        assert Task.objects.filter(number=3).count() == 2


@pytest.mark.django_db
class TestPeriodConstraints:
    def test_due_date_before_the_end_of_the_window_is_rejected(self):
        schedule = ScheduleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            PeriodFactory(schedule=schedule, ends_on=datetime.date(2024, 6, 14), due_on=datetime.date(2024, 6, 13))

    def test_due_on_the_last_day_of_the_window_is_accepted(self):
        period = PeriodFactory(ends_on=datetime.date(2024, 6, 14), due_on=datetime.date(2024, 6, 14))
        assert ReportingPeriod.objects.filter(pk=period.pk).exists()

    def test_window_ending_before_it_starts_is_rejected(self):
        schedule = ScheduleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            PeriodFactory(schedule=schedule, starts_on=datetime.date(2024, 6, 15), ends_on=datetime.date(2024, 6, 14))

    def test_same_key_twice_in_a_schedule_is_rejected(self):
        period = PeriodFactory(key="2024-H1")
        with pytest.raises(IntegrityError), transaction.atomic():
            PeriodFactory(schedule=period.schedule, key="2024-H1")

    def test_same_key_in_another_schedule_is_accepted(self):
        PeriodFactory(key="2024-H1")
        PeriodFactory(key="2024-H1")
        assert ReportingPeriod.objects.filter(key="2024-H1").count() == 2


@pytest.mark.django_db
class TestScheduleConstraints:
    @pytest.mark.parametrize("cutoff_day", [0, 29])
    def test_cutoff_day_outside_1_to_28_is_rejected(self, cutoff_day):
        with pytest.raises(IntegrityError), transaction.atomic():
            ScheduleFactory(cutoff_day=cutoff_day)

    def test_schedule_ending_on_its_first_day_is_rejected(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ScheduleFactory(starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 1, 1))


@pytest.mark.django_db
def test_unit_with_assignments_cannot_be_deleted():
    assignment = AssignmentFactory(unit=UnitFactory())
    with pytest.raises(ProtectedError), transaction.atomic():
        assignment.unit.delete()


def period(kind, key, title=""):
    return ReportingPeriod(kind=kind, key=key, title=title)


class TestPeriodLabel:
    @pytest.mark.parametrize(
        ("kind", "key", "label"),
        [
            ("monthly", "2024-03", "Month 03/2024"),
            ("monthly", "2025-01", "Month 01/2025"),
            ("quarterly", "2024-Q2", "Quarter 2/2024"),
            ("semiannual", "2024-H1", "First six months of 2024"),
            ("semiannual", "2024-H2", "Second half of 2024"),
            ("annual", "2024", "Year 2024"),
            ("ad_hoc", "2024-hop-tong-ket", "2024-hop-tong-ket"),
        ],
    )
    def test_label_names_the_period_by_kind_and_key(self, kind, key, label):
        with override("en"):
            assert period(kind, key).label == label
            assert str(period(kind, key)) == label

    def test_title_overrides_the_key(self):
        titled = period("ad_hoc", "2024-so-ket", title="Báo cáo sơ kết 3 năm thực hiện Chỉ thị")
        with override("en"):
            assert titled.label == "Báo cáo sơ kết 3 năm thực hiện Chỉ thị"
            assert str(titled) == "Báo cáo sơ kết 3 năm thực hiện Chỉ thị"
