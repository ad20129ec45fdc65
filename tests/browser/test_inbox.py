"""The office's inbox in real Chromium, on a phone (375 px) and a desk (1366 px):
a full page of waiting reports, the review and accept controls reachable
without scrolling sideways, a page of reasonable height, the filters kept from
page to page, and a bulk accept from the phone. Screenshots go to var/screenshots."""

import datetime
import pathlib

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from reports.inbox_views import PAGE_SIZE
from reports.models import ProgressReport, ReportState
from tests.factories import AssignmentFactory, DirectiveFactory, PeriodFactory, ReportFactory, TaskFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW_INBOX = "Báo cáo chờ tiếp nhận"
REVIEW = "Xem xét"
ACCEPT_SELECTED = "Tiếp nhận các báo cáo đã chọn"
DIRECTIVE = "Văn bản"
SORT = "Sắp xếp"
NEWEST_FIRST = "Mới nhất trước"
FILTER = "Lọc"
NEXT = "Trang sau"
SELECT_ALL = "Chọn tất cả trên trang này"
SECOND_DIRECTIVE = "Chuyển đổi số"

SCREENSHOTS = pathlib.Path(settings.BASE_DIR) / "var" / "screenshots"
# A phone page of waiting reports: about as tall as eight screens of an iPhone SE, not the 5,000 px
# and more of a long table.
PHONE_PAGE_HEIGHT_LIMIT = 5_000

OVERFLOWING_JS = """() => [...document.querySelectorAll("body *")]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
    .map((el) => el.tagName + "." + el.className)"""


@pytest.fixture
def full_inbox(task, schedule, office_user):
    """More than a page of waiting reports over two directives."""
    other = DirectiveFactory(number="05-CT/TU", short_title=SECOND_DIRECTIVE)
    tasks = [task, TaskFactory(directive=other, number=1, title="Số hóa hồ sơ đảng viên")]
    period = PeriodFactory(schedule=schedule, key="2024-H1")
    now = timezone.now()
    reports = []
    for n in range(2 * PAGE_SIZE + 7):
        unit = UnitFactory(name=f"Đảng ủy xã Thử nghiệm có tên khá dài số {n}", level=3)
        assignment = AssignmentFactory(task=tasks[n % 2], unit=unit, schedule=schedule)
        when = now - datetime.timedelta(days=n, hours=1)
        reports.append(
            ReportFactory(
                assignment=assignment,
                period=period,
                state=ReportState.SUBMITTED,
                state_changed_at=when,
                submitted_at=when,
                percent_complete=n % 100,
            )
        )
    return reports


def open_inbox(browser, live_server, password, user, *, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    return context, page


def within_viewport(page, locator):
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", [375, 1366])
def test_the_inbox_fits_the_screen_with_review_and_accept_reachable(
    width, browser, live_server, password, office_user, full_inbox
):
    context, page = open_inbox(browser, live_server, password, office_user, width=width)
    try:
        expect(page.get_by_role("heading", name=REVIEW_INBOX)).to_be_visible()
        rows = page.get_by_test_id("inbox-row")
        expect(rows).to_have_count(PAGE_SIZE)
        assert page.evaluate(OVERFLOWING_JS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for n in (0, PAGE_SIZE - 1):
            row = rows.nth(n)
            review = row.get_by_role("link", name=REVIEW)
            review.scroll_into_view_if_needed()
            assert within_viewport(page, review)
            checkbox = row.get_by_role("checkbox")
            assert within_viewport(page, checkbox)
        accept = page.get_by_role("button", name=ACCEPT_SELECTED).first
        accept.scroll_into_view_if_needed()
        assert within_viewport(page, accept)
        select_all = page.get_by_label(SELECT_ALL)
        select_all.check()
        expect(page.locator("input[name='report']:checked")).to_have_count(PAGE_SIZE)
        rows.first.get_by_role("checkbox").uncheck()
        expect(select_all).not_to_be_checked()
        select_all.check()
        expect(page.locator("input[name='report']:checked")).to_have_count(PAGE_SIZE)
        select_all.uncheck()
        expect(page.locator("input[name='report']:checked")).to_have_count(0)
        # Every report names its directive, so the two "Nhiệm vụ 1." can be told apart.
        expect(rows.nth(1)).to_contain_text(SECOND_DIRECTIVE)
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"/inbox/ at {width} px: {PAGE_SIZE} reports, page height {height} px")
        if width == 375:
            assert height <= PHONE_PAGE_HEIGHT_LIMIT
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"inbox-{width}.png"), full_page=True)
    finally:
        context.close()


def test_on_a_phone_the_office_filters_sorts_pages_and_accepts(browser, live_server, password, office_user, full_inbox):
    context, page = open_inbox(browser, live_server, password, office_user, width=375)
    try:
        page.get_by_label(DIRECTIVE).select_option(label=f"05-CT/TU – {SECOND_DIRECTIVE}")
        page.get_by_label(SORT).select_option(label=NEWEST_FIRST)
        page.get_by_role("button", name=FILTER).click()
        rows = page.get_by_test_id("inbox-row")
        expect(rows).to_have_count(PAGE_SIZE)
        second_directive = [r for r in full_inbox if r.assignment.task.directive.short_title == SECOND_DIRECTIVE]
        newest = sorted(second_directive, key=lambda r: r.state_changed_at, reverse=True)
        expect(rows.first.get_by_role("checkbox")).to_have_attribute("value", str(newest[0].pk))
        page.get_by_role("link", name=NEXT).click()
        expect(rows).to_have_count(len(second_directive) - PAGE_SIZE)
        assert "sort=newest" in page.url
        assert f"directive={newest[0].assignment.task.directive.pk}" in page.url
        rows.first.get_by_role("checkbox").check()
        page.get_by_role("button", name=ACCEPT_SELECTED).first.click()
        expect(page.get_by_role("alert").filter(has_text="Đã tiếp nhận 1 báo cáo.")).to_be_visible()
        assert "sort=newest" in page.url
        assert ProgressReport.objects.get(pk=newest[PAGE_SIZE].pk).state == ReportState.ACCEPTED
    finally:
        context.close()
