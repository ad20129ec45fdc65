"""The dashboard's exports (issue #5, part 7): the Excel workbook, the compiled
report as Word and PDF, each opened with a real reader; who may download them;
and a number of queries that does not grow with the data."""

import datetime
import io
import re
import subprocess
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import docx
import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx.shared import Cm

from dashboard.exports.pdf import missing_glyphs
from dashboard.figures import figures_build
from dashboard.measures import ReportStatus
from dashboard.models import ExportJob, SummaryTemplate
from dashboard.summary import summary_content
from directives.models import IndicatorKind
from reports.models import IndicatorValue, ReportingPeriod, ReportState
from reports.storage import private_storage
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    IndicatorFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
)

D = datetime.date
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = D(2025, 1, 15)
# Titles with the letters a font most often lacks: ế ỗ ữ ặ đ Đ ẩ ử ồ ổ ọ ị.
TASK_TITLES = [
    "Đẩy mạnh tuyên truyền nghị quyết; xử lý dứt điểm kiến nghị cử tri tồn đọng",
    "Đổi mới hoạt động đại biểu: chỗ dựa vững chắc, đặc biệt ở cơ sở; ổn định trật tự",
]
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
URL_NAMES = ["dashboard_export_xlsx", "dashboard_summary_docx", "dashboard_summary_pdf"]


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LOCAL)


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield TODAY


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    """Uploaded templates and built exports in a temporary folder (the fields'
    storage was built from the settings at import)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for model in (SummaryTemplate, ExportJob):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


class World(SimpleNamespace):
    """A directive of two tasks with four indicators, two half-year periods,
    and units that each report on both tasks."""

    def add_units(self, count):
        start = len(self.units)
        for index in range(start, start + count):
            unit = UnitFactory(code=f"huyen-{index:02d}", name=f"Huyện ủy Thử nghiệm {index:02d}", parent=self.province)
            self.units.append(unit)
            for task in self.tasks:
                assignment = AssignmentFactory(task=task, unit=unit, schedule=self.schedule)
                self._reports(index, assignment)

    def _reports(self, index, assignment):
        if index == 1:
            return  # sends nothing: overdue twice, and "nothing sent" in the report
        h1 = ReportFactory(
            assignment=assignment,
            period=self.h1,
            state=ReportState.ACCEPTED,
            submitted_at=at(D(2024, 6, 18)),
            implementation_status="in_progress",
            percent_complete=40 + index,
            results=f"Kết quả của đơn vị {index:02d}: đã tổ chức hội nghị quán triệt & tuyên truyền.",
            difficulties="Kinh phí còn hạn chế.",
            proposals="Đề nghị bổ sung biên chế.",
        )
        self._values(h1, index)
        if index % 3 == 0:
            h2 = ReportFactory(
                assignment=assignment,
                period=self.h2,
                state=ReportState.SUBMITTED,
                submitted_at=at(D(2024, 12, 27)),
                implementation_status="completed",
                percent_complete=100,
                results=f"Đơn vị {index:02d} đã hoàn thành nhiệm vụ.\nĐã ban hành kế hoạch.",
                difficulties="",
                proposals="",
            )
            self._values(h2, index)

    def _values(self, report, index):
        for indicator in self.indicators[report.assignment.task_id]:
            value = {
                IndicatorKind.COUNT: 2,
                IndicatorKind.NUMBER: Decimal("1.5"),
                IndicatorKind.PERCENT: 60 + 10 * (index % 2 == 0),
                IndicatorKind.YES_NO: index % 2,
            }[indicator.kind]
            IndicatorValue.objects.create(report=report, indicator=indicator, value=value)

    @property
    def query(self):
        return {"directive": self.directive.pk, "start": "2024-H1", "end": "2024-H2"}

    def figures(self):
        periods = list(ReportingPeriod.objects.filter(schedule=self.schedule).order_by("due_on"))
        return figures_build(directive=self.directive, periods=periods, as_of=TODAY)


def make_world(units=3):
    w = World(units=[])
    w.province = UnitFactory(code="tinh-uy", name="Tỉnh ủy Hải Dương", level=1)
    w.directive = DirectiveFactory(
        number="12-CT/TU",
        issuing_unit=w.province,
        issuer_name="Ban Thường vụ Tỉnh ủy",
        place="Hải Dương",
        signed_on=D(2021, 9, 28),
        title="về tăng cường sự lãnh đạo của Đảng đối với Hội đồng nhân dân các cấp",
    )
    w.tasks = [TaskFactory(directive=w.directive, number=n, title=title) for n, title in enumerate(TASK_TITLES, 1)]
    first, second = w.tasks
    w.indicators = {
        first.pk: [
            IndicatorFactory(task=first, code="hoi-nghi", name="Số hội nghị quán triệt", kind=IndicatorKind.COUNT),
            IndicatorFactory(task=first, code="ty-le", name="Tỷ lệ nghị quyết thực hiện", kind=IndicatorKind.PERCENT),
        ],
        second.pk: [
            IndicatorFactory(task=second, code="kinh-phi", name="Bố trí đủ kinh phí", kind=IndicatorKind.YES_NO),
            IndicatorFactory(task=second, code="ty-dong", name="Kinh phí (tỷ đồng)", kind=IndicatorKind.NUMBER),
        ],
    }
    w.schedule = ScheduleFactory(grace_days=0)
    w.h1 = PeriodFactory(
        schedule=w.schedule, key="2024-H1", starts_on=D(2023, 12, 15), ends_on=D(2024, 6, 14), due_on=D(2024, 6, 19)
    )
    w.h2 = PeriodFactory(
        schedule=w.schedule, key="2024-H2", starts_on=D(2024, 6, 15), ends_on=D(2024, 12, 14), due_on=D(2024, 12, 19)
    )
    w.add_units(units)
    return w


@pytest.fixture
def world(db):
    return make_world()


def get(client, name, query):
    return client.get(reverse(name), query)


def squeeze(value):
    return " ".join(value.split())


# The workbook ---------------------------------------------------------------


def open_workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'attachment; filename="so-lieu-' in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def as_number(value):
    return None if value is None else float(value)


def test_workbook_has_one_sheet_per_view_with_frozen_bold_headers(world, committee_user, client_for, today):
    book = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query))

    assert len(book.sheetnames) == 5
    frozen = [sheet.freeze_panes for sheet in book.worksheets]
    assert frozen == ["A2", "C2", "B3", "B2", "B2"]
    for sheet in book.worksheets:
        assert sheet["A1"].font.b
        assert max(dimension.width for dimension in sheet.column_dimensions.values()) >= 36


def test_workbook_headline_and_taxonomy_equal_the_figures(world, committee_user, client_for, today):
    figures = world.figures()
    summary = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query)).worksheets[0]
    values = [row[1] for row in summary.iter_rows(min_row=2, values_only=True)]

    counts = figures.total.counts
    assert values[3] == datetime.datetime(2025, 1, 15)
    assert values[4:12] == [
        counts.expected,
        counts.received,
        counts.on_time,
        counts.late,
        counts.overdue,
        counts.awaiting,
        counts.accepted,
        counts.returned,
    ]
    assert values[12:15] == [
        float(counts.reporting_rate),
        float(counts.on_time_rate),
        float(figures.total.progress.value),
    ]
    assert values[-5:] == [count for _value, _label, count in figures.total.taxonomy.items()]
    assert (counts.expected, counts.received, counts.overdue) == (12, 6, 6)


def test_workbook_task_table_equals_the_figures(world, committee_user, client_for, today):
    figures = world.figures()
    sheet = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query)).worksheets[1]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows] == TASK_TITLES
    for row, item in zip(rows, figures.by_task, strict=True):
        counts = item.block.counts
        assert row[0] == item.task.number
        assert [as_number(value) for value in row[2:5]] == [
            float(item.block.progress.value),
            float(counts.reporting_rate),
            float(counts.on_time_rate),
        ]
        assert row[5] == counts.overdue
        assert list(row[6:14]) == [
            counts.expected,
            counts.received,
            counts.on_time,
            counts.late,
            counts.overdue,
            counts.awaiting,
            counts.accepted,
            counts.returned,
        ]
        assert list(row[14:]) == [count for _value, _label, count in item.block.taxonomy.items()]


def test_workbook_matrix_has_one_row_per_display_unit_with_each_tasks_cell(world, committee_user, client_for, today):
    figures = world.figures()
    sheet = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query)).worksheets[2]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    rows = list(sheet.iter_rows(min_row=3, values_only=True))

    assert header[5] == f"1. {TASK_TITLES[0]}" and header[10] == f"2. {TASK_TITLES[1]}"
    assert [row[1] for row in rows] == ["huyen-00", "huyen-01", "huyen-02"]
    by_code = {row[1]: row for row in rows}
    for (unit_pk, _task_pk), cell in figures.cells.items():
        row = by_code[figures.units[unit_pk].code]
        start = 5 + 5 * (cell.task.number - 1)
        assert row[start : start + 3] == (cell.counts.expected, cell.counts.received, cell.counts.on_time)
        assert row[start + 4] == cell.percent
    assert by_code["huyen-01"][8] == str(ReportStatus.OVERDUE.label)
    assert by_code["huyen-01"][9] is None  # nothing reported, so no progress


def test_workbook_late_list_holds_every_overdue_report_with_its_due_date(world, committee_user, client_for, today):
    figures = world.figures()
    sheet = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query)).worksheets[3]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    expected = sorted(
        (row.owing_unit.name, cell.task.number, row.period.due_on, row.days_overdue)
        for cell, row in figures.expected_rows()
        if row.status == ReportStatus.OVERDUE
    )
    assert sorted((row[0], row[1], row[4].date(), row[5]) for row in rows) == expected
    assert ("Huyện ủy Thử nghiệm 01", 1, D(2024, 6, 19), 210) in expected
    assert sheet["E2"].number_format == "DD/MM/YYYY"


def test_workbook_series_has_the_rates_of_each_period(world, committee_user, client_for, today):
    figures = world.figures()
    sheet = open_workbook(get(client_for(committee_user), "dashboard_export_xlsx", world.query)).worksheets[4]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows] == [point.period.key for point in figures.series]
    assert [tuple(as_number(value) for value in row[3:]) for row in rows] == [
        (as_number(p.reporting_rate), as_number(p.on_time_rate), as_number(p.progress)) for p in figures.series
    ]


# The compiled report ------------------------------------------------------------


def test_summary_content_compiles_each_units_latest_report_in_matrix_order(world, today):
    content = summary_content(world.figures(), today=TODAY)

    first = content.tasks[0]
    assert [unit.name for unit in first.units] == [unit.name for unit in world.units]
    sent, silent, late = first.units
    assert sent.reported and sent.period == "6 tháng cuối năm 2024"
    assert sent.results == "Đơn vị 00 đã hoàn thành nhiệm vụ.\nĐã ban hành kế hoạch."
    assert not silent.reported
    assert late.results.startswith("Kết quả của đơn vị 02")  # no H2 report: the H1 one
    assert late.proposals == "Đề nghị bổ sung biên chế."


def test_indicator_totals_sum_counts_average_percentages_and_count_yes(world, today):
    totals = {row.name: row for row in summary_content(world.figures(), today=TODAY).indicators}

    # Received reports in the range: units 00 and 02 in H1, unit 00 in H2.
    assert (totals["Số hội nghị quán triệt"].total, totals["Số hội nghị quán triệt"].reports) == ("6", 3)
    assert totals["Tỷ lệ nghị quyết thực hiện"].total == "70,0\u00a0%"
    assert totals["Bố trí đủ kinh phí"].total == "0/2 có"  # units, by their latest answer
    assert totals["Kinh phí (tỷ đồng)"].total == "4,50"


def test_summary_header_follows_the_party_format(world, today):
    content = summary_content(world.figures(), today=TODAY)

    # By default the office's compiled report to the Standing Committee.
    assert (content.issuing_body, content.issuing_office) == ("TỈNH ỦY HẢI DƯƠNG", "VĂN PHÒNG")
    assert content.number_line == "Số\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-BC/VPTU"
    assert content.place_date == "Hải Dương, ngày 15 tháng 01 năm 2025"
    assert content.subtitle == (
        "Kết quả thực hiện Chỉ thị số 12-CT/TU, ngày 28/9/2021 của Ban Thường vụ Tỉnh ủy "
        "về tăng cường sự lãnh đạo của Đảng đối với Hội đồng nhân dân các cấp"
    )
    assert content.period_line == "(Kỳ báo cáo: từ 6 tháng đầu năm 2024 đến 6 tháng cuối năm 2024)"
    assert [unit.name for unit in content.late_units] == ["Huyện ủy Thử nghiệm 01", "Huyện ủy Thử nghiệm 02"]


def open_word(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return docx.Document(io.BytesIO(response.content))


def word_text(document):
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_word_summary_has_the_party_header_every_task_and_the_signature(world, office_user, client_for, today):
    document = open_word(get(client_for(office_user), "dashboard_summary_docx", world.query))
    left, right = document.tables[0].rows[0].cells

    number, dated = document.tables[0].rows[1].cells
    lines = [p.text for p in left.paragraphs if p.text] + [number.text]
    assert lines == ["TỈNH ỦY HẢI DƯƠNG", "VĂN PHÒNG", "*", "Số\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-BC/VPTU"]
    party, date = right.paragraphs[0], dated.paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.runs[0].bold and party.runs[0].underline
    assert date.text == "Hải Dương, ngày 15 tháng 01 năm 2025" and date.runs[0].italic
    text = word_text(document)
    for heading in ("BÁO CÁO", "I. CÔNG TÁC LÃNH ĐẠO", "V. ĐỀ XUẤT, KIẾN NGHỊ", "Phụ lục 3", "Nơi nhận:"):
        assert heading in text
    for number, title in enumerate(TASK_TITLES, 1):
        assert f"{number}. {title}" in [p.text for p in document.paragraphs]
    assert "- Huyện ủy Thử nghiệm 01: chưa gửi báo cáo trong kỳ." in text
    assert "đã tổ chức hội nghị quán triệt & tuyên truyền." in text
    assert "CHÁNH VĂN PHÒNG" in text and "T/L BAN THƯỜNG VỤ" not in text
    assert "{{" not in text and "{%" not in text


def test_word_summary_is_a4_in_times_new_roman_with_the_guideline_margins(world, office_user, client_for, today):
    document = open_word(get(client_for(office_user), "dashboard_summary_docx", world.query))
    section = document.sections[0]

    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measured += [section.left_margin, section.right_margin]
    # Word stores twentieths of a point: a centimetre comes back within a hair.
    assert [round(length / Cm(1), 2) for length in measured] == [21, 29.7, 2, 2, 3, 1.5]
    assert document.styles["Normal"].font.name == "Times New Roman"
    indicators = document.tables[-1]
    assert [cell.text for cell in indicators.rows[1].cells][1:5] == ["Số hội nghị quán triệt", "cuộc", "1", "6"]


def pdf_text(data, tmp_path, *args):
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_pdf_summary_has_the_header_lines_and_every_task_with_its_diacritics(
    world, committee_user, client_for, today, tmp_path
):
    response = get(client_for(committee_user), "dashboard_summary_pdf", world.query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squeeze(pdf_text(response.content, tmp_path))

    for line in ("TỈNH ỦY HẢI DƯƠNG", "ĐẢNG CỘNG SẢN VIỆT NAM", "Hải Dương, ngày 15 tháng 01 năm 2025", "BÁO CÁO"):
        assert line in text
    assert re.search(r"Số\s+-BC/VPTU", text)
    for number, title in enumerate(TASK_TITLES, 1):
        assert f"{number}. {title}" in text
    for letters in ("ế", "ỗ", "ữ", "ặ", "đ", "Đ"):
        assert letters in text
    assert "Huyện ủy Thử nghiệm 01: chưa gửi báo cáo trong kỳ." in text
    assert "Nơi nhận:" in text and "CHÁNH VĂN PHÒNG" in text


def test_pdf_fonts_are_embedded_and_cover_every_vietnamese_letter(world, committee_user, client_for, today, tmp_path):
    response = get(client_for(committee_user), "dashboard_summary_pdf", world.query)
    path = tmp_path / "fonts.pdf"
    path.write_bytes(response.content)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout

    fonts = listing.splitlines()[2:]
    assert fonts, listing
    assert all(line.split()[-5] == "yes" for line in fonts), listing  # the "emb" column
    assert missing_glyphs(VIETNAMESE + VIETNAMESE.upper()) == ""


def test_pdf_is_a4(world, committee_user, client_for, today, tmp_path):
    response = get(client_for(committee_user), "dashboard_summary_pdf", world.query)
    path = tmp_path / "info.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout

    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info), info


# Who may download -----------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("user", ["reporter_a", "head_a"])
def test_unit_staff_are_refused_every_export(name, user, world, client_for, request, today):
    response = get(client_for(request.getfixturevalue(user)), name, world.query)

    assert response.status_code == 403


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("user", ["committee_user", "office_user", "admin_user"])
def test_province_roles_download_every_export(name, user, world, client_for, request, today):
    response = get(client_for(request.getfixturevalue(user)), name, world.query)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_visitors_are_sent_to_sign_in(name, world, client, today):
    response = get(client, name, world.query)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_directive_without_periods_is_not_found(committee_user, client_for, db, today):
    response = get(client_for(committee_user), "dashboard_export_xlsx", {})

    assert response.status_code == 404


# Queries -------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_query_count_does_not_grow_with_units_reports_and_indicator_values(name, committee_user, client_for, db, today):
    w = make_world(units=2)
    client = client_for(committee_user)
    get(client, name, w.query)  # the session and the user's groups are read once either way

    with CaptureQueriesContext(connection) as small:
        assert get(client, name, w.query).status_code == 200
    w.add_units(10)
    assert IndicatorValue.objects.count() >= 50
    with CaptureQueriesContext(connection) as large:
        assert get(client, name, w.query).status_code == 200

    assert len(large.captured_queries) == len(small.captured_queries)
    # 16, one for the units moved since the range ended (units.placement), one for the follow-up items
    # appendix, 7 for the dissemination coverage (section I, XLSX sheets), 2 for the figures' reports
    # read in two parts and the units' parents (dashboard.figures)
    assert len(small.captured_queries) <= 16 + 1 + 1 + 7 + 2
