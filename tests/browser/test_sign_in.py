import datetime

import pytest
from django.utils import timezone

from tests.factories import PeriodFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reporter_signs_in_and_sees_units_and_next_due_report(page, sign_in, reporter_a, assignment_a, assignment_b):
    today = timezone.localdate()
    PeriodFactory(
        schedule=assignment_a.schedule,
        key="next",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today,
        due_on=today + datetime.timedelta(days=3),
    )
    sign_in("reporter-a")
    assert page.get_by_test_id("current-user").is_visible()
    units = page.get_by_test_id("my-units")
    assert "Huyện ủy Gia Lộc (thử)" in units.inner_text()
    table = page.get_by_test_id("my-assignments")
    assert "Nâng cao nhận thức về vai trò của HĐND" in table.inner_text()
    assert "Còn 3 ngày" in table.inner_text()
    assert "Huyện ủy Tứ Kỳ (thử)" not in page.content()


def test_committee_member_signs_in_and_lands_on_the_dashboard(page, sign_in, committee_user, assignment_a):
    PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
    sign_in("committee")
    assert page.url.endswith("/dashboard/")
    assert assignment_a.task.directive.title in page.get_by_test_id("dashboard-scope").inner_text()


def test_wrong_password_keeps_the_user_on_the_login_page_with_an_error(page, reporter_a):
    page.goto(f"{page.base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill("reporter-a")
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in alert.inner_text()
    assert "/login/" in page.url


def test_home_page_is_usable_on_a_phone(browser, live_server, sign_in, page, reporter_a, assignment_a):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in("reporter-a")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
