"""The dashboard's "Học tập, quán triệt" section in real Chromium at 1366 and
375 px: it loads after the page with the hand-computed figures of
``tests/dissemination/roll_tree``, the drill-down lists the cells not yet
reached with their committee's contact, axe-core finds nothing and nothing is
wider than the screen. Screenshots go to ``$VAR_DIR/screenshots/``."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_dissemination import AXE_RUN, AXE_SOURCE, _context, _fits, _sign_in, screenshot_folder
from tests.dissemination.roll_tree import build
from tests.factories import AssignmentFactory, MembershipFactory, PeriodFactory, ScheduleFactory, TaskFactory
from units.roles import COMMITTEE_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree(django_user_model, password):
    t = build()
    schedule = ScheduleFactory()
    period = PeriodFactory(schedule=schedule, key="2026-H1", starts_on=datetime.date(2025, 12, 15),
                           ends_on=datetime.date(2026, 6, 14), due_on=datetime.date(2026, 6, 19))  # fmt: skip
    AssignmentFactory(task=TaskFactory(directive=t.directive), unit=t.d1, schedule=period.schedule)
    t.directive.status = "in_force"
    t.directive.save()
    head = MembershipFactory(unit=t.y, role="head").user
    head.first_name, head.last_name, head.email = "Bình", "Trần Văn", "binh.y@example.vn"
    head.save()
    t.y.email = "dangy@example.vn"
    t.y.save()
    committee = django_user_model.objects.create_user("committee-roll", password=password)
    from django.contrib.auth.models import Group

    committee.groups.add(Group.objects.get_or_create(name=COMMITTEE_GROUP)[0])
    return t


def _check(page, width):
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    assert page.evaluate(AXE_RUN) == []
    assert _fits(page, width)


@pytest.mark.parametrize("width", [1366, 375])
def test_the_section_shows_the_coverage_and_drills_down_to_the_cells_not_reached(
    browser, live_server, tree, password, width
):
    context = _context(browser, width)
    page = context.new_page()
    page.goto(f"{live_server.url}/dashboard/?directive={tree.directive.pk}")
    _sign_in(page, "committee-roll", password)
    section = page.get_by_test_id("coverage-section")
    expect(section.get_by_test_id("coverage-plans")).to_contain_text("60,0")  # loaded after the page
    expect(section.get_by_test_id("coverage-plans")).to_contain_text("(3/5)")
    expect(section.get_by_test_id("coverage-cells")).to_contain_text("(3/5)")
    expect(section.get_by_test_id("coverage-members")).to_contain_text("63,8")
    expect(section.get_by_test_id("coverage-members")).to_contain_text("(83/130)")
    expect(section.get_by_test_id("coverage-row-d1")).to_contain_text("(2/3)")
    _check(page, width)
    section.screenshot(path=screenshot_folder() / f"dissemination-coverage-{width}.png")

    with page.expect_navigation():
        section.get_by_test_id("coverage-row-d1").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("d1")
    cell = page.get_by_test_id("cell-x2")
    expect(cell).to_contain_text("20 đảng viên")
    expect(cell).to_contain_text("dangy@example.vn")  # x merged into y: y is the committee to call
    expect(cell).to_contain_text("Trần Văn Bình")
    expect(page.get_by_test_id("cells-not-reached").locator("li")).to_have_count(1)
    _check(page, width)
    page.screenshot(path=screenshot_folder() / f"dissemination-coverage-unit-{width}.png", full_page=True)
    context.close()
