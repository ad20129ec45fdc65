"""The figures read every report of the range (and of the period before it),
but of the periods before only each assignment's latest received report and
the first of the "completed" ones that end with it (``dashboard.figures``):
a province's page at national size reads a few thousand reports instead of
a hundred thousand. They are the same figures as from every report."""

import datetime

import pytest
import time_machine

from dashboard import figures as figures_module
from dashboard.figures import figures_build
from dashboard.measures import Category
from directives.models import Directive
from reports.demo import demo_data_create
from reports.models import ImplementationStatus, ReportingPeriod, ReportState
from tests.dashboard.test_figures import at
from tests.factories import AssignmentFactory, PeriodFactory, ReportFactory, ScheduleFactory, UnitFactory
from units.models import Unit

D = datetime.date
IN_PROGRESS, COMPLETED = ImplementationStatus.IN_PROGRESS, ImplementationStatus.COMPLETED
TODAY = datetime.date(2025, 9, 2)
NOW = datetime.datetime(2025, 9, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def every_report(monkeypatch):
    """Makes the figures read every report, as before."""
    monkeypatch.setattr(figures_module, "_history_start", lambda *args: None)


def cell_values(figures):
    return {
        key: (
            cell.counts,
            cell.category,
            cell.latest,
            cell.progress,
            [(row.period.pk, row.status) for row in cell.expected],
            sorted(a.pk for a in cell.assignments),
        )  # fmt: skip
        for key, cell in figures.cells.items()
    }


def values(figures):
    return (
        cell_values(figures),
        figures.total.counts,
        dict(figures.total.taxonomy.counts),
        [(p.period.pk, p.reporting_rate, p.on_time_rate, p.progress) for p in figures.series],
        [task.trend for task in figures.by_task],
        {pk: [u.pk for u in units] for pk, units in figures.merged_into.items()},
    )


def months(schedule, count):
    """``count`` monthly periods from January 2025, each due five days after it ends."""
    found = []
    for month in range(1, count + 1):
        starts = D(2025, month, 1)
        ends = D(2025, month + 1, 1) - datetime.timedelta(days=1)
        found.append(PeriodFactory(schedule=schedule, kind="monthly", key=f"2025-{month:02}", starts_on=starts,
                                   ends_on=ends, due_on=ends + datetime.timedelta(days=5)))  # fmt: skip
    return found


@pytest.mark.parametrize(
    ("statuses", "late_month", "category"),
    [
        # Completed from February on: the category is decided by February's report, on time.
        (
            [IN_PROGRESS, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED],
            6,
            Category.COMPLETED_ON_TIME,
        ),
        # The run broken in April starts again in May, submitted late: completed late.
        (
            [COMPLETED, COMPLETED, COMPLETED, IN_PROGRESS, COMPLETED, COMPLETED, COMPLETED, COMPLETED],
            5,
            Category.COMPLETED_LATE,
        ),
        # In progress at the end of a long completed run.
        (
            [COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, COMPLETED, IN_PROGRESS, IN_PROGRESS],
            3,
            Category.IN_PROGRESS_ON_TIME,
        ),
    ],
)
def test_the_first_completed_report_is_found_before_the_range(db, monkeypatch, statuses, late_month, category):
    schedule = ScheduleFactory(grace_days=0, monthly=True)
    periods = months(schedule, len(statuses))
    assignment = AssignmentFactory(unit=UnitFactory(level=1), schedule=schedule)
    for number, (period, status) in enumerate(zip(periods, statuses, strict=True), start=1):
        day = period.due_on + datetime.timedelta(days=3 if number == late_month else -1)
        ReportFactory(assignment=assignment, period=period, state=ReportState.ACCEPTED, submitted_at=at(day),
                      implementation_status=status, percent_complete=100 if status == COMPLETED else 50)  # fmt: skip
    directive = assignment.task.directive
    build = lambda: figures_build(directive=directive, periods=[periods[-1]], as_of=D(2025, 9, 20), series=False)  # noqa: E731
    lean = build()
    assert lean.cells[(assignment.unit_id, assignment.task_id)].category == category
    every_report(monkeypatch)
    assert values(build()) == values(lean)


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        demo_data_create(today=TODAY, seed=7)
        yield Directive.objects.get()


def test_the_demo_figures_are_those_from_every_report(demo, monkeypatch):
    """Every period alone, ranges across the 2025 merger, with and without the
    series, for the whole directive and for each unit with units below it."""
    periods = list(ReportingPeriod.objects.filter(due_on__lte=TODAY).select_related("schedule").order_by("due_on"))
    by_key = {}
    for period in periods:
        by_key.setdefault(period.key, []).append(period)
    keys = list(by_key)
    ranges = [by_key[key] for key in keys] + [
        [p for key in keys[-4:-1] for p in by_key[key]],
        [p for key in keys for p in by_key[key]],
    ]
    scopes = [None, *Unit.objects.filter(children__isnull=False).distinct()]
    cases = [(chosen, scope, series) for chosen in ranges for scope in scopes[:4] for series in (True, False)]
    cases += [(ranges[-2], scope, False) for scope in scopes[4:]]
    with time_machine.travel(NOW, tick=False):
        lean = [values(figures_build(directive=demo, periods=chosen, as_of=TODAY, scope=scope, series=series))
                for chosen, scope, series in cases]  # fmt: skip
        every_report(monkeypatch)
        full = [values(figures_build(directive=demo, periods=chosen, as_of=TODAY, scope=scope, series=series))
                for chosen, scope, series in cases]  # fmt: skip
    assert any(value[0] for value in full)
    for case, mine, theirs in zip(cases, lean, full, strict=True):
        assert mine == theirs, case


def test_one_tasks_figures_are_its_part_of_every_tasks(demo):
    """The task page and the rows behind a task's figure compute that task's
    assignments only: the same cells, block and trend as among all tasks."""
    periods = list(ReportingPeriod.objects.filter(due_on__lte=TODAY).select_related("schedule").order_by("due_on"))
    scopes = [None, *Unit.objects.filter(children__isnull=False).distinct()[:3]]
    with time_machine.travel(NOW, tick=False):
        for scope in scopes:
            every = figures_build(directive=demo, periods=periods[-1:], as_of=TODAY, scope=scope)
            for task in every.tasks:
                one = figures_build(directive=demo, periods=periods[-1:], as_of=TODAY, scope=scope, task=task.pk)
                mine = {key: value for key, value in cell_values(every).items() if key[1] == task.pk}
                assert cell_values(one) == mine, (scope, task)
                [theirs] = [t for t in every.by_task if t.task == task]
                [ours] = [t for t in one.by_task if t.task == task]
                assert (ours.block.counts, ours.trend) == (theirs.block.counts, theirs.trend)
                assert dict(ours.block.taxonomy.counts) == dict(theirs.block.taxonomy.counts)
