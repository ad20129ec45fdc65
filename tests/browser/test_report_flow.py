"""A report's whole journey in real Chromium: the reporter writes it with an
attachment, the head signs off, the office returns it with a reason, the
reporter fixes it, the head signs off again and the office accepts; a reporter
of another unit cannot see it. Each person has their own browser context, as
they would have their own computer.

The texts are the Vietnamese ones of locale/vi: if a translation changes, the
constants below are the one place to update."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MY_WORK = "Việc của tôi"
REVIEW_INBOX = "Báo cáo chờ tiếp nhận"
WRITE_REPORT = "Viết báo cáo"
OPEN_REPORT = "Mở báo cáo"
REVIEW = "Xem xét"
OPEN_NOTIFICATION = "Mở"

IMPLEMENTATION_STATUS = "Tình hình thực hiện"
IN_PROGRESS = "Đang thực hiện"
PERCENT = "Tỷ lệ hoàn thành (%)"
RESULTS = "Kết quả đạt được"
DIFFICULTIES = "Khó khăn, vướng mắc"
PROPOSALS = "Đề xuất, kiến nghị"
NEXT_STEPS = "Nhiệm vụ thời gian tới"
ATTACH = "Đính kèm tài liệu"
INDICATOR = "Số cuộc giám sát (cuộc)"
PERCENT_ERROR = "Tỷ lệ hoàn thành phải từ 0 đến 100."
REASON = "Lý do (bắt buộc)"

SAVE_DRAFT = "Lưu nháp"
SEND_TO_HEAD = "Gửi lãnh đạo đơn vị ký duyệt"
SUBMIT = "Gửi Văn phòng Tỉnh ủy"
RETURN = "Trả lại cho đơn vị"
ACCEPT = "Tiếp nhận"

DRAFT = "Bản nháp"
AWAITING_SIGNOFF = "Chờ ký duyệt"
SUBMITTED = "Đã gửi"
RETURNED = "Bị trả lại"
ACCEPTED = "Đã tiếp nhận"

TIMELINE_STEPS = [
    "Bắt đầu soạn",
    "Gửi lãnh đạo đơn vị ký duyệt",
    "Gửi Văn phòng Tỉnh ủy",
    "Văn phòng Tỉnh ủy trả lại",
    "Gửi lãnh đạo đơn vị ký duyệt",
    "Gửi Văn phòng Tỉnh ủy",
    "Văn phòng Tỉnh ủy tiếp nhận",
]

RESULTS_TEXT = "Đã tổ chức 12 cuộc giám sát chuyên đề tại các xã, thị trấn."
FIXED_RESULTS_TEXT = "Đã tổ chức 12 cuộc giám sát chuyên đề; kết luận được gửi tới 18/18 xã."
RETURN_REASON = "Bổ sung kết quả cụ thể ở từng xã."
PDF_NAME = "bien-ban-giam-sat.pdf"

# The fields a user can fill in that no <label> names (aria-label does not count).
UNLABELLED_FIELDS_JS = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter((field) => field.type !== "hidden" && field.labels.length === 0)
    .map((field) => field.name || field.id || field.outerHTML)"""


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
def indicator(assignment_a):
    return IndicatorFactory(task=assignment_a.task, name="Số cuộc giám sát", unit_of_measure="cuộc")


@pytest.fixture
def open_as(browser, live_server, password):
    """A signed-in page in a browser context of its own, one per person."""
    contexts = []

    def open_as(username, width=1280):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        follow(page, page.get_by_role("button", name="Đăng nhập"))
        expect(page).not_to_have_url(re.compile(r"/login/"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def expect_state(page, state):
    expect(page.get_by_test_id("report-state")).to_have_text(state)


def follow(page, locator):
    """Clicks a link or a submit button and waits for the page that answers:
    Playwright's click itself no longer waits for the navigation it starts."""
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def press(page, name):
    return follow(page, page.get_by_role("button", name=name, exact=True))


def open_first_notification(page):
    follow(page, page.get_by_test_id("bell"))
    follow(page, page.get_by_test_id("notifications").get_by_role("button", name=OPEN_NOTIFICATION).first)
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))


def review_from_inbox(page, unit_name):
    follow(page, page.get_by_role("link", name=REVIEW_INBOX, exact=True).first)
    row = page.get_by_test_id("inbox").get_by_role("row").filter(has_text=unit_name)
    follow(page, row.get_by_role("link", name=REVIEW, exact=True))
    expect_state(page, SUBMITTED)


def write_first_draft(page, period_label, pdf):
    """Fills in the whole form, but with a percentage the form must refuse.
    A report not yet saved can only be saved: sending comes with the draft."""
    follow(page, page.get_by_role("link", name=MY_WORK, exact=True).first)
    expect(page).to_have_url(re.compile(r"/my-work/$"))
    row = page.get_by_test_id("work-row").filter(has_text=period_label)
    follow(page, row.get_by_role("link", name=WRITE_REPORT, exact=True))
    expect(page.get_by_test_id("report-form")).to_be_visible()
    page.get_by_label(IMPLEMENTATION_STATUS).select_option(label=IN_PROGRESS)
    page.get_by_label(PERCENT).fill("150")
    page.get_by_label(RESULTS).fill(RESULTS_TEXT)
    page.get_by_label(DIFFICULTIES).fill("Một số xã chưa bố trí được thời gian.")
    page.get_by_label(PROPOSALS).fill("Đề nghị Thường trực HĐND tỉnh hướng dẫn mẫu biên bản.")
    page.get_by_label(NEXT_STEPS).fill("Giám sát 6 xã còn lại trong quý III.")
    page.get_by_label(INDICATOR).fill("12")
    page.get_by_label(ATTACH).set_input_files(pdf)
    return press(page, SAVE_DRAFT)


def expect_percent_refused_and_work_kept(page):
    expect(page.get_by_text(PERCENT_ERROR)).to_be_visible()
    expect(page.get_by_label(PERCENT)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(PERCENT)).to_have_accessible_description(PERCENT_ERROR)
    expect(page.get_by_label(PERCENT)).to_have_value("150")
    expect(page.get_by_label(RESULTS)).to_have_value(RESULTS_TEXT)
    expect(page.get_by_label(INDICATOR)).to_have_value("12")
    expect(page.get_by_test_id("attachments")).to_contain_text(PDF_NAME)


def test_report_goes_from_reporter_to_head_to_office_and_back_until_accepted(
    open_as, reporter_a, head_a, office_user, reporter_b, unit_a, current_period, indicator, tmp_path
):
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    with translation.override("vi"):
        period_label = str(current_period.label)

    # The reporter writes the report; the form refuses 150 %, on saving and on
    # sending, but keeps the text and the file.
    reporter = open_as("reporter-a")
    assert write_first_draft(reporter, period_label, pdf).status == 400
    expect_percent_refused_and_work_kept(reporter)
    assert press(reporter, SEND_TO_HEAD).status == 400
    expect_percent_refused_and_work_kept(reporter)
    expect_state(reporter, DRAFT)

    reporter.get_by_label(PERCENT).fill("60")
    press(reporter, SEND_TO_HEAD)
    expect_state(reporter, AWAITING_SIGNOFF)
    expect(reporter.get_by_test_id("report-form")).to_have_count(0)
    report_url = reporter.url
    attachment_link = reporter.get_by_test_id("attachments").get_by_role("link", name=PDF_NAME)
    attachment_url = f"{reporter.base_url}{attachment_link.get_attribute('href')}"
    download = reporter.request.get(attachment_url)
    assert download.status == 200
    assert download.body().startswith(b"%PDF-1.4")

    # The head is told, opens the report from the bell and signs it off.
    head = open_as("head-a")
    expect(head.get_by_test_id("unread-count")).to_have_text("1")
    open_first_notification(head)
    expect_state(head, AWAITING_SIGNOFF)
    expect(head.get_by_label(RESULTS)).to_have_value(RESULTS_TEXT)
    press(head, SUBMIT)
    expect_state(head, SUBMITTED)

    # The office lands on its inbox and returns the report with a reason.
    office = open_as("office")
    expect(office).to_have_url(re.compile(r"/inbox/$"))
    review_from_inbox(office, unit_a.display_name)
    office.get_by_label(REASON).fill(RETURN_REASON)
    press(office, RETURN)
    expect_state(office, RETURNED)

    # The reporter sees the bell, reads the reason, fixes the text, sends again.
    reporter.goto(f"{reporter.base_url}/")
    expect(reporter.get_by_test_id("unread-count")).to_have_text("1")
    open_first_notification(reporter)
    expect_state(reporter, RETURNED)
    expect(reporter.get_by_test_id("timeline")).to_contain_text(RETURN_REASON)
    reporter.get_by_label(RESULTS).fill(FIXED_RESULTS_TEXT)
    press(reporter, SEND_TO_HEAD)
    expect_state(reporter, AWAITING_SIGNOFF)

    # The head signs off again, this time from "my work".
    follow(head, head.get_by_role("link", name=MY_WORK, exact=True).first)
    row = head.get_by_test_id("work-row").filter(has_text=period_label)
    follow(head, row.get_by_role("link", name=OPEN_REPORT, exact=True))
    expect(head.get_by_label(RESULTS)).to_have_value(FIXED_RESULTS_TEXT)
    press(head, SUBMIT)
    expect_state(head, SUBMITTED)

    # The office accepts; the report is read-only for everyone from now on.
    review_from_inbox(office, unit_a.display_name)
    press(office, ACCEPT)
    expect_state(office, ACCEPTED)
    reporter.goto(report_url)
    expect_state(reporter, ACCEPTED)
    expect(reporter.get_by_test_id("report-form")).to_have_count(0)
    expect(reporter.get_by_test_id("report-readonly")).to_contain_text(FIXED_RESULTS_TEXT)
    expect(reporter.get_by_role("button", name=SEND_TO_HEAD)).to_have_count(0)
    for page in (reporter, office):
        steps = page.get_by_test_id("timeline").get_by_role("listitem")
        expect(steps).to_have_count(len(TIMELINE_STEPS))
        for step, text in zip(steps.all(), TIMELINE_STEPS, strict=True):
            expect(step).to_contain_text(text)
        expect(page.get_by_test_id("timeline")).to_contain_text(RETURN_REASON)

    # Another unit's reporter gets 404 for the report and for its file.
    outsider = open_as("reporter-b")
    for url in (report_url, attachment_url):
        response = outsider.goto(url)
        assert response.status == 404, url
        assert FIXED_RESULTS_TEXT not in outsider.content()
        assert PDF_NAME not in outsider.content()


@pytest.mark.parametrize(
    ("username", "state"),
    [("reporter-a", "draft"), ("office", "submitted")],
    ids=["reporter-editing", "office-reviewing"],
)
def test_report_page_fits_a_phone_and_labels_every_field(
    open_as, reporter_a, office_user, assignment_a, current_period, indicator, username, state
):
    report = ReportFactory(assignment=assignment_a, period=current_period, state=state)
    page = open_as(username, width=375)
    response = page.goto(f"{page.base_url}/reports/{report.pk}/")
    assert response.status == 200
    expect(page.get_by_test_id("report-state")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(UNLABELLED_FIELDS_JS) == []
