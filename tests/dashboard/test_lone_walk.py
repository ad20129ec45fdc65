"""A full tally rebuild walks most (unit, task) pairs one at a time along
their past-due periods (``Walk.lone_states``) instead of period by period
(``Walk.states_at``): the same states, millions of them nationally. And the
rebuild that walks them gives the tallies the period-by-period walk gives."""

import datetime

import pytest
import time_machine

from dashboard import states as states_module
from dashboard.measures import Rule
from dashboard.models import Tally
from dashboard.states import Successions, Walk, report_counts, report_rows
from dashboard.tallies import FIELDS, tallies_rebuild
from reports.models import Assignment, ImplementationStatus, ProgressReport, ReportingPeriod, ReportState
from tests.dashboard.test_figures import at
from tests.dashboard.test_history import NOW, TODAY, months
from tests.factories import AssignmentFactory, ReportFactory, ScheduleFactory, UnitFactory
from units.models import Unit, UnitSuccession

D = datetime.date
IN_PROGRESS, COMPLETED = ImplementationStatus.IN_PROGRESS, ImplementationStatus.COMPLETED
AS_OF = D(2025, 9, 20)


def walk_of(assignments, as_of):
    units = {u.pk: u for u in Unit.objects.without_tree_fields()}
    for assignment in assignments:
        assignment.unit = units[assignment.unit_id]
    periods = list(ReportingPeriod.objects.select_related("schedule").order_by("due_on", "pk"))
    reports = report_rows(ProgressReport.objects.filter(assignment__in=assignments))
    successions = Successions(units, UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    rule = Rule.of(assignments[0].task.directive)
    return Walk(assignments=assignments, successions=successions, periods=periods, reports=reports, rule=rule,
                as_of=as_of)  # fmt: skip


def by_period(walk, assignment):
    """What ``states_at`` says of ``assignment`` at each past-due period."""
    found = []
    for period in walk.periods:
        if walk.limit[period.pk] >= walk.as_of:
            continue
        for state in walk.states_at(period):
            if state.members == [assignment]:
                report = state.row.report
                found.append((period.pk, report and report.pk, state.row.status, state.category,
                              state.latest and state.latest.pk))  # fmt: skip
    return found


def along(walk, assignment):
    return [(period, report and report.pk, status, category, latest and latest.pk)
            for period, report, status, category, latest in walk.lone_states(assignment)]  # fmt: skip


def report(assignment, period, *, state=ReportState.ACCEPTED, days=-1, status=IN_PROGRESS, percent=50):
    submitted = at(period.due_on + datetime.timedelta(days=days))
    return ReportFactory(assignment=assignment, period=period, state=state, implementation_status=status,
                         percent_complete=percent, submitted_at=submitted)  # fmt: skip


def test_one_assignment_along_its_periods_is_what_each_period_says(db):
    """On time and late, returned and draft, missing months, a completed run
    broken and started again, a unit that opens in March and closes in July,
    and one with a deadline that passes."""
    schedule = ScheduleFactory(grace_days=2, monthly=True)
    periods = months(schedule, 8)
    plain = AssignmentFactory(unit=UnitFactory(level=1), schedule=schedule)
    task = plain.task
    short_lived = AssignmentFactory(task=task, schedule=schedule, unit=UnitFactory(
        level=1, valid_from=D(2025, 3, 10), valid_to=D(2025, 7, 5)))  # fmt: skip
    due = AssignmentFactory(task=task, schedule=schedule, unit=UnitFactory(level=1), deadline=D(2025, 5, 31))
    report(plain, periods[0])
    report(plain, periods[1], days=4, status=COMPLETED, percent=100)  # late: past the two days' grace
    report(plain, periods[2], status=COMPLETED, percent=100)
    report(plain, periods[3], state=ReportState.RETURNED)
    report(plain, periods[4], state=ReportState.DRAFT)
    report(plain, periods[5], status=COMPLETED, percent=100, days=1)
    report(plain, periods[6], state=ReportState.SUBMITTED, status=COMPLETED, percent=100)
    for period in periods[2:6]:
        report(short_lived, period, status=COMPLETED if period.key > "2025-04" else IN_PROGRESS)
    report(due, periods[0])
    report(due, periods[6], status=COMPLETED, percent=100)
    assignments = list(Assignment.objects.filter(task=task).select_related("task__directive"))
    walk = walk_of(assignments, AS_OF)
    assert [a.pk for a in walk.lone()] == [a.pk for a in assignments]
    for assignment in assignments:
        expected = by_period(walk, assignment)
        assert expected, assignment
        assert along(walk, assignment) == expected, assignment.unit.name
    assert len(along(walk, short_lived)) == 5  # March to July only


def test_units_linked_by_a_succession_are_not_walked_alone(db):
    schedule = ScheduleFactory(grace_days=0, monthly=True)
    months(schedule, 3)
    old = UnitFactory(level=1, valid_to=D(2025, 1, 31))
    new = UnitFactory(level=1, valid_from=D(2025, 2, 1))
    UnitSuccession.objects.create(predecessor=old, successor=new, effective_on=D(2025, 2, 1))
    first = AssignmentFactory(unit=old, schedule=schedule)
    second = AssignmentFactory(task=first.task, unit=new, schedule=schedule)
    alone = AssignmentFactory(task=first.task, unit=UnitFactory(level=1), schedule=schedule)
    walk = walk_of([first, second, alone], AS_OF)
    assert walk.lone() == [alone]


def test_report_counts_follow_the_best_reports_state_and_status():
    assert report_counts(None, "overdue") == (0, 0, 0, 0)
    assert report_counts(ReportState.ACCEPTED, "on_time") == (1, 1, 1, 0)
    assert report_counts(ReportState.SUBMITTED, "late") == (1, 0, 0, 0)
    assert report_counts(ReportState.RETURNED, "overdue") == (0, 0, 0, 1)


@pytest.fixture
def demo(db):
    from reports.demo import demo_data_create

    with time_machine.travel(NOW, tick=False):
        demo_data_create(today=TODAY, seed=7)
        yield


def test_the_rebuilt_tallies_are_those_of_the_period_by_period_walk(demo, monkeypatch):
    """The demo (with its 2025 merger): the rebuild's rows are the same when
    nothing is walked alone."""
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild()
        along_rows = sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS))
        monkeypatch.setattr(states_module.Walk, "lone", lambda self: [])
        tallies_rebuild()
        period_rows = sorted(Tally.objects.values_list("task_id", "period_id", "top_unit_id", *FIELDS))
    assert along_rows and along_rows == period_rows


@pytest.fixture
def demo_shape(settings):
    """The demo's shape, walked in two processes from the first assignment on
    (PostgreSQL only: other processes cannot read SQLite's test database)."""
    from django.db import connection

    from dashboard import tallies
    from directives.models import Directive
    from reports.demo import demo_data_create

    if connection.vendor != "postgresql":
        pytest.skip("other processes cannot read SQLite's test database")
    settings.TALLY_PROCESSES, settings.TALLY_PROCESSES_FROM = 2, 1
    with time_machine.travel(NOW, tick=False):
        demo_data_create(today=TODAY, seed=7)
        yield tallies._Shape(Directive.objects.get(), TODAY)


@pytest.mark.django_db(transaction=True)
def test_a_large_rebuild_walks_its_top_rows_in_several_processes(settings, demo_shape):
    """Forked processes each walk a part of the top rows (a national rebuild
    in 22 s on two cores instead of 38 s); their sums are the same."""
    from django.db import transaction

    from dashboard import tallies

    shape = demo_shape
    assert len(shape.parts(2)) == 2
    walked = tallies._sums_in_processes(shape)
    assert walked is not None
    here = shape.sums()
    assert {key: value.values for key, value in walked.items()} == {k: v.values for k, v in here.items()}
    with transaction.atomic():  # this transaction's rows are not for other processes to read
        assert tallies._sums_in_processes(shape) is None
    settings.TALLY_PROCESSES_FROM = 10**6
    assert tallies._sums_in_processes(shape) is None
    settings.TALLY_PROCESSES_FROM = 1
    assert tallies_rebuild() == len(here)


@pytest.mark.django_db(transaction=True)
def test_a_connection_open_at_the_fork_is_neither_used_nor_closed_by_the_processes(demo_shape, monkeypatch):
    """Were the parent's connection still open when the pool forks, each process
    sets it aside and opens its own: none talks on the parent's socket (two
    processes on one socket read each other's answers: "no results to fetch") and
    none closes it (which would end the parent's session)."""
    from django.db import connection, connections

    from dashboard import tallies

    shape = demo_shape
    here = shape.sums()
    monkeypatch.setattr(connections, "close_all", lambda: None)  # the parent's stays open at the fork
    connection.ensure_connection()
    backend = connection.connection.get_backend_pid()
    walked = tallies._sums_in_processes(shape)
    assert {key: value.values for key, value in walked.items()} == {k: v.values for k, v in here.items()}
    assert connection.connection.closed == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == backend
