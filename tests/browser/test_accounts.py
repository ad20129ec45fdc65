"""Sign-in, passwords and the admin in real Chromium, under the site's
Content-Security-Policy (the page fixture fails a test on any violation)."""

import re

import pytest
from django.core import mail

from accounts.services import users_send_set_password
from tests.browser.test_dashboard import directive  # noqa: F401 (the seed directive with an accepted report)
from tests.factories import UserFactory
from tracker.celery import app as celery_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Chi-thi-moi-2026!"


def sign_in_with(page, username, password):
    page.goto(f"{page.base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.fixture
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_new_user_follows_the_emailed_link_chooses_a_password_and_signs_in(
    page, eager_tasks, django_capture_on_commit_callbacks
):
    user = UserFactory(username="chuyen-vien-moi", email="lan@example.vn", first_name="Lan")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        users_send_set_password(users=[user])
    (message,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/account/password/set/\S+/)", message.body).group(1)

    page.goto(page.base_url + path)
    assert "chuyen-vien-moi" in page.get_by_role("main").inner_text()
    page.locator("#id_new_password1").fill("1234")
    page.locator("#id_new_password2").fill("1234")
    page.get_by_role("button", name="Lưu mật khẩu").click()
    assert "Mật khẩu quá ngắn" in page.get_by_role("main").inner_text()

    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu").click()
    page.get_by_test_id("password-set").wait_for()

    sign_in_with(page, "chuyen-vien-moi", NEW_PASSWORD)
    assert "/login/" not in page.url
    assert page.get_by_test_id("current-user").inner_text() == "Nguyễn Văn Lan"  # họ và tên đệm, then tên


def test_a_user_changes_their_password_from_the_menu(page, sign_in, reporter_a, password):
    sign_in("reporter-a")
    page.get_by_test_id("change-password").click()
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đổi mật khẩu của tôi").click()
    page.get_by_test_id("password-changed").wait_for()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(NEW_PASSWORD)


def test_repeated_wrong_passwords_show_when_to_try_again(page, reporter_a, password, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in_with(page, "reporter-a", "doan-sai")
    lockout = page.get_by_test_id("lockout")
    assert "tạm khóa đến" in lockout.inner_text()
    sign_in_with(page, "reporter-a", password)
    assert page.get_by_test_id("lockout").is_visible()
    assert "/login/" in page.url


def test_the_admin_works_under_the_content_security_policy(page, sign_in, admin_user, unit_a):
    sign_in("admin")
    base = page.base_url + "/admin/"

    page.goto(base)
    assert page.get_by_role("heading", level=1).is_visible()

    # A changelist with its filters and the unit tree's indents (from a stylesheet).
    page.goto(base + "units/unit/?kind__exact=" + unit_a.kind)
    name = page.locator(".unit-tree-depth-1").first
    assert name.evaluate("el => getComputedStyle(el).paddingLeft") == "40px"

    # Date widgets: the "today" shortcut and the calendar.
    page.goto(base + "units/unit/add/")
    page.locator("#id_valid_from").fill("")
    page.locator(".datetimeshortcuts a").first.click()
    assert re.match(r"\d{2}/\d{2}/\d{4}", page.locator("#id_valid_from").input_value())
    page.locator(".datetimeshortcuts a").nth(1).click()
    assert page.locator(".calendarbox").first.is_visible()

    # The user form: password-based authentication off by default, its fields shown when turned on.
    page.goto(base + "auth/user/add/")
    assert not page.locator("#id_password1").is_visible()
    page.locator("#id_usable_password_0").check()
    assert page.locator("#id_password1").is_visible()

    # The lockout list (django-axes) and its filter.
    page.goto(base + "axes/accessattempt/?locked_out=yes")
    assert page.locator("#changelist").is_visible()

    # django-celery-beat's pages, whose own template had an inline script.
    page.goto(base + "django_celery_beat/periodictask/")
    assert page.locator("#changelist").is_visible()
    page.goto(base + "django_celery_beat/periodictask/add/")
    crontab = page.locator("#id_crontab")
    options = crontab.locator("option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    if options:
        crontab.select_option(options[0])
        assert page.locator(".field-crontab .help").inner_text().strip() != ""
    assert page.csp_violations == []


@pytest.mark.usefixtures("directive")
def test_dashboard_progress_bars_take_their_width_from_the_data_without_inline_styles(page, sign_in, committee_user):
    sign_in("committee")
    bars = page.locator("[data-bar-width]")
    assert bars.count() >= 6
    widths = bars.evaluate_all("els => els.map(e => [e.dataset.barWidth, e.style.width])")
    assert all(style == f"{value}%" for value, style in widths), widths
    assert any(value != "0" for value, _ in widths)
