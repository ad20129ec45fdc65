"""The report page in real Chromium, on a desktop (1280 px) and a phone (375 px):
a new report is saved and sent in one click; a returned report's reason is the
first thing on the page; the change history reads like a person wrote it.

Screenshots of a returned report at 1366 and 375 px are written to
``$VAR_DIR/screenshots/`` for a person to look at."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from reports.models import ReportState
from reports.workflow import report_transition
from tests.factories import PeriodFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRITE_REPORT = "Viết báo cáo"
RESULTS = "Kết quả đạt được"
SEND_TO_HEAD = "Gửi lãnh đạo đơn vị ký duyệt"
SENT_MESSAGE = "Đã lưu và gửi lãnh đạo đơn vị ký duyệt."
AWAITING_SIGNOFF = "Chờ ký duyệt"
RETURN_REASON = "Bổ sung kết quả cụ thể ở từng xã, kèm biên bản giám sát."


@pytest.fixture
def current_period(assignment_a):
    today = timezone.localdate()
    return PeriodFactory(
        schedule=assignment_a.schedule,
        kind="semiannual",
        key=f"{today.year}-H1",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today,
        due_on=today + datetime.timedelta(days=5),
    )


@pytest.fixture
def people(reporter_a, head_a, office_user):
    for user, name in ((reporter_a, "Nguyễn Thị Lan"), (head_a, "Trần Văn Hùng"), (office_user, "Phạm Thu Hà")):
        user.first_name, user.last_name = name, ""
        user.save()


@pytest.fixture
def open_as(browser, live_server, password):
    contexts = []

    def open_as(username, width):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập").click()
        expect(page).not_to_have_url(re.compile(r"/login/"))
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def returned_report(assignment_a, current_period, reporter_a, head_a, office_user, people):
    report = ReportFactory(
        assignment=assignment_a,
        period=current_period,
        created_by=reporter_a,
        implementation_status="in_progress",
        percent_complete=60,
        results="Đã tổ chức 12 cuộc giám sát chuyên đề tại các xã, thị trấn.",
        difficulties="Một số xã chưa bố trí được thời gian.",
    )
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    report = report_transition(report=report, action="submit", by=head_a)
    return report_transition(report=report, action="return", by=office_user, reason=RETURN_REASON)


def fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 375])
def test_a_new_report_is_saved_and_sent_in_one_click(open_as, reporter_a, head_a, current_period, width):
    with translation.override("vi"):
        period_label = str(current_period.label)
    page = open_as("reporter-a", width)
    row = page.get_by_test_id("work-row").filter(has_text=period_label)
    with page.expect_navigation():
        row.get_by_role("link", name=WRITE_REPORT, exact=True).click()
    page.get_by_label(RESULTS).fill("Đã quán triệt đến 45/45 chi bộ.")
    send = page.get_by_role("button", name=SEND_TO_HEAD, exact=True)
    expect(send).to_be_visible()
    expect(send).to_be_enabled()
    assert fits(page, width)
    with page.expect_navigation():
        send.click()
    expect(page.get_by_test_id("report-state")).to_have_text(AWAITING_SIGNOFF)
    expect(page.get_by_text(SENT_MESSAGE)).to_be_visible()
    report = current_period.reports.get()
    assert report.state == ReportState.PENDING_SIGNOFF
    assert report.transitions.count() == 1


@pytest.mark.parametrize("width", [1280, 375])
def test_a_returned_reports_reason_is_at_the_top_of_the_page(open_as, returned_report, width):
    page = open_as("reporter-a", width)
    page.goto(f"{page.base_url}/reports/{returned_report.pk}/")
    alert = page.get_by_test_id("pending-reason")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(RETURN_REASON)
    expect(alert).to_contain_text("Phạm Thu Hà")
    box, form = alert.bounding_box(), page.get_by_test_id("report-form").bounding_box()
    # Seen without scrolling, above the form, on a phone as on a desktop.
    assert box["y"] + box["height"] <= 800
    assert box["y"] < form["y"]
    assert fits(page, width)


def test_the_change_history_reads_like_a_person_wrote_it(open_as, returned_report):
    page = open_as("office", 1280)
    page.goto(f"{page.base_url}/reports/{returned_report.pk}/")
    history = page.get_by_test_id("history")
    today = timezone.localdate().strftime("%d/%m/%Y")
    expect(history).to_contain_text(re.compile(rf"{re.escape(today)} \d\d:\d\d"))
    expect(history).to_contain_text("Người gửi: — → Trần Văn Hùng")
    expect(history).to_contain_text("Tình trạng: Đã gửi → Bị trả lại")
    expect(history).to_contain_text("Phạm Thu Hà")
    text = history.inner_text()
    assert not re.search(r"\d\d:\d\d:\d\d|\+00:00", text)
    history.screenshot(path=screenshot_folder() / "report-history-1280.png")


def screenshot_folder():
    folder = Path(os.environ.get("SCREENSHOT_DIR", Path(settings.VAR_DIR) / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [1366, 375])
def test_screenshots_of_a_returned_report(open_as, returned_report, width):
    page = open_as("reporter-a", width)
    page.goto(f"{page.base_url}/reports/{returned_report.pk}/")
    expect(page.get_by_test_id("pending-reason")).to_be_visible()
    page.screenshot(path=screenshot_folder() / f"report-returned-{width}.png", full_page=True)
    assert fits(page, width)
