"""The dashboard figures against a small case computed by hand (issue #5, items
9 and 10): counts and rates, the Government Office taxonomy, the weighted
progress, a merger part-way through the range, the series, local dates, and a
query count that does not grow with the data."""

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal
from functools import partial
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.figures import SERIES_MIN, figures_build
from dashboard.measures import MEASURES, Category, Counts, ReportStatus, Taxonomy, percent
from reports.models import ImplementationStatus, ReportState
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    SuccessionFactory,
    TaskFactory,
    UnitFactory,
)

D = datetime.date
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LEAD, COORDINATING = "lead", "coordinating"
IN_PROGRESS, COMPLETED = ImplementationStatus.IN_PROGRESS, ImplementationStatus.COMPLETED


def at(day, hour=9, minute=0):
    """A moment on ``day`` in Vietnamese local time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def file_report(assignment, period, state, submitted=None, *, status=IN_PROGRESS, pct=0):
    if isinstance(submitted, datetime.date) and not isinstance(submitted, datetime.datetime):
        submitted = at(submitted)
    return ReportFactory(
        assignment=assignment,
        period=period,
        state=state,
        submitted_at=submitted,
        implementation_status=status,
        percent_complete=pct,
    )


def half_years(schedule):
    """2024-H1, 2024-H2 and 2025-H1 with the Nghị định 09/2019 windows."""
    windows = [
        ("2024-H1", D(2023, 12, 15), D(2024, 6, 14), D(2024, 6, 19)),
        ("2024-H2", D(2024, 6, 15), D(2024, 12, 14), D(2024, 12, 19)),
        ("2025-H1", D(2024, 12, 15), D(2025, 6, 14), D(2025, 6, 19)),
    ]
    return tuple(
        PeriodFactory(schedule=schedule, key=key, starts_on=starts_on, ends_on=ends_on, due_on=due_on)
        for key, starts_on, ends_on, due_on in windows
    )


def counts_of(counts):
    return dataclasses.asdict(counts)


def rows_of(figures):
    """{(task number, owing unit code, period key): Expected}, asserting that no
    expected report is listed twice."""
    rows = {}
    for cell, row in figures.expected_rows():
        key = (cell.task.number, row.owing_unit.code, row.period.key)
        assert key not in rows, f"{key} counted twice"
        rows[key] = row
    return rows


def cell_keys(figures):
    return {
        (figures.units[unit_pk].code, figures.cells[unit_pk, task_pk].task.number) for unit_pk, task_pk in figures.cells
    }


# The small case, by hand.
#
# Schedule: six-monthly, grace 3 days. Periods (data window, due, last on-time day):
#   H1 = 2024-H1  15/12/2023–14/06/2024, due 19/06/2024, on time until 22/06/2024
#   H2 = 2024-H2  15/06/2024–14/12/2024, due 19/12/2024, on time until 22/12/2024
#   H3 = 2025-H1  15/12/2024–14/06/2025, due 19/06/2025, on time until 22/06/2025
# Units under the province:
#   A, B  open throughout
#   C, E  close 30/09/2024 and merge into M, which opens 01/10/2024 (inside H2)
#   F     closed 30/11/2023, before H1 started, no successor
#   G     opens 01/06/2024 (the last two weeks of H1)
#   N     opens 01/07/2024 (after H1)
# Task 1: A lead; B (deadline 01/12/2024), C, E, M, F co-ordinating.
# Task 2: B lead (deadline 30/11/2024); A (deadline 31/12/2024), G, N co-ordinating.
# Reports (submission dates local):
#   T1 A/H1 accepted 19/06 (due date)           in progress 40 %
#   T1 A/H2 submitted 19/12 23:30 (due date)    in progress 70 %
#   T1 B/H1 accepted 23/06 (one day past grace) in progress 20 %
#   T1 B/H2 returned (first sent 18/12)         in progress 50 % (not received)
#   T1 C/H1 submitted 22/06 (last grace day)    in progress 30 %
#   T1 C/H2 draft                               in progress 45 % (not received)
#   T1 E/H1 none;  T1 M/H2 submitted 20/12 (within grace), in progress 60 %
#   T2 A/H1 accepted 10/06 completed 100 %;  T2 A/H2 submitted 15/12 completed 100 %
#   T2 B/H1 accepted 19/06 in progress 50 %; T2 B/H2 submitted 20/12 completed 100 %
#   T2 G/H1 none;  T2 G/H2 awaiting sign-off 10 %;  T2 N/H2 none
@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.directive = DirectiveFactory()
    w.t1 = TaskFactory(directive=w.directive, number=1)
    w.t2 = TaskFactory(directive=w.directive, number=2)
    w.schedule = ScheduleFactory(grace_days=3)
    w.h1, w.h2, w.h3 = half_years(w.schedule)
    w.province = UnitFactory(code="province", name="Tỉnh ủy", level=1)
    unit = partial(UnitFactory, parent=w.province)
    w.a = unit(code="a", name="Huyện ủy A")
    w.b = unit(code="b", name="Huyện ủy B")
    w.c = unit(code="c", name="Huyện ủy C", valid_to=D(2024, 9, 30))
    w.e = unit(code="e", name="Huyện ủy E", valid_to=D(2024, 9, 30))
    w.m = unit(code="m", name="Huyện ủy M", valid_from=D(2024, 10, 1))
    w.f = unit(code="f", name="Huyện ủy F", valid_from=D(2020, 1, 1), valid_to=D(2023, 11, 30))
    w.g = unit(code="g", name="Huyện ủy G", valid_from=D(2024, 6, 1))
    w.n = unit(code="n", name="Huyện ủy N", valid_from=D(2024, 7, 1))
    SuccessionFactory(predecessor=w.c, successor=w.m)
    SuccessionFactory(predecessor=w.e, successor=w.m)
    assign = partial(AssignmentFactory, schedule=w.schedule)
    a1 = assign(task=w.t1, unit=w.a, role=LEAD)
    b1 = assign(task=w.t1, unit=w.b, role=COORDINATING, deadline=D(2024, 12, 1))
    c1 = assign(task=w.t1, unit=w.c, role=COORDINATING)
    assign(task=w.t1, unit=w.e, role=COORDINATING)
    m1 = assign(task=w.t1, unit=w.m, role=COORDINATING)
    assign(task=w.t1, unit=w.f, role=COORDINATING)
    a2 = assign(task=w.t2, unit=w.a, role=COORDINATING, deadline=D(2024, 12, 31))
    b2 = assign(task=w.t2, unit=w.b, role=LEAD, deadline=D(2024, 11, 30))
    g2 = assign(task=w.t2, unit=w.g, role=COORDINATING)
    assign(task=w.t2, unit=w.n, role=COORDINATING)
    S, A, R = ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED
    w.reports = {
        "T1 A/H1": file_report(a1, w.h1, A, D(2024, 6, 19), pct=40),
        "T1 A/H2": file_report(a1, w.h2, S, at(D(2024, 12, 19), 23, 30), pct=70),
        "T1 B/H1": file_report(b1, w.h1, A, D(2024, 6, 23), pct=20),
        "T1 B/H2": file_report(b1, w.h2, R, D(2024, 12, 18), pct=50),
        "T1 C/H1": file_report(c1, w.h1, S, D(2024, 6, 22), pct=30),
        "T1 C/H2": file_report(c1, w.h2, ReportState.DRAFT, pct=45),
        "T1 M/H2": file_report(m1, w.h2, S, D(2024, 12, 20), pct=60),
        "T2 A/H1": file_report(a2, w.h1, A, D(2024, 6, 10), status=COMPLETED, pct=100),
        "T2 A/H2": file_report(a2, w.h2, S, D(2024, 12, 15), status=COMPLETED, pct=100),
        "T2 B/H1": file_report(b2, w.h1, A, D(2024, 6, 19), pct=50),
        "T2 B/H2": file_report(b2, w.h2, S, D(2024, 12, 20), status=COMPLETED, pct=100),
        "T2 G/H2": file_report(g2, w.h2, ReportState.PENDING_SIGNOFF, pct=10),
    }
    return w


def build(w, *periods, as_of):
    return figures_build(directive=w.directive, periods=list(periods), as_of=as_of)


@pytest.fixture
def spanning(world):
    """2024-H1 to 2024-H2, seen on 21/12/2024: H1 is past its grace, H2 is within it."""
    return build(world, world.h2, world.h1, as_of=D(2024, 12, 21))


# --- expected, received and the rest -------------------------------------------------------------


def test_expected_reports_are_one_per_open_unit_and_period(spanning):
    # T1: A H1,H2 · B H1,H2 · C H1 · E H1 · M H2 (C's and E's H2 owed once, by M) = 7
    # T2: A H1,H2 · B H1,H2 · G H1,H2 · N H2 = 7;  F (closed before H1) owes nothing.
    assert set(rows_of(spanning)) == {
        (1, "a", "2024-H1"), (1, "a", "2024-H2"), (1, "b", "2024-H1"), (1, "b", "2024-H2"),
        (1, "c", "2024-H1"), (1, "e", "2024-H1"), (1, "m", "2024-H2"),
        (2, "a", "2024-H1"), (2, "a", "2024-H2"), (2, "b", "2024-H1"), (2, "b", "2024-H2"),
        (2, "g", "2024-H1"), (2, "g", "2024-H2"), (2, "n", "2024-H2"),
    }  # fmt: skip
    assert spanning.total.counts.expected == 14


def test_counts_per_task_and_in_total_match_the_hand_count(spanning):
    task1, task2 = spanning.by_task
    # T1 received: A/H1 A/H2 B/H1 C/H1 M/H2 = 5; on time A/H1 A/H2 C/H1 M/H2 = 4; late B/H1;
    # overdue E/H1; awaiting B/H2 (returned, H2 still within grace); accepted A/H1 B/H1.
    assert counts_of(task1.block.counts) == {
        "expected": 7, "received": 5, "on_time": 4, "late": 1,
        "overdue": 1, "awaiting": 1, "accepted": 2, "returned": 1,
    }  # fmt: skip
    # T2 received: A/H1 A/H2 B/H1 B/H2, all on time; overdue G/H1; awaiting G/H2 (awaiting
    # sign-off is not received) and N/H2; accepted A/H1 B/H1.
    assert counts_of(task2.block.counts) == {
        "expected": 7, "received": 4, "on_time": 4, "late": 0,
        "overdue": 1, "awaiting": 2, "accepted": 2, "returned": 0,
    }  # fmt: skip
    assert counts_of(spanning.total.counts) == {
        "expected": 14, "received": 9, "on_time": 8, "late": 1,
        "overdue": 2, "awaiting": 3, "accepted": 4, "returned": 1,
    }  # fmt: skip


def test_rates_are_percentages_with_one_decimal(spanning):
    task1, task2 = spanning.by_task
    assert task1.block.counts.reporting_rate == Decimal("71.4")  # 5 / 7 = 71.43 %
    assert task1.block.counts.on_time_rate == Decimal("57.1")  # 4 / 7 = 57.14 %
    assert task2.block.counts.reporting_rate == Decimal("57.1")  # 4 / 7
    assert task2.block.counts.on_time_rate == Decimal("57.1")  # 4 / 7
    assert spanning.total.counts.reporting_rate == Decimal("64.3")  # 9 / 14 = 64.29 %
    assert spanning.total.counts.on_time_rate == Decimal("57.1")  # 8 / 14 = 57.14 %


def test_percent_rounds_half_up_caps_at_100_and_is_none_when_nothing_is_expected():
    assert percent(1, 16) == Decimal("6.3")  # 6.25 rounds up, not to even
    assert percent(2, 3) == Decimal("66.7")
    assert percent(7, 7) == Decimal("100.0")
    assert percent(9, 7) == Decimal("100.0")
    assert percent(0, 5) == Decimal("0.0")
    assert percent(0, 0) is None


def test_report_status_is_judged_against_the_due_date_plus_grace(spanning):
    rows = rows_of(spanning)
    assert rows[1, "a", "2024-H1"].status == ReportStatus.ON_TIME  # on the due date 19/06
    assert rows[1, "c", "2024-H1"].status == ReportStatus.ON_TIME  # 22/06, the last grace day
    assert rows[1, "b", "2024-H1"].status == ReportStatus.LATE  # 23/06, one day past the grace
    assert rows[1, "m", "2024-H2"].status == ReportStatus.ON_TIME  # 20/12, one day after due, within grace
    assert rows[1, "a", "2024-H2"].status == ReportStatus.ON_TIME  # 23:30 local on the due date


def test_a_missing_report_is_overdue_once_the_grace_has_passed_and_awaiting_before(spanning):
    rows = rows_of(spanning)
    # E/H1: nothing filed; 21/12/2024 - 22/06/2024 = 182 days past the last on-time day.
    assert (rows[1, "e", "2024-H1"].status, rows[1, "e", "2024-H1"].days_overdue) == (ReportStatus.OVERDUE, 182)
    assert rows[2, "g", "2024-H1"].status == ReportStatus.OVERDUE
    # H2's grace runs to 22/12: nothing received yet is still awaited, whatever its state.
    assert rows[2, "n", "2024-H2"].status == ReportStatus.AWAITING  # nothing filed
    assert rows[2, "g", "2024-H2"].status == ReportStatus.AWAITING  # awaiting the head's sign-off
    assert rows[1, "b", "2024-H2"].status == ReportStatus.AWAITING  # returned for correction
    assert rows[1, "b", "2024-H2"].days_overdue == 0


def test_the_day_after_the_grace_a_report_not_received_is_overdue(world):
    figures = build(world, world.h2, as_of=D(2024, 12, 23))
    rows = rows_of(figures)
    assert (rows[1, "b", "2024-H2"].status, rows[1, "b", "2024-H2"].days_overdue) == (ReportStatus.OVERDUE, 1)
    assert rows[2, "n", "2024-H2"].status == ReportStatus.OVERDUE
    assert rows[2, "g", "2024-H2"].status == ReportStatus.OVERDUE


def test_a_returned_report_counts_as_returned_and_not_as_received(spanning, world):
    row = rows_of(spanning)[1, "b", "2024-H2"]
    assert row.report.pk == world.reports["T1 B/H2"].pk
    assert counts_of(row.counts) == {
        "expected": 1, "received": 0, "on_time": 0, "late": 0,
        "overdue": 0, "awaiting": 1, "accepted": 0, "returned": 1,
    }  # fmt: skip


def test_units_closed_before_the_range_owe_nothing(spanning, world):
    assert world.f.pk not in {unit_pk for unit_pk, _task in spanning.cells}
    assert not any(row.owing_unit == world.f for _cell, row in spanning.expected_rows())


def test_a_unit_open_for_part_of_a_period_owes_that_period(spanning):
    rows = rows_of(spanning)
    assert (2, "g", "2024-H1") in rows  # G opened 01/06/2024, two weeks before H1's data ends
    assert (2, "n", "2024-H1") not in rows  # N opened 01/07/2024, after H1
    assert (2, "n", "2024-H2") in rows
    assert (1, "c", "2024-H2") not in rows  # C was open in H2 until 30/09, but M owes H2 for it


# --- the Government Office taxonomy --------------------------------------------------------------


def test_each_assignment_falls_in_the_hand_computed_category(spanning):
    categories = {key: spanning.cells[cell_key].category for key, cell_key in _cells_by_code(spanning).items()}
    assert categories == {
        # latest A/H2 in progress, no deadline, the last report due (H2) on time
        ("a", 1): Category.IN_PROGRESS_ON_TIME,
        # deadline 01/12/2024 passed, still in progress
        ("b", 1): Category.IN_PROGRESS_OVERDUE,
        # C, E and M together: latest M/H2 in progress, the last report due (M/H2) on time
        ("m", 1): Category.IN_PROGRESS_ON_TIME,
        # first said completed in A/H1 (10/06/2024), before its deadline 31/12/2024
        ("a", 2): Category.COMPLETED_ON_TIME,
        # first said completed in B/H2 (20/12/2024), after its deadline 30/11/2024,
        # although that report itself was on time
        ("b", 2): Category.COMPLETED_LATE,
        # no report, no deadline, H1 missing
        ("g", 2): Category.IN_PROGRESS_OVERDUE,
        # owes only H2, which is not due yet, and has reported nothing
        ("n", 2): Category.NOT_YET_DUE,
    }


def test_taxonomy_sums_the_categories_per_task_and_in_total(spanning):
    task1, task2 = spanning.by_task
    assert task1.block.taxonomy.counts == {
        Category.COMPLETED_ON_TIME: 0, Category.COMPLETED_LATE: 0, Category.IN_PROGRESS_ON_TIME: 2,
        Category.IN_PROGRESS_OVERDUE: 1, Category.NOT_YET_DUE: 0,
    }  # fmt: skip
    assert task2.block.taxonomy.counts == {
        Category.COMPLETED_ON_TIME: 1, Category.COMPLETED_LATE: 1, Category.IN_PROGRESS_ON_TIME: 0,
        Category.IN_PROGRESS_OVERDUE: 1, Category.NOT_YET_DUE: 1,
    }  # fmt: skip
    assert [(value, count) for value, _label, count in spanning.total.taxonomy.items()] == [
        (Category.COMPLETED_ON_TIME, 1),
        (Category.COMPLETED_LATE, 1),
        (Category.IN_PROGRESS_ON_TIME, 2),
        (Category.IN_PROGRESS_OVERDUE, 2),
        (Category.NOT_YET_DUE, 1),
    ]
    assert spanning.total.taxonomy.total == len(spanning.cells) == 7


def _cells_by_code(figures):
    return {
        (figures.units[unit_pk].code, cell.task.number): (unit_pk, task_pk)
        for (unit_pk, task_pk), cell in figures.cells.items()
    }


def categories_by_code(figures):
    return {code: figures.cells[key].category for (code, _number), key in _cells_by_code(figures).items()}


@pytest.fixture
def completion(db):
    """One task, grace 3 days, seen on 23/12/2024 (a day after H2's last on-time day)."""
    w = SimpleNamespace(directive=DirectiveFactory())
    task = TaskFactory(directive=w.directive, number=1)
    schedule = ScheduleFactory(grace_days=3)
    w.h1, w.h2, _h3 = half_years(schedule)

    def unit_with(code, *reports, deadline=None):
        assignment = AssignmentFactory(task=task, unit=UnitFactory(code=code), schedule=schedule, deadline=deadline)
        for period, state, submitted, status in reports:
            file_report(assignment, period, state, submitted, status=status, pct=100 if status == COMPLETED else 50)

    S = ReportState.SUBMITTED
    h1_on_time = (w.h1, S, D(2024, 6, 19), IN_PROGRESS)
    unit_with("done-in-grace", h1_on_time, (w.h2, S, D(2024, 12, 22), COMPLETED))
    unit_with("done-late-first", (w.h1, S, D(2024, 6, 23), COMPLETED), (w.h2, S, D(2024, 12, 10), COMPLETED))
    unit_with("reopened", (w.h1, S, D(2024, 6, 19), COMPLETED), (w.h2, S, D(2024, 12, 10), IN_PROGRESS))
    unit_with("late-report-early-deadline", (w.h1, S, D(2024, 6, 25), COMPLETED), deadline=D(2024, 12, 31))
    unit_with("deadline-today", h1_on_time, (w.h2, S, D(2024, 12, 10), IN_PROGRESS), deadline=D(2024, 12, 23))
    unit_with("deadline-yesterday", h1_on_time, (w.h2, S, D(2024, 12, 10), IN_PROGRESS), deadline=D(2024, 12, 22))
    unit_with("h2-missing", h1_on_time)
    unit_with("h2-returned-completed", h1_on_time, (w.h2, ReportState.RETURNED, D(2024, 12, 10), COMPLETED))
    w.figures = figures_build(directive=w.directive, periods=[w.h1, w.h2], as_of=D(2024, 12, 23))
    return w


def test_without_a_deadline_completion_is_judged_against_the_period_where_it_was_first_reported(completion):
    categories = categories_by_code(completion.figures)
    # H2 says completed, sent 22/12 = H2's last grace day.
    assert categories["done-in-grace"] == Category.COMPLETED_ON_TIME
    # H1 first said completed, sent 23/06 = a day past H1's grace; the on-time H2 does not mend it.
    assert categories["done-late-first"] == Category.COMPLETED_LATE
    # H1 said completed, H2 says in progress again: the latest report decides.
    assert categories["reopened"] == Category.IN_PROGRESS_ON_TIME


def test_an_assignments_own_deadline_overrides_the_report_due_date(completion):
    categories = categories_by_code(completion.figures)
    # Completed in a report sent 25/06, late for H1 but before the deadline 31/12/2024.
    assert categories["late-report-early-deadline"] == Category.COMPLETED_ON_TIME
    # In progress with a deadline of today: not overdue until tomorrow.
    assert categories["deadline-today"] == Category.IN_PROGRESS_ON_TIME
    assert categories["deadline-yesterday"] == Category.IN_PROGRESS_OVERDUE


def test_a_missing_latest_report_makes_an_assignment_overdue_and_a_returned_one_does_not_complete_it(completion):
    categories = categories_by_code(completion.figures)
    assert categories["h2-missing"] == Category.IN_PROGRESS_OVERDUE
    # The returned H2 says completed, but only received reports count: H2 is missing.
    assert categories["h2-returned-completed"] == Category.IN_PROGRESS_OVERDUE


# --- weighted progress ---------------------------------------------------------------------------


def test_task_progress_is_the_weighted_average_of_the_latest_reported_percentages(spanning):
    task1, task2 = spanning.by_task
    # T1: A lead 2 x 70 (A/H2) + B 1 x 20 (B/H1; its H2 was returned) + M 1 x 60 (M/H2) = 220 over 4 = 55.0
    assert (task1.block.progress.weighted, task1.block.progress.weight) == (220, 4)
    assert task1.block.progress.value == Decimal("55.0")
    # T2: A 1 x 100 + B lead 2 x 100 + G 1 x 0 (nothing received) + N 1 x 0 = 300 over 5 = 60.0
    assert (task2.block.progress.weighted, task2.block.progress.weight) == (300, 5)
    assert task2.block.progress.value == Decimal("60.0")
    # All: 520 over 9 = 57.78
    assert spanning.total.progress.value == Decimal("57.8")


def test_progress_follows_the_directives_rule(world):
    world.directive.progress_lead_weight = 3
    world.directive.progress_coordinating_weight = 2
    world.directive.progress_missing_as_zero = False
    world.directive.save()
    figures = build(world, world.h1, world.h2, as_of=D(2024, 12, 21))
    task1, task2 = figures.by_task
    # T1: 3 x 70 + 2 x 20 + 2 x 60 = 370 over 3 + 2 + 2 = 7 -> 52.86
    assert (task1.block.progress.weighted, task1.block.progress.weight) == (370, 7)
    assert task1.block.progress.value == Decimal("52.9")
    # T2: 2 x 100 + 3 x 100 = 500 over 5; G and N, with nothing received, are left out.
    assert (task2.block.progress.weighted, task2.block.progress.weight) == (500, 5)
    assert task2.block.progress.value == Decimal("100.0")
    assert figures.total.progress.value == Decimal("72.5")  # 870 / 12


def test_progress_is_none_when_nobody_counts(world):
    world.directive.progress_missing_as_zero = False
    world.directive.save()
    figures = build(world, world.h3, as_of=D(2025, 6, 1))
    # N has never had a report received (G neither: its H2 awaits sign-off).
    n_cell = figures.cells[_cells_by_code(figures)["n", 2]]
    assert n_cell.progress.weight == 0
    assert n_cell.progress.value is None


# --- the merger ----------------------------------------------------------------------------------


def test_in_a_range_spanning_a_merger_the_predecessors_appear_under_the_successor(spanning, world):
    assert cell_keys(spanning) == {("a", 1), ("b", 1), ("m", 1), ("a", 2), ("b", 2), ("g", 2), ("n", 2)}
    assert spanning.merged_into == {world.m.pk: [world.c, world.e]}
    cell = spanning.cells[world.m.pk, world.t1.pk]
    assert [(row.owing_unit.code, row.period.key) for row in cell.expected] == [
        ("c", "2024-H1"),
        ("e", "2024-H1"),
        ("m", "2024-H2"),
    ]
    # C/H1 on time and M/H2 on time received, E/H1 missing.
    assert counts_of(cell.counts) == {
        "expected": 3, "received": 2, "on_time": 2, "late": 0,
        "overdue": 1, "awaiting": 0, "accepted": 0, "returned": 0,
    }  # fmt: skip


def test_in_the_changeover_period_the_report_is_owed_once_by_the_successor(spanning, world):
    h2_rows = [row for row in spanning.cells[world.m.pk, world.t1.pk].expected if row.period == world.h2]
    # C and E (open until 30/09) and M (from 01/10) all fall in H2: one report, owed by M,
    # and M's submitted report counts rather than C's draft.
    assert len(h2_rows) == 1
    assert h2_rows[0].owing_unit == world.m
    assert h2_rows[0].report.pk == world.reports["T1 M/H2"].pk


def test_a_merger_neither_counts_a_report_twice_nor_loses_one(spanning, world):
    rows = rows_of(spanning)  # fails on a duplicate
    assert len(rows) == sum(cell.counts.expected for cell in spanning.cells.values()) == 14
    for name in dataclasses.asdict(spanning.total.counts):
        assert sum(getattr(cell.counts, name) for cell in spanning.cells.values()) == getattr(
            spanning.total.counts, name
        )
    received = {r.pk for r in world.reports.values() if r.state in (ReportState.SUBMITTED, ReportState.ACCEPTED)}
    counted = {row.report.pk for row in rows.values() if row.report is not None and row.report.is_received}
    assert counted == received
    assert world.reports["T1 C/H1"].pk in counted  # filed by C before the merger


def test_a_range_before_the_merger_shows_the_predecessors_as_themselves(world):
    figures = build(world, world.h1, as_of=D(2024, 7, 1))
    assert cell_keys(figures) == {("a", 1), ("b", 1), ("c", 1), ("e", 1), ("a", 2), ("b", 2), ("g", 2)}
    assert figures.merged_into == {}
    assert [row.owing_unit for row in figures.cells[world.c.pk, world.t1.pk].expected] == [world.c]
    # 01/07 - 22/06 = 9 days
    assert figures.cells[world.e.pk, world.t1.pk].expected[0].days_overdue == 9
    # T1 A on time, B late, C on time, E overdue; T2 A, B on time, G overdue.
    assert counts_of(figures.total.counts) == {
        "expected": 7, "received": 5, "on_time": 4, "late": 1,
        "overdue": 2, "awaiting": 0, "accepted": 4, "returned": 0,
    }  # fmt: skip


def test_after_the_merger_the_closed_units_owe_nothing(world):
    figures = build(world, world.h3, as_of=D(2025, 7, 1))
    # T1 A, B, M; T2 A, B, G, N: all missing, 01/07/2025 - 22/06/2025 = 9 days past the grace.
    assert set(rows_of(figures)) == {
        (1, "a", "2025-H1"), (1, "b", "2025-H1"), (1, "m", "2025-H1"),
        (2, "a", "2025-H1"), (2, "b", "2025-H1"), (2, "g", "2025-H1"), (2, "n", "2025-H1"),
    }  # fmt: skip
    assert counts_of(figures.total.counts)["overdue"] == 7
    assert {row.days_overdue for _cell, row in figures.expected_rows()} == {9}


@pytest.fixture
def changeover(db):
    """C closes 30/09/2024 and merges into M (open from 01/10); grace 0."""
    w = SimpleNamespace(directive=DirectiveFactory())
    task = TaskFactory(directive=w.directive, number=1)
    schedule = ScheduleFactory(grace_days=0)
    w.h1, w.h2, _h3 = half_years(schedule)
    w.c = UnitFactory(code="c", name="Huyện ủy C", valid_to=D(2024, 9, 30))
    w.m = UnitFactory(code="m", name="Huyện ủy M", valid_from=D(2024, 10, 1))
    SuccessionFactory(predecessor=w.c, successor=w.m)
    w.c_assignment = AssignmentFactory(task=task, unit=w.c, role=COORDINATING, schedule=schedule)
    w.m_assignment = AssignmentFactory(task=task, unit=w.m, role=COORDINATING, schedule=schedule)
    w.build = lambda: figures_build(directive=w.directive, periods=[w.h2], as_of=D(2024, 12, 31))
    return w


def test_the_outgoing_units_report_for_the_changeover_period_counts_for_the_successor(changeover):
    report = file_report(changeover.c_assignment, changeover.h2, ReportState.SUBMITTED, D(2024, 9, 20), pct=40)
    figures = changeover.build()
    (row,) = figures.cells[changeover.m.pk, changeover.m_assignment.task_id].expected
    assert (row.owing_unit, row.report.pk, row.status) == (changeover.m, report.pk, ReportStatus.ON_TIME)
    assert row.assignment == changeover.m_assignment  # the owing unit's own assignment
    assert figures.merged_into == {changeover.m.pk: [changeover.c]}
    assert counts_of(figures.total.counts)["received"] == 1


def test_of_two_reports_for_one_changeover_period_the_one_received_on_time_counts(changeover):
    # C sent its report on 20/09, on time; M's, sent 20/12 (a day late, grace 0), was
    # accepted. The expected report was received on time: the accepted late one must not
    # hide that (figures._best: "received on time before received late").
    on_time = file_report(changeover.c_assignment, changeover.h2, ReportState.SUBMITTED, D(2024, 9, 20))
    file_report(changeover.m_assignment, changeover.h2, ReportState.ACCEPTED, D(2024, 12, 20))
    figures = changeover.build()
    (row,) = figures.cells[changeover.m.pk, changeover.m_assignment.task_id].expected
    assert row.status == ReportStatus.ON_TIME
    assert row.report.pk == on_time.pk
    assert (figures.total.counts.on_time, figures.total.counts.late) == (1, 0)


def test_of_two_reports_received_on_time_the_accepted_one_counts(changeover):
    file_report(changeover.c_assignment, changeover.h2, ReportState.SUBMITTED, D(2024, 9, 20))
    accepted = file_report(changeover.m_assignment, changeover.h2, ReportState.ACCEPTED, D(2024, 12, 19))
    figures = changeover.build()
    (row,) = figures.cells[changeover.m.pk, changeover.m_assignment.task_id].expected
    assert (row.report.pk, row.status) == (accepted.pk, ReportStatus.ON_TIME)
    assert figures.total.counts.accepted == 1


def test_a_received_report_beats_a_draft_in_the_changeover_period(changeover):
    file_report(changeover.c_assignment, changeover.h2, ReportState.DRAFT)
    late = file_report(changeover.m_assignment, changeover.h2, ReportState.SUBMITTED, D(2024, 12, 28))
    (row,) = changeover.build().cells[changeover.m.pk, changeover.m_assignment.task_id].expected
    assert (row.report.pk, row.status) == (late.pk, ReportStatus.LATE)


# --- series and trends ---------------------------------------------------------------------------


def test_series_gives_rates_and_progress_per_period(spanning, world):
    assert [point.period for point in spanning.series] == [world.h1, world.h2]
    h1, h2 = spanning.series
    # H1 rows: T1 A on time, B late, C on time, E missing; T2 A, B on time, G missing.
    assert (h1.reporting_rate, h1.on_time_rate) == (Decimal("71.4"), Decimal("57.1"))  # 5/7, 4/7
    # Progress as of H1, over the units that owed H1's report (C and E were still separate
    # bodies then): T1 A lead 2 x 40, B 20, C 30, E 0; T2 A 100, B lead 2 x 50, G 0;
    # N opened after H1 and is left out = 330 over 9 = 36.67
    assert h1.progress == Decimal("36.7")
    # H2 rows: T1 A, M on time, B returned; T2 A, B on time, G, N awaiting.
    assert (h2.reporting_rate, h2.on_time_rate) == (Decimal("57.1"), Decimal("57.1"))  # 4/7, 4/7
    assert h2.progress == Decimal("57.8")  # the range's progress, 520 / 9


def test_task_trends_give_each_tasks_reporting_rate_per_period(spanning):
    task1, task2 = spanning.by_task
    assert task1.trend == [Decimal("75.0"), Decimal("66.7")]  # H1 3 of 4 (A, B, C), H2 2 of 3 (A, M)
    assert task2.trend == [Decimal("66.7"), Decimal("50.0")]  # H1 2 of 3 (A, B), H2 2 of 4 (A, B)


def test_series_reaches_back_before_the_range_but_the_counts_do_not(world):
    figures = build(world, world.h2, as_of=D(2024, 12, 21))
    assert [point.period for point in figures.series] == [world.h1, world.h2]
    assert figures.series[0].reporting_rate == Decimal("71.4")  # H1 as above
    # Only H2 is counted: T1 A, B, M; T2 A, B, G, N.
    assert counts_of(figures.total.counts) == {
        "expected": 7, "received": 4, "on_time": 4, "late": 0,
        "overdue": 0, "awaiting": 3, "accepted": 0, "returned": 1,
    }  # fmt: skip


def test_series_shows_the_last_periods_up_to_the_end_of_the_range(db):
    directive = DirectiveFactory()
    schedule = ScheduleFactory(monthly=True, semiannual=False, annual=False)
    months = [
        PeriodFactory(
            schedule=schedule,
            kind="monthly",
            key=f"2024-{month:02}",
            starts_on=D(2024, month - 1, 15) if month > 1 else D(2023, 12, 15),
            ends_on=D(2024, month, 14),
            due_on=D(2024, month, 19),
        )
        for month in range(1, 11)
    ]
    AssignmentFactory(task=TaskFactory(directive=directive), schedule=schedule)
    one = figures_build(directive=directive, periods=[months[7]], as_of=D(2024, 12, 1))
    assert [p.key for p in one.series_periods] == [f"2024-{m:02}" for m in range(3, 9)]  # six, ending at August
    assert len(one.series) == SERIES_MIN == 6
    many = figures_build(directive=directive, periods=months[1:9], as_of=D(2024, 12, 1))
    assert [p.key for p in many.series_periods] == [f"2024-{m:02}" for m in range(2, 10)]  # the whole range


def test_schedules_that_share_a_key_share_one_series_point(db):
    # The dashboard offers one choice per key for schedules that share it; the series
    # must likewise show one point per key, not one per schedule.
    # Schedule 1 (due 19/06, 19/12): X.  Schedule 2 (due 21/06, 21/12): Y and Z.
    directive = DirectiveFactory()
    task = TaskFactory(directive=directive)
    first, second = ScheduleFactory(), ScheduleFactory()
    h1, h2, _h3 = half_years(first)
    h1b = PeriodFactory(
        schedule=second, key="2024-H1", starts_on=h1.starts_on, ends_on=h1.ends_on, due_on=D(2024, 6, 21)
    )
    h2b = PeriodFactory(
        schedule=second, key="2024-H2", starts_on=h2.starts_on, ends_on=h2.ends_on, due_on=D(2024, 12, 21)
    )
    x, y, z = (
        AssignmentFactory(task=task, unit=UnitFactory(code=code), role=COORDINATING, schedule=schedule)
        for code, schedule in (("x", first), ("y", second), ("z", second))
    )
    file_report(x, h1, ReportState.SUBMITTED, h1.due_on, pct=40)
    file_report(z, h1b, ReportState.SUBMITTED, h1b.due_on, pct=70)
    file_report(y, h2b, ReportState.SUBMITTED, h2b.due_on, pct=90)
    figures = figures_build(directive=directive, periods=[h1, h1b, h2, h2b], as_of=D(2025, 1, 10))
    assert [point.period.key for point in figures.series] == ["2024-H1", "2024-H2"]
    first_half, second_half = figures.series
    # 2024-H1: X and Z of X, Y, Z received, on time; progress (40 + 0 + 70) / 3 = 36.67
    assert (first_half.reporting_rate, first_half.on_time_rate) == (Decimal("66.7"), Decimal("66.7"))
    assert first_half.progress == Decimal("36.7")
    # 2024-H2: Y of X, Y, Z; progress (40 + 90 + 70) / 3 = 66.67
    assert (second_half.reporting_rate, second_half.on_time_rate) == (Decimal("33.3"), Decimal("33.3"))
    assert second_half.progress == Decimal("66.7")
    assert figures.by_task[0].trend == [Decimal("66.7"), Decimal("33.3")]


# --- local dates ---------------------------------------------------------------------------------


def test_submission_dates_are_compared_in_vietnamese_local_time(db):
    # Grace 0, due 19/06/2024. Vietnam is UTC+7, so a local date is never behind the UTC
    # date: the only moments where the two disagree are 17:00-24:00 UTC, which are
    # already the next day locally.
    directive = DirectiveFactory()
    task = TaskFactory(directive=directive)
    schedule = ScheduleFactory(grace_days=0)
    h1 = half_years(schedule)[0]
    sent = {
        "late-evening": utc(2024, 6, 19, 16, 30),  # 23:30 on 19/06 locally: on time
        "after-midnight": utc(2024, 6, 19, 17, 30),  # 00:30 on 20/06 locally, still 19/06 in UTC: late
        "early-morning": utc(2024, 6, 18, 17, 30),  # 00:30 on 19/06 locally, 18/06 in UTC: on time
        "next-day": at(D(2024, 6, 20), 8),  # the day after the due date, grace 0: late
    }
    for code, moment in sent.items():
        assignment = AssignmentFactory(task=task, unit=UnitFactory(code=code), schedule=schedule)
        file_report(assignment, h1, ReportState.SUBMITTED, moment)
    figures = figures_build(directive=directive, periods=[h1], as_of=D(2024, 7, 1))
    statuses = {code: row.status for (_n, code, _key), row in rows_of(figures).items()}
    assert statuses == {
        "late-evening": ReportStatus.ON_TIME,
        "after-midnight": ReportStatus.LATE,
        "early-morning": ReportStatus.ON_TIME,
        "next-day": ReportStatus.LATE,
    }


# --- queries -------------------------------------------------------------------------------------


def make_directive(units):
    """A directive with two tasks over two periods, ``units`` units (every third
    merging into a new unit during H2) and reports in every state."""
    directive = DirectiveFactory()
    tasks = [TaskFactory(directive=directive, number=n) for n in (1, 2)]
    schedule = ScheduleFactory(grace_days=2)
    h1, h2, _h3 = half_years(schedule)
    province = UnitFactory(level=1)
    states = [ReportState.ACCEPTED, ReportState.SUBMITTED, ReportState.RETURNED, ReportState.DRAFT, None]
    count = 0
    for i in range(units):
        unit = UnitFactory(parent=province)
        owners = [unit]
        if i % 3 == 2:
            unit.valid_to = D(2024, 9, 30)
            unit.save()
            successor = UnitFactory(parent=province, valid_from=D(2024, 10, 1))
            SuccessionFactory(predecessor=unit, successor=successor)
            owners.append(successor)
        for owner in owners:
            for task in tasks:
                role = LEAD if i == 0 else COORDINATING
                assignment = AssignmentFactory(
                    task=task, unit=owner, role=role, schedule=schedule, deadline=D(2024, 11, 1)
                )
                for period in (h1, h2):
                    state = states[count % len(states)]
                    count += 1
                    if state:
                        status = COMPLETED if count % 4 == 0 else IN_PROGRESS
                        file_report(assignment, period, state, period.due_on, status=status, pct=count % 101)
    return directive, [h1, h2]


def test_figures_take_the_same_few_queries_whatever_the_amount_of_data(db):
    small_directive, small_periods = make_directive(3)
    with CaptureQueriesContext(connection) as small:
        small_figures = figures_build(directive=small_directive, periods=small_periods, as_of=D(2024, 12, 31))
    large_directive, large_periods = make_directive(30)
    with CaptureQueriesContext(connection) as large:
        large_figures = figures_build(directive=large_directive, periods=large_periods, as_of=D(2024, 12, 31))
    # The large case really is ten times larger.
    assert large_figures.total.counts.expected == 10 * small_figures.total.counts.expected
    # tasks, assignments, the units' parents, the units, successions, the moves since the range
    # ended, periods, the range's reports and, before it, the latest and first "completed" ones
    assert len(small) == len(large) == 9


def test_without_the_series_the_figures_are_the_same_and_have_no_points(world):
    full = figures_build(directive=world.directive, periods=[world.h2], as_of=D(2024, 12, 21))
    lean = figures_build(directive=world.directive, periods=[world.h2], as_of=D(2024, 12, 21), series=False)
    assert full.series and not lean.series and all(not task.trend for task in lean.by_task)
    assert set(lean.cells) == set(full.cells)
    for key, cell in full.cells.items():
        other = lean.cells[key]
        assert (other.counts, other.category, other.latest, other.progress) == (
            cell.counts, cell.category, cell.latest, cell.progress)  # fmt: skip
    assert lean.total.counts == full.total.counts and lean.total.taxonomy.counts == full.total.taxonomy.counts


def test_counts_add_up_every_measure_and_a_taxonomy_starts_with_every_category():
    """``Counts.add`` and ``Taxonomy`` are spelled out for speed: they still
    cover every measure and every category."""
    assert {f.name for f in dataclasses.fields(Counts)} == set(MEASURES)
    total = Counts(**{name: index + 1 for index, name in enumerate(MEASURES)})
    total.add(Counts(**{name: 10 * (index + 1) for index, name in enumerate(MEASURES)}))
    assert [getattr(total, name) for name in MEASURES] == [11 * (index + 1) for index in range(len(MEASURES))]
    assert Taxonomy().counts == dict.fromkeys(Category.values, 0)
