"""Writes the built-in Word template of the compiled report (summary.docx next
to this file) with python-docx. Run it again after changing the layout:

    python -m dashboard.exports.template_source

The result is an ordinary .docx with docxtpl's Jinja tags: office staff can
open it in Word, change the wording and upload it in the admin.
Layout after Hướng dẫn 36-HD/VPTW: A4, Times New Roman, body 14 pt, margins
top and bottom 2 cm, left 3 cm, right 1.5 cm; "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt
bold underlined; "BÁO CÁO" 15 pt bold; "Nơi nhận" 14 pt underlined, its list
12 pt; page numbers at the top centre from the second page; the language
Vietnamese, so that Word checks the spelling as Vietnamese.
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

TEMPLATE_PATH = Path(__file__).with_name("summary.docx")
FONT = "Times New Roman"
LANGUAGE = "vi-VN"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT
# The width between the margins: 21 − 3 − 1.5 cm.
TEXT_WIDTH = Cm(16.5)
HEADER_WIDTHS = (Cm(7), Cm(9.5))
SIGNATURE_WIDTHS = (Cm(9), Cm(7.5))


def _paragraph(
    container,
    value="",
    *,
    bold=False,
    italic=False,
    underline=False,
    size=14,
    align=JUSTIFY,
    indent=True,
    keep=False,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6 if align == JUSTIFY else 0)
    fmt.keep_with_next = keep or None
    if align == JUSTIFY and indent:
        fmt.first_line_indent = Cm(1)
    if value:
        run = paragraph.add_run(value)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
    return paragraph


def _tag(container, tag):
    """A docxtpl paragraph tag ({%p ... %}): the paragraph disappears when rendered."""
    return _paragraph(container, tag, align=LEFT, indent=False)


def _first_paragraph(cell, value, **kwargs):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = kwargs.pop("align", CENTER)
    paragraph.paragraph_format.keep_with_next = kwargs.get("keep") or None
    run = paragraph.add_run(value)
    run.bold, run.italic, run.underline = (
        kwargs.get("bold", False),
        kwargs.get("italic", False),
        kwargs.get("underline", False),
    )
    run.font.size = Pt(kwargs.get("size", 14))
    return paragraph


def _fixed_table(document, widths, rows=1):
    """A borderless table whose grid and cells agree on the widths (else Word
    lays it out by the grid and a long date wraps onto a second line)."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def _no_split(table):
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        properties.append(cant_split)


def _language(element):
    lang = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), LANGUAGE)
    element.append(lang)


def _setup(document):
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance = Cm(1)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    properties = normal.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    _language(properties)
    # The document's defaults too, so that text in any style is Vietnamese.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in run_defaults.findall(qn("w:lang")):
        run_defaults.remove(old)
    _language(run_defaults)
    _page_numbers(section)


def _page_numbers(section):
    """A PAGE field at the top centre of every page but the first."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _header(document):
    """Two rows, so that the number and the place-and-date line share a line
    whatever the issuer's block holds (one line, or the office under the Tỉnh ủy)."""
    table = _fixed_table(document, HEADER_WIDTHS, rows=2)
    left, right = table.rows[0].cells
    # The cell's own first paragraph holds the first tag, so that no blank line stands above the issuer.
    _first_paragraph(left, "{%p if issuing_office %}", align=LEFT)
    _paragraph(left, "{{ issuing_body }}", align=CENTER)
    _paragraph(left, "{{ issuing_office }}", bold=True, align=CENTER)
    _tag(left, "{%p else %}")
    _paragraph(left, "{{ issuing_body }}", bold=True, align=CENTER)
    _tag(left, "{%p endif %}")
    _paragraph(left, "*", align=CENTER)
    _first_paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    number, date = table.rows[1].cells
    _first_paragraph(number, "{{ number_line }}")
    _first_paragraph(date, "{{ place_date }}", italic=True)


def _title(document):
    _paragraph(document, "", align=CENTER)
    _paragraph(document, "BÁO CÁO", bold=True, size=15, align=CENTER)
    _paragraph(document, "{{ subtitle }}", bold=True, align=CENTER)
    _paragraph(document, "{{ period_line }}", italic=True, align=CENTER)
    _paragraph(document, "-----", align=CENTER)
    _paragraph(document, "", align=CENTER)


def _points(document, section):
    """A synthesis.Section: one paragraph per point, with the units that made it."""
    _tag(document, f"{{%p for point in {section}.points %}}")
    _paragraph(document, "- {{ point.line }}")
    _tag(document, "{%p endfor %}")
    _tag(document, f"{{%p if {section}.more %}}")
    _paragraph(document, "Các ý kiến khác của từng đơn vị tại Phụ lục 2.", italic=True)
    _tag(document, "{%p endif %}")


def _body(document):
    _paragraph(document, "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN", bold=True, keep=True)
    _tag(document, "{%p for line in leadership %}")
    _paragraph(document, "{{ line }}")
    _tag(document, "{%p endfor %}")

    _paragraph(document, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", bold=True, keep=True)
    _tag(document, "{%p for line in overview %}")
    _paragraph(document, "{{ line }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p for task in tasks %}")
    _paragraph(document, "{{ task.number }}. {{ task.title }}", bold=True, keep=True)
    _tag(document, "{%p if task.figures_line %}")
    _paragraph(document, "{{ task.figures_line }} {{ task.status_line }}")
    _tag(document, "{%p else %}")
    _paragraph(document, "Chưa có báo cáo nào phải gửi về nhiệm vụ này trong kỳ.")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p for row in task.indicators %}")
    _paragraph(document, "- {{ row.line }}.")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p for point in task.highlights %}")
    _paragraph(document, "- {{ point.units_text }}: {{ point.text }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if task.more_line %}")
    _paragraph(document, "{{ task.more_line }}", italic=True)
    _tag(document, "{%p endif %}")
    _tag(document, "{%p endfor %}")

    _paragraph(document, "III. HẠN CHẾ, KHÓ KHĂN, VƯỚNG MẮC VÀ NGUYÊN NHÂN", bold=True, keep=True)
    _tag(document, "{%p for line in shortcomings_facts %}")
    _paragraph(document, "- {{ line }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if shortcomings.points %}")
    _paragraph(document, "Khó khăn, vướng mắc các đơn vị nêu:")
    _points(document, "shortcomings")
    _tag(document, "{%p endif %}")

    _paragraph(document, "IV. NHIỆM VỤ THỜI GIAN TỚI", bold=True, keep=True)
    _tag(document, "{%p if next_steps.points %}")
    _points(document, "next_steps")
    _tag(document, "{%p else %}")
    _paragraph(document, "Các đơn vị chưa nêu nhiệm vụ thời gian tới trong báo cáo.")
    _tag(document, "{%p endif %}")

    _paragraph(document, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True, keep=True)
    _tag(document, "{%p for group in proposals %}")
    _paragraph(document, "{{ loop.index }}. {{ group.body }}", italic=True, keep=True)
    _tag(document, "{%p for point in group.points %}")
    _paragraph(document, "- {{ point.line }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p else %}")
    _paragraph(document, "Các đơn vị chưa có đề xuất, kiến nghị trong kỳ.")
    _tag(document, "{%p endfor %}")


def _signature(document):
    # The closing line keeps with the signature: the block never stands alone on a page.
    _paragraph(document, "{{ closing }}", keep=True)
    table = _fixed_table(document, SIGNATURE_WIDTHS)
    _no_split(table)
    left, right = table.rows[0].cells
    _first_paragraph(left, "Nơi nhận:", underline=True, bold=True, align=LEFT, size=14, keep=True)
    _tag(left, "{%p for line in recipients %}")
    _paragraph(left, "{{ line }}", size=12, align=LEFT, keep=True)
    _tag(left, "{%p endfor %}")
    right.paragraphs[0].alignment = CENTER
    _tag(right, "{%p for line in signer_lines %}")
    _paragraph(right, "{{ line }}", bold=True, align=CENTER, keep=True)
    _tag(right, "{%p endfor %}")
    for _blank in range(4):
        _paragraph(right, "", align=CENTER, keep=True)
    _paragraph(right, "{{ signer_name }}", bold=True, align=CENTER)


def _appendix_heading(document, number, title):
    _paragraph(document, f"Phụ lục {number}", bold=True, align=CENTER)
    _paragraph(document, title, bold=True, align=CENTER)
    _paragraph(document, "{{ appendix_note }}", italic=True, size=13, align=CENTER)
    _paragraph(document, "", align=CENTER)


def _cell_table(document, headings, values, widths, *, loop):
    table = document.add_table(rows=4, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (heading, value, width) in enumerate(zip(headings, values, widths, strict=True)):
        table.columns[column].width = width
        for row in table.rows:
            row.cells[column].width = width
        _first_paragraph(table.rows[0].cells[column], heading, bold=True, size=12)
        _first_paragraph(table.rows[2].cells[column], value, size=12, align=LEFT if column == 1 else CENTER)
    _first_paragraph(table.rows[1].cells[0], f"{{%tr for {loop} %}}", size=12, align=LEFT)
    _first_paragraph(table.rows[3].cells[0], "{%tr endfor %}", size=12, align=LEFT)
    return table


def _appendices(document):
    new_page = document.add_paragraph()
    new_page.add_run().add_break(WD_BREAK.PAGE)
    _appendix_heading(document, 1, "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ")
    # A row per unit, a column per task: docxtpl repeats the cell between the
    # {%tc for %} and {%tc endfor %} cells (and drops those two), as {%tr %} does rows.
    table = document.add_table(rows=4, cols=4)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = ["Đơn vị", "{%tc for name in matrix_tasks %}", "{{ name }}", "{%tc endfor %}"]
    values = ["{{ row.name }}", "{%tc for value in row.cells %}", "{{ value }}", "{%tc endfor %}"]
    for column, (heading, value) in enumerate(zip(header, values, strict=True)):
        _first_paragraph(table.rows[0].cells[column], heading, bold=True, size=11)
        _first_paragraph(table.rows[2].cells[column], value, size=11, align=LEFT if column == 0 else CENTER)
    _first_paragraph(table.rows[1].cells[0], "{%tr for row in matrix_rows %}", size=11, align=LEFT)
    _first_paragraph(table.rows[3].cells[0], "{%tr endfor %}", size=11, align=LEFT)
    _paragraph(document, "{{ matrix_legend }}", italic=True, size=12)

    new_page = document.add_paragraph()
    new_page.add_run().add_break(WD_BREAK.PAGE)
    _appendix_heading(document, 2, "KẾT QUẢ THỰC HIỆN CỦA TỪNG ĐƠN VỊ")
    _tag(document, "{%p for task in tasks %}")
    _paragraph(document, "{{ task.number }}. {{ task.title }}", bold=True, keep=True)
    _paragraph(document, "Tiến độ chung của nhiệm vụ: {{ task.progress }}.")
    _tag(document, "{%p for unit in task.units %}")
    _tag(document, "{%p if unit.reported %}")
    _paragraph(document, "- {{ unit.heading }}:", italic=True, keep=True)
    _paragraph(document, "Kết quả: {{ unit.results }}")
    _tag(document, "{%p if unit.difficulties %}")
    _paragraph(document, "Khó khăn, vướng mắc: {{ unit.difficulties }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if unit.next_steps %}")
    _paragraph(document, "Nhiệm vụ thời gian tới: {{ unit.next_steps }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if unit.proposals %}")
    _paragraph(document, "Đề xuất, kiến nghị: {{ unit.proposals }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p else %}")
    _paragraph(document, "- {{ unit.heading }}", italic=True)
    _tag(document, "{%p endif %}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endfor %}")

    new_page = document.add_paragraph()
    new_page.add_run().add_break(WD_BREAK.PAGE)
    _appendix_heading(document, 3, "TỔNG HỢP CÁC CHỈ TIÊU")
    _cell_table(
        document,
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Nhiệm vụ", "Kết quả", "Cách tổng hợp", "Số báo cáo"],
        [
            "{{ row.number }}",
            "{{ row.name }}",
            "{{ row.unit_of_measure }}",
            "{{ row.task_number }}",
            "{{ row.total }}",
            "{{ row.rule }}",
            "{{ row.reports }}",
        ],
        [Cm(1.1), Cm(5.4), Cm(2), Cm(1.6), Cm(2), Cm(2.8), Cm(1.6)],
        loop="row in indicators",
    )
    _paragraph(
        document,
        "Ghi chú: chỉ tính các báo cáo đã nhận trong kỳ; số phát sinh trong kỳ được cộng qua các kỳ không trùng "
        "nhau (kỳ 6 tháng nằm trong kỳ năm chỉ được tính một lần).",
        italic=True,
        size=12,
    )

    new_page = document.add_paragraph()
    new_page.add_run().add_break(WD_BREAK.PAGE)
    _appendix_heading(document, 4, "ĐƠN VỊ CHẬM, CHƯA GỬI BÁO CÁO")
    _tag(document, "{%p if late_units %}")
    _tag(document, "{%p for unit in late_units %}")
    _paragraph(document, "- {{ unit.name }}: {{ unit.items_text }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p else %}")
    _paragraph(document, "Không có đơn vị nào quá hạn gửi báo cáo.")
    _tag(document, "{%p endif %}")

    new_page = document.add_paragraph()
    new_page.add_run().add_break(WD_BREAK.PAGE)
    _appendix_heading(document, 5, "CÁC VIỆC THEO DÕI SAU GIÁM SÁT, KIỂM TRA CHƯA GIẢI QUYẾT HOẶC GIẢI QUYẾT QUÁ HẠN")
    _paragraph(document, "{{ followups_note }}", italic=True)
    _tag(document, "{%p if followups %}")
    _cell_table(
        document,
        ["STT", "Văn bản nguồn", "Nội dung", "Đơn vị chủ trì", "Hạn", "Tình trạng"],
        [
            "{{ row.position }}",
            "{{ row.document }}{% if row.number %}, mục {{ row.number }}{% endif %}",
            "{{ row.text }}",
            "{{ row.lead }}",
            "{{ row.due }}",
            "{{ row.state }}",
        ],
        [Cm(1.1), Cm(2.9), Cm(5.6), Cm(2.8), Cm(1.9), Cm(2.4)],
        loop="row in followups",
    )
    _tag(document, "{%p else %}")
    _paragraph(document, "Không có việc nào chưa giải quyết hoặc giải quyết quá hạn.")
    _tag(document, "{%p endif %}")


def build(path=TEMPLATE_PATH):
    document = Document()
    _setup(document)
    _header(document)
    _title(document)
    _body(document)
    _signature(document)
    _appendices(document)
    document.core_properties.title = "Báo cáo kết quả thực hiện Chỉ thị"
    document.core_properties.author = "Văn phòng Tỉnh ủy"
    document.core_properties.language = LANGUAGE
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
