"""A directive too large to compute live, in real Chromium: from the
dashboard a committee member opens a task and the overdue reports behind its
figure, sees the provinces' rows from the tallies (axe-core finds nothing, it
fits a 375 px phone) and opens one province's units, computed live."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.tallies import tallies_rebuild
from directives.models import Directive
from reports.demo import demo_data_create
from tests.browser.test_accessibility import AXE_SOURCE, Crawl
from tests.factories import UserFactory
from units.roles import COMMITTEE_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def large(db, settings):
    demo_data_create(today=timezone.localdate())
    directive = Directive.objects.get()
    tallies_rebuild(directive=directive)
    settings.DASHBOARD_LIVE_MAX_ASSIGNMENTS = 10  # the demo province counts as a country
    return directive


def test_the_task_page_of_a_large_directive_lists_top_rows_that_open_their_units(
    browser, page, sign_in, large, tmp_path
):
    UserFactory(username="btv-lon", groups=[COMMITTEE_GROUP])
    sign_in("btv-lon")
    task = large.tasks.order_by("number").first()
    page.goto(f"{page.base_url}/dashboard/tasks/{task.pk}/?directive={large.pk}")
    expect(page.get_by_test_id("too-large")).to_contain_text("quá nhiều đơn vị")
    rows = page.get_by_test_id("top-row")
    expect(rows.first).to_be_visible()
    assert rows.count() > 1
    crawl = Crawl(browser, page.base_url, AXE_SOURCE.read_text())
    crawl.check(page, "committee", page.url)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=tmp_path / "task-top-rows-375.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # A row opens the same task for that unit's subtree, listing every unit (computed live).
    name = rows.first.get_by_role("link").first.inner_text()
    rows.first.get_by_role("link").first.click()
    page.wait_for_url(lambda url: "unit=" in url)
    expect(page.get_by_test_id("task-scope")).to_contain_text(name)
    expect(page.get_by_test_id("task-units")).to_be_visible()

    # The overdue reports behind the task's figure: counted by top row, then listed under one.
    page.goto(f"{page.base_url}/dashboard/figures/?directive={large.pk}&task={task.pk}&measure=overdue")
    expect(page.get_by_test_id("figure-top-rows")).to_be_visible()
    crawl.check(page, "committee", page.url)
    link = page.get_by_test_id("top-row").first.get_by_role("link").first
    link.click()
    page.wait_for_url(lambda url: "unit=" in url)
    expect(page.get_by_test_id("figure-rows")).to_be_visible()
    assert dict(crawl.problems) == {}
