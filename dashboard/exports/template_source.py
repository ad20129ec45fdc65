"""Writes the built-in Word template of the compiled report (summary.docx next
to this file) with python-docx. Run it again after changing the layout:

    python -m dashboard.exports.template_source

The result is an ordinary .docx with docxtpl's Jinja tags: office staff can
open it in Word, change the wording and upload it in the admin.
Layout after Hướng dẫn 36-HD/VPTW: A4, Times New Roman 14, margins top and
bottom 2 cm, left 3 cm, right 1.5 cm.
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

TEMPLATE_PATH = Path(__file__).with_name("summary.docx")
FONT = "Times New Roman"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def _paragraph(container, value="", *, bold=False, italic=False, underline=False, size=14, align=JUSTIFY, indent=True):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6 if align == JUSTIFY else 0)
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
    run = paragraph.add_run(value)
    run.bold, run.italic, run.underline = (
        kwargs.get("bold", False),
        kwargs.get("italic", False),
        kwargs.get("underline", False),
    )
    run.font.size = Pt(kwargs.get("size", 14))
    return paragraph


def _setup(document):
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _header(document):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    _first_paragraph(left, "{{ issuing_body }}", bold=True)
    _paragraph(left, "*", align=CENTER)
    _paragraph(left, "{{ number_line }}", align=CENTER)
    _first_paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    _paragraph(right, "", align=CENTER)
    _paragraph(right, "{{ place_date }}", italic=True, align=CENTER)


def _title(document):
    _paragraph(document, "", align=CENTER)
    _paragraph(document, "BÁO CÁO", bold=True, size=15, align=CENTER)
    _paragraph(document, "{{ subtitle }}", bold=True, align=CENTER)
    _paragraph(document, "{{ period_line }}", italic=True, align=CENTER)
    _paragraph(document, "-----", align=CENTER)
    _paragraph(document, "", align=CENTER)


def _situation(document):
    _paragraph(document, "I. TÌNH HÌNH GỬI BÁO CÁO", bold=True)
    _paragraph(
        document,
        "Tổng số báo cáo các đơn vị phải gửi trong kỳ: {{ situation.expected }}; đã nhận {{ situation.received }} "
        "(tỷ lệ {{ situation.reporting_rate }}), trong đó đúng hạn {{ situation.on_time }} "
        "(tỷ lệ {{ situation.on_time_rate }}), trễ hạn {{ situation.late }}; quá hạn chưa gửi "
        "{{ situation.overdue }}; chưa đến hạn {{ situation.awaiting }}.",
    )
    _paragraph(document, "Tiến độ thực hiện chung: {{ situation.progress }}.")
    _paragraph(document, "Phân loại việc thực hiện nhiệm vụ của các đơn vị (theo tiêu chí của Văn phòng Chính phủ):")
    _tag(document, "{%p for item in taxonomy %}")
    _paragraph(document, "- {{ item.label }}: {{ item.count }}.")
    _tag(document, "{%p endfor %}")


def _tasks(document):
    _paragraph(document, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", bold=True)
    _tag(document, "{%p for task in tasks %}")
    _paragraph(document, "{{ task.number }}. {{ task.title }}", bold=True)
    _paragraph(document, "Tiến độ chung của nhiệm vụ: {{ task.progress }}.")
    _tag(document, "{%p for unit in task.units %}")
    _tag(document, "{%p if unit.reported %}")
    _paragraph(document, "- {{ unit.name }} ({{ unit.period }}; {{ unit.status }}, {{ unit.percent }}):", italic=True)
    _paragraph(document, "Kết quả: {{ unit.results }}")
    _tag(document, "{%p if unit.difficulties %}")
    _paragraph(document, "Khó khăn, vướng mắc: {{ unit.difficulties }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if unit.proposals %}")
    _paragraph(document, "Đề xuất, kiến nghị: {{ unit.proposals }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p else %}")
    _paragraph(document, "- {{ unit.name }}: chưa gửi báo cáo trong kỳ.", italic=True)
    _tag(document, "{%p endif %}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endfor %}")


def _indicators(document):
    _paragraph(document, "III. TỔNG HỢP CÁC CHỈ TIÊU", bold=True)
    headings = ["STT", "Chỉ tiêu", "Đơn vị tính", "Nhiệm vụ", "Kết quả", "Số báo cáo"]
    widths = [Cm(1.2), Cm(7), Cm(2.3), Cm(1.8), Cm(2.4), Cm(1.8)]
    table = document.add_table(rows=4, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    values = [
        "{{ row.number }}",
        "{{ row.name }}",
        "{{ row.unit_of_measure }}",
        "{{ row.task_number }}",
        "{{ row.total }}",
        "{{ row.reports }}",
    ]
    for column, (heading, value, width) in enumerate(zip(headings, values, widths, strict=True)):
        for row in table.rows:
            row.cells[column].width = width
        _first_paragraph(table.rows[0].cells[column], heading, bold=True, size=12)
        _first_paragraph(table.rows[2].cells[column], value, size=12, align=LEFT if column == 1 else CENTER)
    _first_paragraph(table.rows[1].cells[0], "{%tr for row in indicators %}", size=12, align=LEFT)
    _first_paragraph(table.rows[3].cells[0], "{%tr endfor %}", size=12, align=LEFT)
    _paragraph(
        document,
        "Ghi chú: chỉ tiêu đếm được cộng dồn, chỉ tiêu tỷ lệ lấy bình quân, chỉ tiêu có/không ghi số báo cáo trả lời "
        "“có” trên số báo cáo có số liệu; chỉ tính các báo cáo đã nhận trong kỳ.",
        italic=True,
        size=12,
    )


def _late(document):
    _paragraph(document, "IV. ĐƠN VỊ CHẬM, CHƯA GỬI BÁO CÁO", bold=True)
    _tag(document, "{%p if late_units %}")
    _tag(document, "{%p for unit in late_units %}")
    _paragraph(document, "- {{ unit.name }}: {{ unit.items_text }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p else %}")
    _paragraph(document, "Không có đơn vị nào quá hạn gửi báo cáo.")
    _tag(document, "{%p endif %}")


def _signature(document):
    _paragraph(document, "", align=CENTER)
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(8.5)
    _first_paragraph(left, "Nơi nhận:", underline=True, align=LEFT)
    for line in (
        "- Thường trực Tỉnh ủy (để b/c),",
        "- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,",
        "- Các đơn vị được giao nhiệm vụ,",
        "- Lưu Văn phòng Tỉnh ủy.",
    ):
        _paragraph(left, line, size=12, align=LEFT)
    _first_paragraph(right, "T/L BAN THƯỜNG VỤ", bold=True)
    _paragraph(right, "CHÁNH VĂN PHÒNG", bold=True, align=CENTER)
    for _blank in range(4):
        _paragraph(right, "", align=CENTER)
    _paragraph(right, "{{ signer_name }}", bold=True, align=CENTER)


def build(path=TEMPLATE_PATH):
    document = Document()
    _setup(document)
    _header(document)
    _title(document)
    _situation(document)
    _tasks(document)
    _indicators(document)
    _late(document)
    _signature(document)
    document.core_properties.title = "Báo cáo kết quả thực hiện Chỉ thị"
    document.core_properties.author = "Văn phòng Tỉnh ủy"
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
