"""The compiled report as PDF (reportlab), laid out like the Word template:
A4, margins top and bottom 2 cm, left 3 cm, right 1.5 cm, per Hướng dẫn
36-HD/VPTW; page numbers at the top centre from the second page.

The font is Liberation Serif, metrically compatible with Times New Roman (the
Word file's font) and with every Vietnamese letter in its four faces, from
Debian's fonts-liberation2 package (installed by `make test` and CI; the
README says how elsewhere). It is embedded as a subset.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dashboard.summary import SummaryContent
from dashboard.wording import text

CONTENT_TYPE = "application/pdf"
FONT, BOLD, ITALIC, BOLD_ITALIC = (
    "LiberationSerif",
    "LiberationSerif-Bold",
    "LiberationSerif-Italic",
    ("LiberationSerif-BoldItalic"),
)
FACES = {FONT: "Regular", BOLD: "Bold", ITALIC: "Italic", BOLD_ITALIC: "BoldItalic"}
FONT_FOLDERS = [
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/liberation-serif"),
    Path("/usr/local/share/fonts"),
]
# The longest paragraph handed to reportlab (about half a page).
PARAGRAPH_MAX_CHARS = 2000
MARGINS = {"topMargin": 2 * cm, "bottomMargin": 2 * cm, "leftMargin": 3 * cm, "rightMargin": 1.5 * cm}


def font_files():
    """{face name: TrueType file} of Liberation Serif."""
    for folder in FONT_FOLDERS:
        files = {name: folder / f"LiberationSerif-{face}.ttf" for name, face in FACES.items()}
        if all(path.is_file() for path in files.values()):
            return files
    raise ImproperlyConfigured(
        "Liberation Serif is not installed: apt-get install fonts-liberation2 (the PDF report needs it)."
    )


def register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, path in font_files().items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)


def missing_glyphs(value):
    """The characters of ``value`` the document font cannot draw."""
    register_fonts()
    found = set()
    for name in FACES:
        face = pdfmetrics.getFont(name).face
        found |= {char for char in value if ord(char) not in face.charToGlyph}
    return "".join(sorted(found))


def _styles():
    base = ParagraphStyle("body", fontName=FONT, fontSize=14, leading=18, alignment=TA_JUSTIFY, spaceAfter=5)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=0)
    cell = ParagraphStyle("cell", parent=base, fontSize=11, leading=13.5, alignment=TA_LEFT, spaceAfter=0)
    return {
        "body": ParagraphStyle("body-indent", parent=base, firstLineIndent=1 * cm),
        # A long line of a unit's text cut in pieces: no indent, no gap between them.
        "continues": ParagraphStyle("continues", parent=base, firstLineIndent=1 * cm, spaceAfter=0),
        "continued": ParagraphStyle("continued", parent=base),
        "continued-continues": ParagraphStyle("continued-continues", parent=base, spaceAfter=0),
        "plain": base,
        "center": center,
        "party": ParagraphStyle("party", parent=center, fontName=BOLD, fontSize=15),
        "title": ParagraphStyle("title", parent=center, fontName=BOLD, fontSize=15, leading=20, spaceBefore=14),
        "heading": ParagraphStyle("heading", parent=base, fontName=BOLD, firstLineIndent=1 * cm, spaceBefore=6),
        "note": ParagraphStyle("note", parent=center, fontSize=13, leading=16),
        "cell": cell,
        "cell-center": ParagraphStyle("cell-center", parent=cell, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=12, leading=15, alignment=TA_LEFT, spaceAfter=0),
    }


def _markup(value):
    """Escaped text with its line breaks kept."""
    return escape(text(value)).replace("\n", "<br/>")


def _p(value, style, *, bold=False, italic=False, underline=False):
    markup = _markup(value)
    if bold:
        markup = f"<b>{markup}</b>"
    if italic:
        markup = f"<i>{markup}</i>"
    if underline:
        markup = f"<u>{markup}</u>"
    return Paragraph(markup, style)


def _pieces(value, limit=PARAGRAPH_MAX_CHARS):
    """The lines of ``value``, each cut into pieces of at most ``limit``
    characters: at the last sentence end in the second half of the piece, else
    at the last space, else anywhere (a "word" of thousands of letters)."""
    for line in text(value).split("\n"):
        line = line.strip()
        pieces = []
        while len(line) > limit:
            window = line[:limit]
            sentence, space = window.rfind(". ", limit // 2), window.rfind(" ", limit // 2)
            cut = sentence + 1 if sentence != -1 else space if space != -1 else limit
            pieces.append(line[:cut].strip())
            line = line[cut:].strip()
        if line:
            pieces.append(line)
        if pieces:
            yield pieces


def _text_block(label, value, styles):
    """A unit's free text as bounded paragraphs, so that laying it out costs
    time in proportion to its length: reportlab lays a paragraph out again,
    whole, on every page it is split over, so one paragraph of a report's
    20,000 characters (or many lines joined by <br/>) costs the square of its
    length. Each line of the text is a paragraph; a line longer than
    PARAGRAPH_MAX_CHARS continues in unindented paragraphs without a gap."""
    flow = []
    for pieces in _pieces(value):
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            style = styles["body"] if index == 0 else styles["continued"]
            if not last:
                style = styles["continues" if index == 0 else "continued-continues"]
            markup = escape(piece)
            if not flow and index == 0:
                markup = f"{escape(label)}{markup}"
            flow.append(Paragraph(markup, style))
    return flow or [Paragraph(escape(label.rstrip(": ")), styles["body"])]


def _no_borders():
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
        ]
    )


def _grid(rows, widths):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    return table


def _header(content, styles, width):
    """Two rows, as in the Word file: the number and the place-and-date line share a line."""
    if content.issuing_office:
        left = [_p(content.issuing_body, styles["center"]), _p(content.issuing_office, styles["center"], bold=True)]
    else:
        left = [_p(content.issuing_body, styles["center"], bold=True)]
    left.append(_p("*", styles["center"]))
    rows = [
        [left, [_p(content.party_name, styles["party"], underline=True)]],
        [
            _p(content.number_line.replace(" ", "\u00a0"), styles["center"]),
            _p(content.place_date, styles["center"], italic=True),
        ],
    ]
    table = Table(rows, colWidths=[7 * cm, width - 7 * cm])
    table.setStyle(_no_borders())
    return [table]


def _title(content, styles):
    return [
        _p(content.title, styles["title"]),
        _p(content.subtitle, styles["center"], bold=True),
        _p(content.period_line, styles["center"], italic=True),
        _p("-----", styles["center"]),
        Spacer(1, 10),
    ]


def _points(section, styles):
    flow = [_p(f"- {point.line}", styles["body"]) for point in section.points]
    if section.more:
        flow.append(_p("Các ý kiến khác của từng đơn vị tại Phụ lục 2.", styles["body"], italic=True))
    return flow


def _body(content, styles):
    flow = [_p("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, QUÁN TRIỆT, TRIỂN KHAI THỰC HIỆN", styles["heading"])]
    flow += [_p(line, styles["body"]) for line in content.leadership]
    flow.append(_p("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", styles["heading"]))
    flow += [_p(line, styles["body"]) for line in content.overview]
    for task in content.tasks:
        flow.append(_p(f"{task.number}. {task.title}", styles["heading"]))
        if task.figures_line:
            flow.append(_p(f"{task.figures_line} {task.status_line}".strip(), styles["body"]))
        else:
            flow.append(_p("Chưa có báo cáo nào phải gửi về nhiệm vụ này trong kỳ.", styles["body"]))
        flow += [_p(f"- {row.line}.", styles["body"]) for row in task.indicators]
        flow += [_p(f"- {point.units_text}: {point.text}", styles["body"]) for point in task.highlights]
        if task.more_line:
            flow.append(_p(task.more_line, styles["body"], italic=True))
    flow.append(_p("III. HẠN CHẾ, KHÓ KHĂN, VƯỚNG MẮC VÀ NGUYÊN NHÂN", styles["heading"]))
    flow += [_p(f"- {line}", styles["body"]) for line in content.shortcomings_facts]
    if content.shortcomings.points:
        flow.append(_p("Khó khăn, vướng mắc các đơn vị nêu:", styles["body"]))
        flow += _points(content.shortcomings, styles)
    flow.append(_p("IV. NHIỆM VỤ THỜI GIAN TỚI", styles["heading"]))
    if content.next_steps.points:
        flow += _points(content.next_steps, styles)
    else:
        flow.append(_p("Các đơn vị chưa nêu nhiệm vụ thời gian tới trong báo cáo.", styles["body"]))
    flow.append(_p("V. ĐỀ XUẤT, KIẾN NGHỊ", styles["heading"]))
    for number, group in enumerate(content.proposals, start=1):
        flow.append(_p(f"{number}. {group.body}", styles["body"], italic=True))
        flow += [_p(f"- {point.line}", styles["body"]) for point in group.points]
    if not content.proposals:
        flow.append(_p("Các đơn vị chưa có đề xuất, kiến nghị trong kỳ.", styles["body"]))
    return flow


def _signature(content, styles, width):
    left = [_p("Nơi nhận:", styles["plain"], bold=True, underline=True)]
    left += [_p(line, styles["small"]) for line in content.recipients]
    right = [_p(line, styles["center"], bold=True) for line in content.signer_lines]
    right += [Spacer(1, 64), _p(content.signer_name or " ", styles["center"], bold=True)]
    table = Table([[left, right]], colWidths=[width * 0.55, width * 0.45])
    table.setStyle(_no_borders())
    # The closing line travels with the signature: the block never stands alone on a page.
    return [KeepTogether([_p(content.closing, styles["body"]), Spacer(1, 8), table])]


def _appendix_heading(number, title, content, styles):
    return [
        PageBreak(),
        _p(f"Phụ lục {number}", styles["center"], bold=True),
        _p(title, styles["center"], bold=True),
        _p(content.appendix_note, styles["note"], italic=True),
        Spacer(1, 10),
    ]


def _appendices(content, styles, width):
    flow = _appendix_heading(1, "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ", content, styles)
    name_width = 4.5 * cm
    task_width = (width - name_width) / max(1, len(content.matrix_tasks))
    rows = [[_p("Đơn vị", styles["cell-center"], bold=True)]]
    rows[0] += [_p(name, styles["cell-center"], bold=True) for name in content.matrix_tasks]
    rows += [
        [_p(row.name, styles["cell"]), *(_p(value, styles["cell-center"]) for value in row.cells)]
        for row in content.matrix_rows
    ]
    flow += [_grid(rows, [name_width] + [task_width] * len(content.matrix_tasks)), Spacer(1, 4)]
    flow.append(_p(content.matrix_legend, styles["small"], italic=True))

    flow += _appendix_heading(2, "KẾT QUẢ THỰC HIỆN CỦA TỪNG ĐƠN VỊ", content, styles)
    for task in content.tasks:
        flow.append(_p(f"{task.number}. {task.title}", styles["heading"]))
        flow.append(_p(f"Tiến độ chung của nhiệm vụ: {task.progress}.", styles["body"]))
        for unit in task.units:
            if not unit.reported:
                flow.append(_p(f"- {unit.heading}", styles["body"], italic=True))
                continue
            flow.append(_p(f"- {unit.heading}:", styles["body"], italic=True))
            flow += _text_block("Kết quả: ", unit.results, styles)
            for label, value in (
                ("Khó khăn, vướng mắc: ", unit.difficulties),
                ("Nhiệm vụ thời gian tới: ", unit.next_steps),
                ("Đề xuất, kiến nghị: ", unit.proposals),
            ):
                if value:
                    flow += _text_block(label, value, styles)

    flow += _appendix_heading(3, "TỔNG HỢP CÁC CHỈ TIÊU", content, styles)
    headings = ["STT", "Chỉ tiêu", "Đơn vị tính", "Nhiệm vụ", "Kết quả", "Cách tổng hợp", "Số báo cáo"]
    rows = [[_p(heading, styles["cell-center"], bold=True) for heading in headings]]
    for row in content.indicators:
        rows.append(
            [
                _p(str(row.number), styles["cell-center"]),
                _p(row.name, styles["cell"]),
                _p(row.unit_of_measure, styles["cell-center"]),
                _p(str(row.task_number), styles["cell-center"]),
                _p(row.total, styles["cell-center"]),
                _p(row.rule, styles["cell-center"]),
                _p(str(row.reports), styles["cell-center"]),
            ]
        )
    fractions = [0.07, 0.33, 0.12, 0.1, 0.12, 0.16, 0.1]
    flow += [_grid(rows, [width * f for f in fractions]), Spacer(1, 4)]
    flow.append(
        _p(
            "Ghi chú: chỉ tính các báo cáo đã nhận trong kỳ; số phát sinh trong kỳ được cộng qua các kỳ không trùng "
            "nhau (kỳ 6 tháng nằm trong kỳ năm chỉ được tính một lần).",
            styles["small"],
            italic=True,
        )
    )

    flow += _appendix_heading(4, "ĐƠN VỊ CHẬM, CHƯA GỬI BÁO CÁO", content, styles)
    if not content.late_units:
        flow.append(_p("Không có đơn vị nào quá hạn gửi báo cáo.", styles["body"]))
    flow += [_p(f"- {unit.name}: {unit.items_text}", styles["body"]) for unit in content.late_units]
    return flow + _followups_appendix(content, styles, width)


FOLLOWUPS_TITLE = "CÁC VIỆC THEO DÕI SAU GIÁM SÁT, KIỂM TRA CHƯA GIẢI QUYẾT HOẶC GIẢI QUYẾT QUÁ HẠN"


def _followups_appendix(content, styles, width):
    """Appendix 5: the follow-up register's items due in the range, unsettled or settled late."""
    flow = _appendix_heading(5, FOLLOWUPS_TITLE, content, styles)
    flow.append(_p(content.followups_note, styles["body"], italic=True))
    if not content.followups:
        flow.append(_p("Không có việc nào chưa giải quyết hoặc giải quyết quá hạn.", styles["body"]))
        return flow
    headings = ["STT", "Văn bản nguồn", "Nội dung", "Đơn vị chủ trì", "Hạn", "Tình trạng"]
    rows = [[_p(heading, styles["cell-center"], bold=True) for heading in headings]]
    for row in content.followups:
        rows.append(
            [
                _p(str(row.position), styles["cell-center"]),
                _p(row.document + (f", mục {row.number}" if row.number else ""), styles["cell"]),
                _p(row.text, styles["cell"]),
                _p(row.lead, styles["cell"]),
                _p(row.due, styles["cell-center"]),
                _p(row.state, styles["cell"]),
            ]
        )
    fractions = [0.06, 0.17, 0.37, 0.16, 0.1, 0.14]
    return flow + [_grid(rows, [width * f for f in fractions])]


def _page_number(canvas, document):
    # Party documents number their pages from the second, at the top centre.
    canvas.saveState()
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, str(document.page))
    canvas.restoreState()


def render(content: SummaryContent, progress=lambda percent: None) -> bytes:
    register_fonts()
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        title="Báo cáo kết quả thực hiện Chỉ thị",
        author=text(content.issuing_body),
        subject=text(content.subtitle),
        lang="vi-VN",
        initialFontName=FONT,  # else every page names Helvetica, a font that is not embedded
        **MARGINS,
    )
    width = document.width
    styles = _styles()
    story = [
        *_header(content, styles, width),
        *_title(content, styles),
        *_body(content, styles),
        *_signature(content, styles, width),
        *_appendices(content, styles, width),
    ]
    progress(60)
    document.build(story, onLaterPages=_page_number)
    return output.getvalue()
