"""The late list a page at a time (keyset pagination, dashboard/late.py): every
sort order walks exactly the overdue reports, in its order, each once; a page
costs the same number of queries whatever the number of reports."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.late import SORTS, late_page
from dashboard.selection import selection_from
from dashboard.states import on_time_limit
from dashboard.tallies import tallies_rebuild
from directives.models import Directive
from reminders.models import Reminder, ReminderKind, ReminderStatus
from reports.demo import demo_data_create
from reports.models import Assignment, ProgressReport, ReportingPeriod
from tests.factories import AssignmentFactory, PeriodFactory, UnitFactory

TODAY = datetime.date(2025, 9, 2)
NOW = datetime.datetime(2025, 9, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture
def demo(db):
    with time_machine.travel(NOW, tick=False):
        demo_data_create(today=TODAY, seed=7)
        directive = Directive.objects.get()
        tallies_rebuild(directive=directive)
        # Reminders sent for some overdue reports: the "reminders" order has something to sort.
        for index, report_less in enumerate(_overdue_pairs(_whole_term(directive))[:9]):
            for offset in range(index % 3 + 1):
                Reminder.objects.create(assignment_id=report_less[0], period_id=report_less[1],
                                        kind=ReminderKind.OVERDUE, offset=offset, due_at=NOW,
                                        status=ReminderStatus.SENT)  # fmt: skip
        yield directive


def _whole_term(directive):
    keys = list(dict.fromkeys(ReportingPeriod.objects.filter(due_on__lte=TODAY).order_by("due_on").values_list(
        "key", flat=True)))  # fmt: skip
    request = RequestFactory().get("/dashboard/", {"directive": directive.pk, "start": keys[0], "end": keys[-1]})
    return selection_from(request)


def _overdue_pairs(selection):
    """Independently: every (assignment, period) of the selection past its
    on-time limit, the unit open at the period's end, with no received report."""
    received = set(ProgressReport.objects.filter(state__in=["submitted", "accepted"]).values_list(
        "assignment_id", "period_id"))  # fmt: skip
    pairs = []
    for period in selection.periods:
        if on_time_limit(period) >= selection.as_of:
            continue
        for assignment in Assignment.objects.filter(task__directive=selection.directive,
                                                    schedule_id=period.schedule_id).select_related("unit"):  # fmt: skip
            unit = assignment.unit
            if (unit.valid_from and unit.valid_from > period.ends_on) or (
                unit.valid_to and unit.valid_to < period.ends_on
            ):
                continue
            if (assignment.pk, period.pk) not in received:
                pairs.append((assignment.pk, period.pk))
    return pairs


def _walk(selection, sort, size):
    rows, after, pages = [], None, 0
    while True:
        page = late_page(selection, sort, after, size=size)
        rows += page.rows
        pages += 1
        assert len(page.rows) <= size
        if not page.next_after:
            return rows, pages
        assert len(page.rows) == size
        after = tuple(int(part) for part in page.next_after.split("-"))


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_every_page_of_every_order_lists_each_overdue_report_once_in_order(demo, sort):
    with time_machine.travel(NOW, tick=False):
        selection = _whole_term(demo)
        expected = _overdue_pairs(selection)
        assert len(expected) > 30  # several pages of 7
        rows, pages = _walk(selection, sort, size=7)
        assert pages == -(-len(expected) // 7)
        assert sorted((row.assignment.pk, row.period.pk) for row in rows) == sorted(expected)
        assert rows == sorted(rows, key=SORTS[sort])  # SQLite compares names as Python does
        for row in rows:
            assert row.days_overdue == (selection.as_of - on_time_limit(row.period)).days
        if sort == "reminders":
            assert [row.reminders_sent for row in rows[:3]] == [3, 3, 3]
            assert sum(row.reminders_sent for row in rows) == 18


def test_a_cursor_that_names_no_overdue_row_gives_an_empty_page(demo):
    with time_machine.travel(NOW, tick=False):
        selection = _whole_term(demo)
        assert late_page(selection, "unit", (10**12, 1)).rows == []


def _late_world(count, task, schedule, period, province):
    for index in range(count):
        AssignmentFactory(task=task, unit=UnitFactory(name=f"Xã {index:04d}", parent=province), schedule=schedule)


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_a_page_costs_the_same_queries_for_30_and_150_overdue_reports(
    sort, client_for, office_user, task, schedule, province
):
    with time_machine.travel(datetime.datetime(2024, 9, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        period = PeriodFactory(schedule=schedule, key="2024-H1")
        counts = []
        client = client_for(office_user)
        for count in (30, 150):
            _late_world(count - (30 if counts else 0), task, schedule, period, province)
            tallies_rebuild()
            url = reverse("dashboard") + f"?late_sort={sort}"
            first = client.get(url)
            assert len(first.context["late"]) == 25
            after = first.context["late_next"]
            client.get(url + f"&late_after={after}")  # warm
            with CaptureQueriesContext(connection) as captured:
                second = client.get(url + f"&late_after={after}")
            shown = {(row.assignment.pk, row.period.pk) for row in first.context["late"]}
            again = [(row.assignment.pk, row.period.pk) for row in second.context["late"]]
            assert len(again) == min(25, count - 25) and not shown & set(again)
            counts.append(len(captured))
        assert counts[0] == counts[1]


def test_the_dashboard_links_to_the_next_page_of_the_late_list(client_for, committee_user, task, schedule, province):
    with time_machine.travel(datetime.datetime(2024, 9, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        PeriodFactory(schedule=schedule, key="2024-H1")
        _late_world(27, task, schedule, None, province)
        tallies_rebuild()
        client = client_for(committee_user)
        page = client.get(reverse("dashboard") + "?late_sort=unit").content.decode()
        assert 'data-testid="late-next"' in page and 'data-testid="late-first"' not in page
        second = client.get(reverse("dashboard") + "?late_sort=unit&late_after=" + client.get(
            reverse("dashboard") + "?late_sort=unit").context["late_next"])  # fmt: skip
        assert [row.unit.name for row in second.context["late"]] == ["Xã 0025", "Xã 0026"]
        assert 'data-testid="late-first"' in second.content.decode()
        assert 'data-testid="late-next"' not in second.content.decode()


def _row_keys(figures, unit_pks, task_pk=None):
    return sorted(
        (cell.unit.pk, cell.task.pk, row.period.pk, row.status, row.assignment.pk)
        for (unit_pk, cell_task), cell in figures.cells.items()
        if unit_pk in unit_pks and (task_pk is None or cell_task == task_pk)
        for row in cell.expected
    )


def test_a_units_figure_rows_computed_for_its_subtree_are_the_whole_directives(demo, client_for, committee_user):
    """The drill-down to one unit (down to a single assignment) reads that unit's
    subtree only: the same rows as the whole directive's figures give it,
    across the 2025 merger too."""
    with time_machine.travel(NOW, tick=False):
        selection = _whole_term(demo)
        whole = selection.figures()
        client = client_for(committee_user)
        tested = 0
        for unit_pk in sorted(whole.units)[::7]:
            subtree = set(whole.subtree_ids(unit_pk))
            for scope, pks in (("own", {unit_pk}), ("", subtree)):
                task = whole.tasks[tested % len(whole.tasks)]
                query = selection.query(unit=whole.units[unit_pk], scope=scope, task=task.pk)
                response = client.get(reverse("dashboard_figure_rows") + "?" + query)
                assert response.status_code == 200
                shown = sorted((cell.unit.pk, cell.task.pk, row.period.pk, row.status, row.assignment.pk)
                               for cell, row in response.context["rows"])  # fmt: skip
                assert shown == _row_keys(whole, pks, task.pk)
                tested += 1
        assert tested > 6


def test_a_page_reads_its_rows_units_reminders_and_heads_in_four_queries(demo, django_assert_num_queries):
    """The rows' units and assignments come with the rows (no lookup of each),
    the reminders and heads in one query each; a unit's other columns still
    load when asked for."""
    with time_machine.travel(NOW, tick=False):
        selection = _whole_term(demo)
        selection.periods  # noqa: B018 - read before counting, as the dashboard has
        with django_assert_num_queries(4):  # the tasks, the rows, the reminders, the heads
            page = late_page(selection, "unit", size=5)
        assert len(page.rows) == 5
        row = page.rows[0]
        stored = Assignment.objects.select_related("unit").get(pk=row.assignment.pk)
        assert (row.unit.pk, row.unit.name, row.assignment.unit_id, row.assignment.task_id) == (
            stored.unit.pk, stored.unit.name, stored.unit_id, stored.task_id)  # fmt: skip
        assert row.unit.code == stored.unit.code and row.assignment.role == stored.role  # deferred, read on access


def test_the_most_reminded_rows_name_their_periods_so_the_reports_index_is_probed_by_both_columns(demo):
    """The query of a group of rows with the same count of reminders reads the
    periods from a list, not from the CTE of periods a second time: a CTE read
    twice is materialised, and PostgreSQL then probed the reports' (assignment,
    period) index by assignment alone (0.18 s instead of 0.04 after a national sweep)."""
    with time_machine.travel(NOW, tick=False):
        selection = _whole_term(demo)
        with CaptureQueriesContext(connection) as captured:
            page = late_page(selection, "reminders", size=5)
        assert [row.reminders_sent for row in page.rows[:3]] == [3, 3, 3]
        grouped = [q["sql"] for q in captured.captured_queries if "HAVING count(*) =" in q["sql"]]
        assert grouped and not any("SELECT id FROM per" in sql for sql in grouped)
