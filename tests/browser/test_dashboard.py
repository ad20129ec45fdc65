"""The Standing Committee's dashboard in real Chromium: a committee member
lands on it, changes the periods, drills down from a task to a unit's report,
opens a row of the matrix, and downloads the three exports, each then opened
with a real reader (openpyxl, python-docx, pdftotext) and checked for every
task heading with its Vietnamese diacritics intact."""

import datetime
import io
import re
import shutil
import subprocess

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from directives.models import Directive
from reports.models import Assignment, ReportingPeriod, ReportState
from tests.factories import AssignmentFactory, ReportFactory, UserFactory
from units.models import Unit
from units.roles import COMMITTEE_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD = "Bảng điều hành"
FROM_PERIOD = "Từ kỳ"
SHOW = "Xem"
EXCEL = "Bảng tính Excel"
WORD = "Báo cáo tổng hợp (Word)"
PDF = "Báo cáo tổng hợp (PDF)"
OPEN = "Mở"
RESULTS_TEXT = "Đã tổ chức 14 hội nghị quán triệt Chỉ thị đến toàn thể cán bộ, đảng viên."


@pytest.fixture
def directive(db):
    call_command("load_directive", verbosity=0)
    directive = Directive.objects.get()
    today = timezone.localdate()
    latest = ReportingPeriod.objects.filter(due_on__lt=today).order_by("-due_on").first()
    lead = Assignment.objects.filter(task__number=1, role="lead", unit__valid_to__isnull=True).first()
    submitted = timezone.make_aware(datetime.datetime.combine(latest.due_on, datetime.time(9)))
    ReportFactory(
        assignment=lead,
        period=latest,
        state=ReportState.ACCEPTED,
        submitted_at=submitted,
        percent_complete=70,
        implementation_status="in_progress",
        results=RESULTS_TEXT,
    )
    # The council's boards report too, so that the People's Council rolls them up.
    schedule = lead.schedule
    for code in ("ban-pc", "ban-vhxh"):
        AssignmentFactory(task=directive.tasks.get(number=3), unit=Unit.objects.get(code=code), schedule=schedule,
                          role="coordinating")  # fmt: skip
    return directive


def _normalised(text):
    return re.sub(r"\s+", " ", text)


def test_committee_member_reads_drills_down_and_downloads_the_exports(page, sign_in, directive, tmp_path):
    UserFactory(username="btv", groups=[COMMITTEE_GROUP])
    sign_in("btv")
    expect(page.get_by_role("heading", name=DASHBOARD, exact=True)).to_be_visible()
    expect(page.get_by_test_id("headline")).to_contain_text("Tỷ lệ báo cáo")
    tasks = list(directive.tasks.order_by("number"))
    for task in tasks:
        expect(page.get_by_test_id("task-table")).to_contain_text(task.title)

    # A longer range: from the first period.
    first = ReportingPeriod.objects.order_by("due_on").first()
    page.get_by_label(FROM_PERIOD).select_option(first.key)
    page.get_by_role("button", name=SHOW, exact=True).click()
    page.wait_for_url(re.compile(rf"start={first.key}"))
    expect(page.get_by_test_id("period-label")).to_contain_text(str(first.key)[:4])

    # The matrix opens a row on demand: the Provincial People's Council's boards.
    council_row = page.locator('[data-testid="matrix-row"][data-unit="hdnd-tinh"]')
    council_row.get_by_role("button").click()
    expect(page.locator('[data-testid="matrix-row"][data-unit="ban-pc"]')).to_be_visible()

    # Task 1 → its units → the unit's report.
    page.get_by_test_id("task-table").get_by_role("link", name=tasks[0].title).click()
    expect(page.get_by_role("heading", name=tasks[0].title)).to_be_visible()
    # Over the whole range the lead unit reported only the latest period: its cell
    # shows the earlier periods overdue (what needs attention), and opens them all.
    lead = Assignment.objects.filter(task__number=1, role="lead", unit__valid_to__isnull=True).first()
    lead_row = page.get_by_test_id("task-units").get_by_role("row").filter(has_text=lead.unit.name)
    lead_row.get_by_role("link", name=re.compile("Quá hạn")).click()
    page.get_by_test_id("open-report").first.click()
    expect(page.get_by_text(RESULTS_TEXT)).to_be_visible()

    # The three exports, for the chosen range.
    page.go_back()
    page.go_back()
    page.go_back()
    expect(page.get_by_role("heading", name=DASHBOARD, exact=True)).to_be_visible()
    files = {}
    for label, name in ((EXCEL, "export.xlsx"), (WORD, "summary.docx"), (PDF, "summary.pdf")):
        with page.expect_download() as info:
            page.get_by_role("link", name=label).click()
        path = tmp_path / name
        info.value.save_as(path)
        files[name] = path

    workbook = openpyxl.load_workbook(files["export.xlsx"], read_only=True)
    cells = " ".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row)
    document = docx.Document(io.BytesIO(files["summary.docx"].read_bytes()))
    word_cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    word_text = _normalised(" ".join([*(paragraph.text for paragraph in document.paragraphs), *word_cells]))
    pdf_text = _normalised(subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(files["summary.pdf"]), "-"],
        check=True, capture_output=True, text=True,
    ).stdout)  # fmt: skip
    for task in tasks:
        assert task.title in cells, task.title
        assert task.title in word_text, task.title
        assert _normalised(task.title) in pdf_text, task.title
    for text in (word_text, pdf_text):
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
        assert RESULTS_TEXT in text


def test_the_office_downloads_the_standing_committees_report_signed_on_its_behalf(page, sign_in, directive, tmp_path):
    from units.roles import OFFICE_GROUP

    UserFactory(username="vp", groups=[OFFICE_GROUP])
    sign_in("vp")
    page.goto(f"{page.base_url}/dashboard/")
    files = {}
    for label, name in (
        ("Báo cáo của Ban Thường vụ (Word)", "btv.docx"),
        ("Báo cáo của Ban Thường vụ (PDF)", "btv.pdf"),
    ):
        with page.expect_download() as info:
            page.get_by_role("link", name=label).click()
        files[name] = tmp_path / name
        info.value.save_as(files[name])

    document = docx.Document(io.BytesIO(files["btv.docx"].read_bytes()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    word_text = _normalised(" ".join([*(paragraph.text for paragraph in document.paragraphs), *cells]))
    pdf_text = _normalised(subprocess.run(
        [shutil.which("pdftotext"), str(files["btv.pdf"]), "-"], check=True, capture_output=True, text=True
    ).stdout)  # fmt: skip
    for text in (word_text, pdf_text):
        assert "T/M BAN THƯỜNG VỤ" in text and "-BC/TU" in text and "VĂN PHÒNG" not in text.split("BÁO CÁO")[0]
        assert "Ban Bí thư TW Đảng (để b/c)" in text  # upward, from the directive's own distribution list


def test_the_office_reminds_a_late_unit_from_the_late_list_on_a_phone(page, sign_in, directive, tmp_path):
    """The late list's rows (written by the ``late_row`` tag) at 375 px: the
    office presses "Nhắc ngay" on a row, comes back to the same sort order, and
    the row counts the reminder."""
    from units.roles import OFFICE_GROUP

    UserFactory(username="vp", groups=[OFFICE_GROUP])
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in("vp")
    page.goto(f"{page.base_url}/dashboard/?late_sort=unit")
    row = page.get_by_test_id("late-row").first
    unit = row.locator("td").first.inner_text()
    expect(row.locator("td").nth(3)).to_have_text("0")
    row.get_by_role("button", name="Nhắc ngay").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile(r"đã được nhắc\.$"))).to_be_visible()  # the unit by its short name
    assert "late_sort=unit" in page.url
    first = page.get_by_test_id("late-row").first
    expect(first.locator("td").first).to_have_text(unit)
    expect(first.locator("td").nth(3)).to_have_text("1")
    page.screenshot(path=str(tmp_path / "late-list-375.png"), full_page=True)
    page.locator("#late-heading").locator("xpath=..").screenshot(path=str(tmp_path / "late-list-section-375.png"))
