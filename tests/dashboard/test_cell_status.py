"""A matrix cell agrees with what it opens (issue #11, item 7): over a range
of periods a unit's cell shows the status that needs attention first, overdue
before late before on time before not yet due, with how many of its expected
reports are in it, never only the last period's status."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.figures import figures_build
from dashboard.measures import Counts, ReportStatus
from dashboard.states import attention_status
from reports.models import ReportState
from tests.dashboard.test_figures import at, file_report
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    PeriodFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
)

D = datetime.date
ACCEPTED, SUBMITTED = ReportState.ACCEPTED, ReportState.SUBMITTED


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (Counts(expected=3, received=2, on_time=2, overdue=1), (ReportStatus.OVERDUE, 1)),
        (Counts(expected=3, received=1, on_time=1, overdue=1, awaiting=1), (ReportStatus.OVERDUE, 1)),
        (Counts(expected=3, received=3, on_time=1, late=2), (ReportStatus.LATE, 2)),
        (Counts(expected=3, received=2, on_time=2, awaiting=1), (ReportStatus.ON_TIME, 2)),
        (Counts(expected=2, awaiting=2), (ReportStatus.AWAITING, 2)),
        (Counts(), (None, 0)),
    ],
)
def test_a_range_shows_the_status_that_needs_attention_first(counts, expected):
    assert attention_status(counts) == expected


@pytest.fixture
def world(db):
    """One unit, one task, three half-year periods (grace 0): 2024-H1 never
    filed, 2024-H2 on time (70 %), 2025-H1 not yet due on 01/06/2025."""
    directive = DirectiveFactory()
    task = TaskFactory(directive=directive, number=1)
    schedule = ScheduleFactory(grace_days=0)
    windows = [
        ("2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19)),
        ("2024-H2", D(2024, 6, 15), D(2024, 12, 14), D(2024, 12, 19)),
        ("2025-H1", D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19)),
    ]
    periods = [PeriodFactory(schedule=schedule, key=k, starts_on=s, ends_on=e, due_on=d) for k, s, e, d in windows]
    province = UnitFactory(code="province", level=1)
    unit = UnitFactory(code="a", name="Huyện ủy A", parent=province)
    assignment = AssignmentFactory(task=task, unit=unit, schedule=schedule, role="lead")
    file_report(assignment, periods[1], ACCEPTED, D(2024, 12, 18), pct=70)
    return directive, periods, unit, task


def cell_of(directive, periods, unit, task, as_of):
    figures = figures_build(directive=directive, periods=periods, as_of=as_of)
    return figures.cells[unit.pk, task.pk]


def test_an_overdue_report_earlier_in_the_range_outranks_a_later_one_on_time(world):
    directive, periods, unit, task = world
    cell = cell_of(directive, periods[:2], unit, task, D(2025, 6, 1))
    assert cell.last.status == ReportStatus.ON_TIME  # what the cell used to show
    assert (cell.status, cell.status_count, cell.counts.expected) == (ReportStatus.OVERDUE, 1, 2)
    assert cell.days_overdue == (D(2025, 6, 1) - D(2024, 6, 19)).days


def test_a_period_not_yet_due_does_not_hide_an_overdue_one(world):
    directive, periods, unit, task = world
    cell = cell_of(directive, periods, unit, task, D(2025, 6, 1))
    assert cell.last.status == ReportStatus.AWAITING  # what the cell used to show
    assert (cell.status, cell.status_count, cell.counts.expected) == (ReportStatus.OVERDUE, 1, 3)


def test_late_outranks_on_time_and_on_time_outranks_not_yet_due(world):
    directive, periods, unit, task = world
    assignment = unit.assignments.get()
    file_report(assignment, periods[0], SUBMITTED, at(D(2024, 7, 1)), pct=30)  # twelve days late
    cell = cell_of(directive, periods, unit, task, D(2025, 6, 1))
    assert (cell.status, cell.status_count) == (ReportStatus.LATE, 1)
    cell = cell_of(directive, periods[1:], unit, task, D(2025, 6, 1))
    assert (cell.status, cell.status_count) == (ReportStatus.ON_TIME, 1)


def test_the_matrix_cell_reads_like_its_drill_down(world, committee_user, time_machine):
    directive, periods, unit, task = world
    time_machine.move_to(datetime.datetime(2025, 6, 1, 10, tzinfo=datetime.UTC), tick=False)
    client = Client()
    client.force_login(committee_user)
    query = {"directive": directive.pk, "start": "2024-H1", "end": "2025-H1"}
    page = client.get(reverse("dashboard"), query).content.decode()
    cell = page.split('data-unit="a"')[1].split("</tr>")[0]
    assert "Quá hạn 347 ngày" in cell and "1/3 báo cáo" in cell
    assert "Chưa đến hạn" not in cell and "Đúng hạn" not in cell
    rows = client.get(reverse("dashboard_figure_rows"), {**query, "unit": unit.pk, "scope": "own", "task": task.pk})
    assert "Quá hạn 347 ngày" in rows.content.decode()
