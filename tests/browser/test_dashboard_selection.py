"""Changing the dashboard's directive in real Chromium, on a phone: the period
selects change to that directive's own periods at once, and showing it gives its
figures without the "could not be read" warning."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import AssignmentFactory, DirectiveFactory, PeriodFactory, ScheduleFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIRECTIVE = "Văn bản"
FROM_PERIOD = "Từ kỳ"
TO_PERIOD = "Đến kỳ"
SHOW = "Xem"
WARNING = "Không đọc được"


@pytest.fixture
def two_directives(db):
    """A six-monthly directive (the default, signed last) and a quarterly one."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    half_yearly = DirectiveFactory(number="12-CT/TU", short_title="HĐND", signed_on=today - 30 * day)
    quarterly = DirectiveFactory(number="05-CT/TU", short_title="Chuyển đổi số", signed_on=today - 300 * day)
    halves, quarters = ScheduleFactory(), ScheduleFactory(quarterly=True, semiannual=False, annual=False)
    for n, key in enumerate(("H-1", "H-2")):
        starts = today - (400 - 180 * n) * day
        PeriodFactory(schedule=halves, key=key, starts_on=starts, ends_on=starts + 179 * day, due_on=starts + 185 * day)
    for n, key in enumerate(("Q-1", "Q-2", "Q-3")):
        starts = today - (300 - 90 * n) * day
        PeriodFactory(
            schedule=quarters, key=key, kind="quarterly", starts_on=starts, ends_on=starts + 89 * day,
            due_on=starts + 95 * day, title=f"Quý thử {n + 1}",
        )  # fmt: skip
    AssignmentFactory(task=TaskFactory(directive=half_yearly, number=1), schedule=halves)
    AssignmentFactory(task=TaskFactory(directive=quarterly, number=1), schedule=quarters)
    return half_yearly, quarterly


def test_changing_the_directive_on_a_phone_offers_its_own_periods(browser, live_server, password, committee_user,
                                                                  two_directives):  # fmt: skip
    half_yearly, quarterly = two_directives
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Tên đăng nhập").fill(committee_user.username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/dashboard/")
        start = page.get_by_label(FROM_PERIOD)
        expect(start.locator("option")).to_have_count(2)
        page.get_by_label(DIRECTIVE, exact=True).select_option(str(quarterly.pk))
        expect(start.locator("option")).to_have_count(3)
        expect(start).to_have_value("Q-3")
        expect(page.get_by_label(TO_PERIOD)).to_have_value("Q-3")
        page.get_by_label(FROM_PERIOD).select_option(label="Quý thử 1")
        page.get_by_role("button", name=SHOW).click()
        page.wait_for_url(lambda url: f"directive={quarterly.pk}" in url)
        expect(page.get_by_label(FROM_PERIOD)).to_have_value("Q-1")
        expect(page.get_by_label(TO_PERIOD)).to_have_value("Q-3")
        expect(page.get_by_test_id("selection-form")).not_to_contain_text(WARNING)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
