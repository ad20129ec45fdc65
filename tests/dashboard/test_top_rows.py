"""A directive too large to compute live (a country): the task page and the
rows behind a figure list the matrix's top rows from the tallies, each with
the counts the live figures give its subtree, and each opening the same page
for that subtree (computed live)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.tallies import tallies_rebuild
from dashboard.top_rows import too_large_to_compute
from directives.models import Task
from tests.dashboard.test_tallies import NOW, block_values, demo  # noqa: F401 - the fixture
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(client):
    client.force_login(UserFactory(username="btv-top", groups=["Ban Thường vụ Tỉnh ủy"]))
    return client


@pytest.fixture
def large(settings):
    settings.DASHBOARD_LIVE_MAX_ASSIGNMENTS = 10  # the demo counts as a country


def test_the_task_page_lists_the_top_rows_with_their_subtrees_live_figures(demo, committee, large):  # noqa: F811
    task = Task.objects.filter(directive=demo).order_by("number").first()
    query = f"?directive={demo.pk}"
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        page = committee.get(f"/dashboard/tasks/{task.pk}/{query}")
        assert page.status_code == 200
        rows = page.context["top_rows"]
        assert rows and page.context["cells"] == []
        assert 'data-testid="too-large"' in page.content.decode()
        total = sum(row.block.counts.expected for row in rows)
        assert total == page.context["task_figures"].block.counts.expected > 0
        for row in rows[:4]:
            # The row's link: the same task for its subtree, computed live, with the same figures.
            scoped = committee.get(f"/dashboard/tasks/{task.pk}/?{row.query}")
            assert scoped.context["top_rows"] is None
            live = scoped.context["task_figures"].block
            assert block_values(live)[0] == block_values(row.block)[0]
            assert live.progress.weighted == row.block.progress.weighted
            assert sum(cell.counts.expected for cell in scoped.context["cells"]) == row.block.counts.expected


def test_the_rows_behind_a_figure_are_counted_by_top_row_and_listed_under_each(demo, committee, large):  # noqa: F811
    task = Task.objects.filter(directive=demo).order_by("number").first()
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        page = committee.get(f"/dashboard/figures/?directive={demo.pk}&task={task.pk}&measure=received")
        assert page.status_code == 200
        counted = {row.unit.pk: count for row, count in page.context["top_rows"]}
        assert page.context["top_total"] == sum(counted.values()) > 0
        for row, count in page.context["top_rows"][:4]:
            listed = committee.get(f"/dashboard/figures/?{row.query}&task={task.pk}&measure=received")
            assert listed.context.get("top_rows") is None
            assert len(listed.context["rows"]) == count
        category = committee.get(f"/dashboard/figures/?directive={demo.pk}&category=completed_on_time")
        assert category.status_code == 200 and category.context["top_total"] == sum(
            row.block.taxonomy.counts.get("completed_on_time", 0) for row, _count in category.context["top_rows"]
        )
        assert committee.get(f"/dashboard/figures/?directive={demo.pk}&task=999999").status_code == 404


def test_the_top_rows_take_the_same_queries_whatever_the_size(demo, committee, large):  # noqa: F811
    task = Task.objects.filter(directive=demo).order_by("number").first()
    url = f"/dashboard/tasks/{task.pk}/?directive={demo.pk}"
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        committee.get(url)
        with CaptureQueriesContext(connection) as small:
            committee.get(url)
        for n in range(5):
            UnitFactory(name=f"Đảng ủy xã Thêm {n} (thử)")
        tallies_rebuild(directive=demo)
        committee.get(url)
        with CaptureQueriesContext(connection) as large_:
            committee.get(url)
    assert len(large_) == len(small)


def test_whether_a_directive_is_too_large_is_counted_without_sorting(demo):  # noqa: F811
    # The assignments' default order joins their directive and units and sorts them all
    # before the slice is counted: 0.2 s of every whole-directive drill-down nationally.
    with CaptureQueriesContext(connection) as queries:
        assert too_large_to_compute(demo) is False
    (count,) = queries.captured_queries
    assert "ORDER BY" not in count["sql"]
    assert "units_unit" not in count["sql"]


def test_a_directive_small_enough_lists_every_unit_live(demo, committee):  # noqa: F811
    task = Task.objects.filter(directive=demo).order_by("number").first()
    with time_machine.travel(NOW, tick=False):
        tallies_rebuild(directive=demo)
        page = committee.get(f"/dashboard/tasks/{task.pk}/?directive={demo.pk}")
    assert page.context["top_rows"] is None and page.context["cells"]
