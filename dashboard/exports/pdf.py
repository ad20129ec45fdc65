"""The compiled report as PDF (reportlab), laid out like the Word template:
A4, margins top and bottom 2 cm, left 3 cm, right 1.5 cm, per Hướng dẫn
36-HD/VPTW.

The font is Source Serif Pro from the font-source-serif-pro package (installed
by pip, embedded as a subset): its regular and bold faces have every
Vietnamese letter. Its italic face does not, so the one italic line the
guideline asks for (place and date) is the regular face slanted, and italic
markup falls back to the regular face rather than to missing glyphs.
"""

import io
import math
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dashboard.summary import SummaryContent, text

CONTENT_TYPE = "application/pdf"
FONT, BOLD = "DocumentSerif", "DocumentSerif-Bold"
SLANT_DEGREES = 12
# The longest paragraph handed to reportlab (about half a page).
PARAGRAPH_MAX_CHARS = 2000
MARGINS = {"topMargin": 2 * cm, "bottomMargin": 2 * cm, "leftMargin": 3 * cm, "rightMargin": 1.5 * cm}


def font_files():
    """Regular and bold TrueType files of the document font."""
    from font_source_serif_pro import font_directory

    folder = Path(font_directory)
    return folder / "SourceSerifPro-Regular.ttf", folder / "SourceSerifPro-Bold.ttf"


def register_fonts():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def missing_glyphs(value):
    """The characters of ``value`` the document font cannot draw."""
    register_fonts()
    found = set()
    for name in (FONT, BOLD):
        face = pdfmetrics.getFont(name).face
        found |= {char for char in value if ord(char) not in face.charToGlyph}
    return "".join(sorted(found))


class SlantedParagraph(Paragraph):
    """A paragraph drawn slanted: italic made from the regular face."""

    def draw(self):
        shear = math.tan(math.radians(SLANT_DEGREES))
        self.canv.saveState()
        # Keep the slanted line centred on where the upright one would be.
        self.canv.translate(-shear * self.height / 2, 0)
        self.canv.skew(0, SLANT_DEGREES)
        super().draw()
        self.canv.restoreState()


def _styles():
    base = ParagraphStyle("body", fontName=FONT, fontSize=13, leading=17, alignment=TA_JUSTIFY, spaceAfter=4)
    return {
        "body": ParagraphStyle("body-indent", parent=base, firstLineIndent=1 * cm),
        # A long line of a unit's text cut in pieces: no indent, no gap between them.
        "continues": ParagraphStyle("continues", parent=base, firstLineIndent=1 * cm, spaceAfter=0),
        "continued": ParagraphStyle("continued", parent=base),
        "continued-continues": ParagraphStyle("continued-continues", parent=base, spaceAfter=0),
        "plain": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=0),
        "center-bold": ParagraphStyle("center-bold", parent=base, alignment=TA_CENTER, fontName=BOLD, spaceAfter=0),
        "party": ParagraphStyle("party", parent=base, alignment=TA_CENTER, fontName=BOLD, fontSize=14, spaceAfter=0),
        "title": ParagraphStyle(
            "title", parent=base, alignment=TA_CENTER, fontName=BOLD, fontSize=15, leading=20, spaceBefore=14
        ),
        "heading": ParagraphStyle("heading", parent=base, fontName=BOLD, firstLineIndent=1 * cm, spaceBefore=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=11, leading=14, alignment=TA_LEFT, spaceAfter=0),
        "cell-center": ParagraphStyle("cell-center", parent=base, fontSize=11, leading=14, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=11, leading=14, alignment=TA_LEFT, spaceAfter=0),
    }


def _markup(value):
    """Escaped text with its line breaks kept."""
    return escape(text(value)).replace("\n", "<br/>")


def _p(value, style, *, bold=False, underline=False, slanted=False):
    markup = _markup(value)
    if bold:
        markup = f"<b>{markup}</b>"
    if underline:
        markup = f"<u>{markup}</u>"
    return (SlantedParagraph if slanted else Paragraph)(markup, style)


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
            ("FONTNAME", (0, 0), (-1, -1), FONT),
        ]
    )


def _header(content, styles, width):
    left = [
        _p(content.issuing_body, styles["center-bold"]),
        _p("*", styles["center"]),
        _p(content.number_line.replace(" ", "\u00a0"), styles["center"]),
    ]
    right = [
        _p(content.party_name, styles["party"], underline=True),
        Spacer(1, 6),
        _p(content.place_date, styles["center"], slanted=True),
    ]
    widths = [width * 0.42, width * 0.58]
    table = Table([[left, right]], colWidths=widths)
    table.setStyle(_no_borders())
    return [table]


def _title(content, styles):
    return [
        _p(content.title, styles["title"]),
        _p(content.subtitle, styles["center-bold"]),
        _p(content.period_line, styles["center"], slanted=True),
        _p("-----", styles["center"]),
        Spacer(1, 10),
    ]


def _situation(content, styles):
    s = content.situation
    flow = [
        _p("I. TÌNH HÌNH GỬI BÁO CÁO", styles["heading"]),
        _p(
            f"Tổng số báo cáo các đơn vị phải gửi trong kỳ: {s.expected}; đã nhận {s.received} "
            f"(tỷ lệ {s.reporting_rate}), trong đó đúng hạn {s.on_time} (tỷ lệ {s.on_time_rate}), "
            f"trễ hạn {s.late}; quá hạn chưa gửi {s.overdue}; chưa đến hạn {s.awaiting}.",
            styles["body"],
        ),
        _p(f"Tiến độ thực hiện chung: {s.progress}.", styles["body"]),
        _p(
            "Phân loại việc thực hiện nhiệm vụ của các đơn vị (theo tiêu chí của Văn phòng Chính phủ):",
            styles["body"],
        ),
    ]
    flow += [_p(f"- {item.label}: {item.count}.", styles["body"]) for item in content.taxonomy]
    return flow


def _tasks(content, styles):
    flow = [_p("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", styles["heading"])]
    for task in content.tasks:
        flow.append(_p(f"{task.number}. {task.title}", styles["heading"]))
        flow.append(_p(f"Tiến độ chung của nhiệm vụ: {task.progress}.", styles["body"]))
        for unit in task.units:
            if not unit.reported:
                flow.append(_p(f"- {unit.name}: chưa gửi báo cáo trong kỳ.", styles["body"]))
                continue
            flow.append(_p(f"- {unit.name} ({unit.period}; {unit.status}, {unit.percent}):", styles["body"], bold=True))
            flow += _text_block("Kết quả: ", unit.results, styles)
            if unit.difficulties:
                flow += _text_block("Khó khăn, vướng mắc: ", unit.difficulties, styles)
            if unit.proposals:
                flow += _text_block("Đề xuất, kiến nghị: ", unit.proposals, styles)
    return flow


def _indicators(content, styles, width):
    flow = [_p("III. TỔNG HỢP CÁC CHỈ TIÊU", styles["heading"])]
    headings = ["STT", "Chỉ tiêu", "Đơn vị tính", "Nhiệm vụ", "Kết quả", "Số báo cáo"]
    rows = [[_p(heading, styles["cell-center"], bold=True) for heading in headings]]
    for row in content.indicators:
        rows.append(
            [
                _p(str(row.number), styles["cell-center"]),
                _p(row.name, styles["cell"]),
                _p(row.unit_of_measure, styles["cell-center"]),
                _p(str(row.task_number), styles["cell-center"]),
                _p(row.total, styles["cell-center"]),
                _p(str(row.reports), styles["cell-center"]),
            ]
        )
    fractions = [0.07, 0.41, 0.14, 0.11, 0.15, 0.12]
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    flow.append(table)
    flow.append(Spacer(1, 4))
    flow.append(
        _p(
            "Ghi chú: chỉ tiêu đếm được cộng dồn, chỉ tiêu tỷ lệ lấy bình quân, chỉ tiêu có/không ghi số báo cáo "
            "trả lời “có” trên số báo cáo có số liệu; chỉ tính các báo cáo đã nhận trong kỳ.",
            styles["small"],
        )
    )
    return flow


def _late(content, styles):
    flow = [_p("IV. ĐƠN VỊ CHẬM, CHƯA GỬI BÁO CÁO", styles["heading"])]
    if not content.late_units:
        return [*flow, _p("Không có đơn vị nào quá hạn gửi báo cáo.", styles["body"])]
    return flow + [_p(f"- {unit.name}: {unit.items_text}", styles["body"]) for unit in content.late_units]


def _signature(content, styles, width):
    left = [_p("Nơi nhận:", styles["plain"], underline=True)]
    left += [_p(line, styles["small"]) for line in content.recipients]
    right = [_p(line, styles["center-bold"]) for line in content.signer_lines]
    right += [Spacer(1, 60), _p(content.signer_name or " ", styles["center-bold"])]
    widths = [width * 0.48, width * 0.52]
    table = Table([[left, right]], colWidths=widths)
    table.setStyle(_no_borders())
    return [Spacer(1, 12), table]


def _page_number(canvas, document):
    # Party documents number their pages from the second, at the top centre.
    canvas.saveState()
    canvas.setFont(FONT, 12)
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
        initialFontName=FONT,  # else every page names Helvetica, a font that is not embedded
        **MARGINS,
    )
    width = document.width
    styles = _styles()
    story = [
        *_header(content, styles, width),
        *_title(content, styles),
        *_situation(content, styles),
        *_tasks(content, styles),
        *_indicators(content, styles, width),
        *_late(content, styles),
        *_signature(content, styles, width),
    ]
    progress(60)
    document.build(story, onLaterPages=_page_number)
    return output.getvalue()
