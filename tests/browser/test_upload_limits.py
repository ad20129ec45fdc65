"""Too large a file and too long a text in real Chromium (issue #10.3, #10.8):
the browser refuses a file over the limit before sending anything and keeps
what was typed; if a body over the limit reaches the server anyway (no
script), the server answers unread and the form comes back with the reason;
text over the limit comes back in the form with the error."""

import pytest
from playwright.sync_api import expect

from reports.models import Attachment, ProgressReport
from tests.factories import PeriodFactory, ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULTS = "Kết quả đạt được"
DIFFICULTIES = "Khó khăn, vướng mắc"
ATTACH = "Đính kèm tài liệu"
SAVE_DRAFT = "Lưu nháp"
TYPED = "Gõ mà chưa lưu: đã quán triệt đến 45 chi bộ."
DRAFT_SAVED = "Đã lưu bản nháp."


@pytest.fixture
def report(assignment_a, reporter_a):
    period = PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
    return ReportFactory(assignment=assignment_a, period=period, created_by=reporter_a, results="Đã lưu trước.")


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "Biên bản lớn.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\0" * (3 * 1024 * 1024))
    return path


def open_report(sign_in, reporter, report):
    page = sign_in(reporter.username)
    page.goto(f"{page.base_url}/reports/{report.pk}/")
    return page


def test_browser_refuses_a_file_over_the_limit_before_sending_and_keeps_the_text(
    settings, report, reporter_a, sign_in, big_file
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    page = open_report(sign_in, reporter_a, report)
    page.get_by_label(RESULTS).fill(TYPED)
    files = page.get_by_label(ATTACH)
    files.set_input_files(str(big_file))

    alert = page.get_by_role("alert").filter(has_text="Biên bản lớn.pdf")
    expect(alert).to_contain_text("Tệp “Biên bản lớn.pdf” có dung lượng 3,0\xa0MB; giới hạn cho phép là 1,0\xa0MB.")
    expect(alert).to_contain_text("nội dung bạn đã nhập vẫn được giữ nguyên")
    expect(files).to_have_attribute("aria-invalid", "true")
    assert files.evaluate("input => input.files.length") == 0  # the choice is cleared

    # The rest of the form is saved as usual, without the file.
    page.get_by_role("button", name=SAVE_DRAFT).click()
    expect(page.get_by_text(DRAFT_SAVED)).to_be_visible()
    assert ProgressReport.objects.get(pk=report.pk).results == TYPED
    assert not Attachment.objects.exists()


def test_without_the_script_the_server_refuses_the_body_unread_and_shows_the_form_again(
    settings, report, reporter_a, sign_in, big_file, browser, live_server, password
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(reporter_a.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.get_by_label(RESULTS).fill(TYPED)
    page.get_by_label(ATTACH).set_input_files(str(big_file))
    page.get_by_role("button", name=SAVE_DRAFT).click()

    expect(page.get_by_role("alert").first).to_contain_text(
        "Nội dung gửi lên có dung lượng 3,0\xa0MB; giới hạn cho phép là 1,0\xa0KB. Chưa có gì được lưu"
    )
    expect(page.get_by_label(RESULTS)).to_be_visible()  # the form, ready for another try
    assert page.url.endswith(f"/reports/{report.pk}/")
    assert ProgressReport.objects.get(pk=report.pk).results == "Đã lưu trước."
    assert not Attachment.objects.exists()
    context.close()


def test_text_over_the_limit_comes_back_in_the_form_with_the_error(settings, report, reporter_a, sign_in):
    settings.TEXT_MAX_CHARS = 50
    page = open_report(sign_in, reporter_a, report)
    long_text = "Kinh phí hạn hẹp, cán bộ kiêm nhiệm nhiều việc; chưa có biên chế riêng."
    page.get_by_label(RESULTS).fill(TYPED)
    page.get_by_label(DIFFICULTIES).fill(long_text)
    expect(page.get_by_text("Tối đa 50 ký tự.").first).to_be_visible()
    page.get_by_role("button", name=SAVE_DRAFT).click()

    expect(page.get_by_text(f"Nội dung này có {len(long_text)} ký tự, vượt giới hạn 50 ký tự.")).to_be_visible()
    expect(page.get_by_label(DIFFICULTIES)).to_have_value(long_text)
    expect(page.get_by_label(RESULTS)).to_have_value(TYPED)
    assert ProgressReport.objects.get(pk=report.pk).results == "Đã lưu trước."
