"""A compiled report the office can sign as it comes out (issue #13): who
speaks and who signs in each of the two documents, the format of Hướng dẫn
36-HD/VPTW read back from the files, the body as a synthesis with every unit's
text in the appendix, and the Vietnamese way of writing numbers and dates."""

import datetime
import io
import re
import subprocess
import time
import zipfile

import docx
import pytest
import time_machine
from django.core.management import call_command

from dashboard.exports import docx as word
from dashboard.exports import pdf
from dashboard.figures import figures_build
from dashboard.letterhead import Flavour, place_date_line, recipient_lines, vi_date_short
from dashboard.summary import summary_content
from dashboard.synthesis import SEE_APPENDIX, Written, addressee, gather, group_proposals
from directives.models import Directive
from reports.models import ReportingPeriod, ReportState
from tests.dashboard.test_exports import TODAY, at, get, make_world, private_root, squeeze  # noqa: F401

D = datetime.date
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADINGS = [
    "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN",
    "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
    "III. HẠN CHẾ, KHÓ KHĂN, VƯỚNG MẮC VÀ NGUYÊN NHÂN",
    "IV. NHIỆM VỤ THỜI GIAN TỚI",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
    "Nơi nhận:",
    "Phụ lục 1",
    "Phụ lục 2",
    "Phụ lục 3",
    "Phụ lục 4",
]
UPWARD = "- Ban Bí thư TW Đảng (để b/c),\n- Văn phòng Trung ương Đảng (để b/c),\n- Các huyện ủy,\n- Lưu VPTU."


@pytest.fixture
def world(db):
    w = make_world()
    w.directive.distribution = UPWARD
    w.directive.save()
    return w


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield TODAY


def content_of(world, flavour=Flavour.OFFICE):
    return summary_content(world.figures(), today=TODAY, flavour=flavour)


# Who speaks and who signs ---------------------------------------------------------


def test_the_committees_report_is_numbered_tu_signed_on_behalf_and_sent_upward(world, today):
    content = content_of(world, Flavour.COMMITTEE)

    assert (content.issuing_body, content.issuing_office) == ("TỈNH ỦY HẢI DƯƠNG", "")
    assert content.number_line.endswith("-BC/TU") and content.number_line.startswith("Số\u00a0")
    assert content.signer_lines == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]
    # The bodies above in the directive's own distribution list, then the file copy.
    assert content.recipients == [
        "- Ban Bí thư TW Đảng (để b/c),",
        "- Văn phòng Trung ương Đảng (để b/c),",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    assert not any("Ban Thường vụ" in line for line in content.recipients)


def test_the_offices_report_is_issued_by_the_office_numbered_vptu_and_sent_to_the_committee(world, today):
    content = content_of(world)

    assert (content.issuing_body, content.issuing_office) == ("TỈNH ỦY HẢI DƯƠNG", "VĂN PHÒNG")
    assert content.number_line.endswith("-BC/VPTU")
    assert content.signer_lines == ["CHÁNH VĂN PHÒNG"]
    assert content.recipients[0] == "- Thường trực Tỉnh ủy (để b/c),"
    assert content.recipients[-1] == "- Lưu Văn phòng Tỉnh ủy."
    assert "Văn phòng Tỉnh ủy" in content.appendix_note and "-BC/VPTU" in content.appendix_note


def test_signers_and_recipients_are_set_per_directive(world, today):
    directive = world.directive
    directive.committee_signer_title = "PHÓ BÍ THƯ THƯỜNG TRỰC"
    directive.committee_signer_name = "Nguyễn Văn A"
    directive.committee_recipients = "Ban Bí thư Trung ương Đảng (để b/c)\n- Văn phòng Trung ương Đảng (để b/c);"
    directive.office_signer_title = "K/T CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG"
    directive.office_signer_name = "Trần Thị B"
    directive.save()

    committee, office = content_of(world, Flavour.COMMITTEE), content_of(world)

    assert (committee.signer_lines, committee.signer_name) == (
        ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC"],
        "Nguyễn Văn A",
    )
    assert committee.recipients == [
        "- Ban Bí thư Trung ương Đảng (để b/c),",
        "- Văn phòng Trung ương Đảng (để b/c),",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    assert (office.signer_lines, office.signer_name) == (["K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"], "Trần Thị B")


def test_a_recipient_list_is_written_as_a_clerk_writes_it():
    assert recipient_lines(["Thường trực Tỉnh ủy (để b/c).", "  ", "- Lưu VT"], "Văn phòng Tỉnh ủy") == [
        "- Thường trực Tỉnh ủy (để b/c),",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]


# Dates, numbers and words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (D(2026, 3, 5), "Hải Dương, ngày 05 tháng 3 năm 2026"),
        (D(2026, 2, 15), "Hải Dương, ngày 15 tháng 02 năm 2026"),
        (D(2026, 1, 9), "Hải Dương, ngày 09 tháng 01 năm 2026"),
        (D(2026, 11, 30), "Hải Dương, ngày 30 tháng 11 năm 2026"),
        (D(2026, 10, 10), "Hải Dương, ngày 10 tháng 10 năm 2026"),
    ],
)
def test_the_date_line_has_a_leading_zero_only_for_days_below_10_and_months_1_and_2(day, line):
    assert place_date_line("Hải Dương", day) == line


def test_references_follow_the_same_rule():
    assert [vi_date_short(day) for day in (D(2021, 9, 28), D(2022, 2, 5), D(2024, 12, 9))] == [
        "28/9/2021",
        "05/02/2022",
        "09/12/2024",
    ]


def test_the_title_is_one_sentence_with_the_sources_typo_corrected_and_the_verbatim_title_kept(db):
    call_command("load_directive", verbosity=0)
    directive = Directive.objects.get()

    assert "NIỆM KỲ" in directive.title  # as loaded, verbatim
    assert directive.subject_text == (
        "về tăng cường sự lãnh đạo của Đảng đối với Hội đồng nhân dân các cấp tỉnh Hải Dương, nhiệm kỳ 2021-2026"
    )


def test_numbers_have_thousands_separators_and_the_categories_are_named_by_their_content(world, today):
    content = content_of(world)
    late = content.late_units[0].items[0]
    late.days_overdue = 1442

    assert "quá hạn 1.442 ngày" in late.text
    labels = [item.label for item in content.taxonomy]
    assert "Đang thực hiện, đã quá hạn" in labels
    everything = " ".join([*content.leadership, *content.overview])
    assert "Văn phòng Chính phủ" not in everything
    assert re.search(r"\d,\d\u00a0%", content.situation.reporting_rate)


# The body is a synthesis; the appendix keeps everything ------------------------------


def test_the_same_difficulty_from_several_units_is_written_once_with_their_names():
    written = [
        Written("Huyện ủy B", "Kinh phí còn hạn chế.", False, (0,)),
        Written("Huyện ủy A", "- kinh phí còn hạn chế\n- Thiếu cán bộ chuyên trách.", True, (1,)),
        Written("Huyện ủy C", "Không có khó khăn, vướng mắc.", True, (2,)),
    ]
    section = gather(written)

    assert [point.line for point in section.points] == [
        "Kinh phí còn hạn chế (Huyện ủy A, Huyện ủy B).",
        "Thiếu cán bộ chuyên trách (Huyện ủy A).",
    ]


def test_proposals_are_grouped_by_the_body_they_address():
    written = [
        Written("Huyện ủy A", "Đề nghị UBND tỉnh bố trí kinh phí.\nĐề nghị Ban Thường vụ Tỉnh ủy sơ kết.", True, (0,)),
        Written("Huyện ủy B", "Kiến nghị Trung ương sửa đổi Luật.\nTăng cường tập huấn.", False, (1,)),
    ]
    groups = {group.body: [point.text for point in group.points] for group in group_proposals(written)}

    assert groups == {
        "Trung ương": ["Kiến nghị Trung ương sửa đổi Luật."],
        "Ban Thường vụ Tỉnh ủy": ["Đề nghị Ban Thường vụ Tỉnh ủy sơ kết."],
        "Ủy ban nhân dân tỉnh": ["Đề nghị UBND tỉnh bố trí kinh phí."],
        "Các đề xuất, kiến nghị khác": ["Tăng cường tập huấn."],
    }
    assert addressee("Một đề xuất không nêu nơi nhận") is None


def test_a_long_text_is_shortened_in_the_body_and_kept_whole_in_the_appendix(world, today):
    report = world.units[0].assignments.first().reports.get(period=world.h2)
    long = "Đã tổ chức quán triệt sâu rộng đến từng chi bộ và đảng viên. " * 40
    report.results = long
    report.save()

    content = content_of(world)
    task = content.tasks[0]
    quoted = next(point for point in task.highlights if "Đơn vị" not in point.text)

    assert quoted.text.endswith(SEE_APPENDIX) and len(quoted.text) < 450
    appendix = next(unit for unit in task.units if unit.name == world.units[0].name)
    assert appendix.results == long.strip()


def test_next_steps_reach_section_four(world, today):
    report = world.units[0].assignments.first().reports.get(period=world.h2)
    report.next_steps = "Tổ chức sơ kết 5 năm thực hiện Chỉ thị."
    report.save()

    assert [point.line for point in content_of(world).next_steps.points] == [
        "Tổ chức sơ kết 5 năm thực hiện Chỉ thị (Huyện ủy Thử nghiệm 00)."
    ]


# The files, read back -----------------------------------------------------------------


def word_xml(data, part="word/document.xml"):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part).decode()


def test_the_word_file_is_times_new_roman_in_vietnamese_with_the_guideline_sizes(world, office_user, client_for, today):
    data = get(client_for(office_user), "dashboard_summary_docx", world.query).content
    document = docx.Document(io.BytesIO(data))
    styles = word_xml(data, "word/styles.xml")

    assert 'w:ascii="Times New Roman"' in styles and 'w:hAnsi="Times New Roman"' in styles
    assert styles.count('w:lang w:val="vi-VN"') >= 2 and "en-US" not in styles
    assert document.styles["Normal"].font.size.pt == 14
    party = document.tables[0].rows[0].cells[1].paragraphs[0].runs[0]
    assert (party.text, party.font.size.pt, party.bold, party.underline) == ("ĐẢNG CỘNG SẢN VIỆT NAM", 15, True, True)
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO").runs[0]
    assert (title.font.size.pt, title.bold) == (15, True)
    where = next(p for cell in document.tables[1].rows[0].cells for p in cell.paragraphs if p.text == "Nơi nhận:")
    assert where.runs[0].underline and where.runs[0].font.size.pt == 14
    recipient = next(
        p for cell in document.tables[1].rows[0].cells for p in cell.paragraphs if p.text.startswith("- Lưu")
    )
    assert recipient.runs[0].font.size.pt == 12


def test_the_word_file_numbers_every_page_but_the_first(world, office_user, client_for, today):
    data = get(client_for(office_user), "dashboard_summary_docx", world.query).content
    body = word_xml(data)
    headers = [name for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if name.startswith("word/header")]

    assert "<w:titlePg/>" in body  # a first page of its own, without the number
    assert any('w:instr="PAGE"' in word_xml(data, name) for name in headers)


def test_the_header_table_agrees_on_its_widths(world, office_user, client_for, today):
    data = get(client_for(office_user), "dashboard_summary_docx", world.query).content
    table = docx.Document(io.BytesIO(data)).tables[0]

    grid = [int(col.get(f"{W}w")) for col in table._tbl.tblGrid.findall(f"{W}gridCol")]
    cells = [int(cell._tc.tcPr.find(f"{W}tcW").get(f"{W}w")) for cell in table.rows[0].cells]
    assert grid == cells and abs(sum(grid) - 16.5 / 2.54 * 1440) <= 2  # twentieths of a point
    assert 'w:type="fixed"' in word_xml(data)


def pdf_pages(data, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    count = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        ).group(1)
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for n in range(1, count + 1)
    ]


def _heads(line, heading):
    """The line holds the heading: an appendix's heading alone, a section's
    (which may wrap, or follow the "-----" rule in pdftotext's output) at least begun."""
    return line == heading if heading.startswith("Phụ lục") else heading[:12] in line


@pytest.mark.parametrize("flavour", [Flavour.OFFICE, Flavour.COMMITTEE])
def test_both_documents_have_sections_one_to_five_then_the_appendices_in_word_and_pdf(
    world, office_user, client_for, today, tmp_path, flavour
):
    client = client_for(office_user)
    query = {**world.query, "flavour": flavour}
    data = get(client, "dashboard_summary_docx", query).content
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        paragraphs += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    word_positions = [next(i for i, text in enumerate(paragraphs) if text.startswith(h)) for h in HEADINGS[:5]]
    assert word_positions == sorted(word_positions)
    for heading in HEADINGS:
        assert any(text.startswith(heading) for text in paragraphs), heading

    lines = [
        line.strip()
        for page in pdf_pages(get(client, "dashboard_summary_pdf", query).content, tmp_path)
        for line in page.splitlines()
    ]
    # Headings stand at the start of their line ("tại Phụ lục 2" inside a sentence is a reference).
    positions = [next(i for i, line in enumerate(lines) if _heads(line, heading)) for heading in HEADINGS]
    assert positions == sorted(positions)
    text = squeeze("\n".join(lines))
    signer = "T/M BAN THƯỜNG VỤ" if flavour == Flavour.COMMITTEE else "CHÁNH VĂN PHÒNG"
    assert signer in text and ("-BC/TU" if flavour == Flavour.COMMITTEE else "-BC/VPTU") in text


def test_the_pdf_embeds_liberation_serif_numbers_pages_from_the_second_and_keeps_the_signature_company(
    world, office_user, client_for, today, tmp_path
):
    data = get(client_for(office_user), "dashboard_summary_pdf", world.query).content
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]]

    assert fonts and set(fonts) <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}, listing
    pages = pdf_pages(data, tmp_path)
    assert not pages[0].strip().startswith("1") and "ĐẢNG CỘNG SẢN VIỆT NAM" in pages[0]
    assert pages[1].strip().startswith("2")
    signature_page = next(page for page in pages if "Nơi nhận:" in page)
    assert "Trên đây là báo cáo" in signature_page


def test_the_largest_report_the_product_allows_renders_in_both_formats_within_the_export_limits(db, settings):
    content = word.sample_content()
    sentence = "Đã tổ chức hội nghị quán triệt, tuyên truyền sâu rộng đến cán bộ, đảng viên. "
    largest = (sentence * 300)[: settings.TEXT_MAX_CHARS]
    unit = content.tasks[0].units[0]
    unit.results = unit.difficulties = unit.proposals = unit.next_steps = largest

    started = time.monotonic()
    data = pdf.render(content)
    pdf_seconds = time.monotonic() - started
    started = time.monotonic()
    word.render(content)
    word_seconds = time.monotonic() - started

    assert data.startswith(b"%PDF")
    # The bench's limits for a whole province's report: 20 s (PDF) and 5 s (Word).
    assert pdf_seconds < 20 and word_seconds < 5


def test_both_documents_for_one_period_and_for_the_whole_term_on_the_demo(db, client, tmp_path, settings):
    settings.DEBUG = True  # demo_data refuses to run otherwise
    call_command("load_directive", verbosity=0)
    call_command("demo_data", verbosity=0)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="office"))
    directive = Directive.objects.get()
    keys = list(
        ReportingPeriod.objects.filter(
            schedule__assignments__task__directive=directive, due_on__lte=datetime.date.today()
        )
        .order_by("due_on")
        .values_list("key", flat=True)
        .distinct()
    )
    for start, end in [(keys[-1], keys[-1]), (keys[0], keys[-1])]:
        for flavour in Flavour.values:
            query = {"directive": directive.pk, "start": start, "end": end, "flavour": flavour}
            word_file = client.get("/dashboard/summary.docx", query)
            pdf_file = client.get("/dashboard/summary.pdf", query)
            assert word_file.status_code == pdf_file.status_code == 200
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(word_file.content)).paragraphs)
            assert "{{" not in text and "V. ĐỀ XUẤT, KIẾN NGHỊ" in text and "Phụ lục 4" in text
            assert "ngày" in squeeze("\n".join(pdf_pages(pdf_file.content, tmp_path)))


def test_a_draft_is_never_quoted_in_the_body(world, today):
    report = world.units[2].assignments.first().reports.get(period=world.h1)
    report.state = ReportState.DRAFT
    report.save()
    figures = figures_build(
        directive=world.directive,
        periods=list(ReportingPeriod.objects.filter(schedule=world.schedule).order_by("due_on")),
        as_of=TODAY,
    )

    first = summary_content(figures, today=TODAY).tasks[0]
    assert world.units[2].name not in {name for point in first.highlights for name in point.units}


@pytest.mark.usefixtures("private_root")
def test_the_flavour_travels_with_a_job_built_by_the_worker(world, committee_user, today, tmp_path):
    from dashboard.exports.jobs import export_job_create, export_job_run

    query = f"directive={world.directive.pk}&start=2024-H1&end=2024-H2&flavour=committee"
    job, _created = export_job_create(user=committee_user, kind="pdf", query=query, language="vi")
    job = export_job_run(job_id=job.pk)

    with job.file.open("rb") as handle:
        text = squeeze("\n".join(pdf_pages(handle.read(), tmp_path)))
    assert "-BC/TU" in text and "T/M BAN THƯỜNG VỤ" in text
    assert job.filename.startswith("bao-cao-btv-")
