"""The organisation workbook: one format both ways.

Sheets *Đơn vị*, *Người dùng*, *Thành viên*, *Phân công* (each with its
Vietnamese headers on the first row) and *Hướng dẫn* (instructions). An XLSX
file with those sheets, or a CSV file holding one of them (recognised by its
headers). Every cell is written as text a spreadsheet will not evaluate.
"""

import csv
import functools
import io
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from onboarding.resources import RESOURCES
from reports.spreadsheets import sheet_append

SHEET_TITLES = {
    "units": "Đơn vị",
    "users": "Người dùng",
    "memberships": "Thành viên",
    "assignments": "Phân công",
}
INSTRUCTIONS_TITLE = "Hướng dẫn"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """The file cannot be read as the organisation workbook."""


def headers(key):
    resource = dict(RESOURCES)[key]()
    return [field.column_name for field in resource.get_export_fields()]


@dataclass
class Sheet:
    key: str
    dataset: tablib.Dataset
    row_numbers: list = field(default_factory=list)  # the spreadsheet's row number of each dataset row

    @property
    def title(self):
        return SHEET_TITLES[self.key]


def _cell(value):
    if isinstance(value, str):
        return value.strip()
    return value


def _dataset(key, rows):
    """A Dataset of the sheet's known columns from (row number, values) pairs
    (the first one the headers); empty rows dropped, the row numbers kept."""
    rows = list(rows)
    if not rows:
        return Sheet(key, tablib.Dataset(headers=headers(key)))
    given = [str(value or "").strip() for value in rows[0][1]]
    expected = headers(key)
    missing = [name for name in expected if name not in given]
    if missing:
        raise WorkbookError(
            _("The sheet “%(sheet)s” lacks the columns: %(columns)s.")
            % {"sheet": SHEET_TITLES[key], "columns": ", ".join(missing)}
        )
    positions = [given.index(name) for name in expected]
    dataset = tablib.Dataset(headers=expected)
    numbers = []
    for number, row in rows[1:]:
        values = [_cell(row[position]) if position < len(row) else None for position in positions]
        if all(value in (None, "") for value in values):
            continue
        dataset.append(values)
        numbers.append(number)
    return Sheet(key, dataset, numbers)


def read(data: bytes, filename: str) -> list:
    """The sheets of an uploaded file, in import order."""
    if filename.lower().endswith(".csv"):
        return [_read_csv(data)]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx) that can be opened.")) from error
    found = []
    for key, title in SHEET_TITLES.items():
        if title in book.sheetnames:
            found.append(_dataset(key, _sheet_rows(book, book[title])))
    if not found:
        raise WorkbookError(
            _("The workbook has none of the sheets %(sheets)s.") % {"sheets": ", ".join(SHEET_TITLES.values())}
        )
    return found


_TEXT = f"{{{SHEET_MAIN_NS}}}t"


class _SheetParser(WorkSheetParser):
    """openpyxl's parser of a worksheet, reading a plain inline string (how
    openpyxl itself writes text, so every exported workbook) as its text
    without building the rich-text objects it does not have: a tenth of the
    time on a national workbook. Anything else is openpyxl's own reading."""

    def parse_cell(self, element):
        inline = element.find(INLINE_STRING) if element.get("t") == "inlineStr" else None
        text = inline.find(_TEXT) if inline is not None and len(inline) == 1 else None
        if text is None:
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            column = _column(coordinate.rstrip("0123456789"))
            self.col_counter = column
        else:
            self.col_counter += 1
            column = self.col_counter
        row = self.row_counter
        style = element.get("s")
        return {"row": row, "column": column, "value": text.text or "", "data_type": "s", "style_id": int(style or 0)}


@functools.cache
def _column(letters):
    return column_index_from_string(letters)


def _sheet_rows(book, sheet):
    """(row number, values) of a read-only worksheet, through ``_SheetParser``."""
    try:
        source = book._archive.open(sheet._worksheet_path)
        parser = _SheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
    except AttributeError:  # another openpyxl than the one pinned: its own reading
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        return
    with source:
        for number, cells in parser.parse():
            values = {cell["column"]: cell["value"] for cell in cells}
            yield number, tuple(values.get(column) for column in range(1, max(values, default=0) + 1))


def _read_csv(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise WorkbookError(_("A CSV file must be saved as UTF-8.")) from error
    rows = list(csv.reader(io.StringIO(text)))
    given = {value.strip() for value in (rows[0] if rows else [])}
    for key in SHEET_TITLES:
        if set(headers(key)) <= given:
            return _dataset(key, enumerate(rows, start=1))
    raise WorkbookError(_("The CSV file's headers are not those of any sheet of the workbook."))


INSTRUCTIONS = [
    "Sổ tổ chức: đơn vị, người dùng, thành viên và phân công nhiệm vụ.",
    "Mỗi trang tính giữ nguyên dòng tiêu đề; mỗi dòng là một đơn vị, một người, một vai trò hoặc một phân công.",
    "Dòng được nhận ra theo mã: mã đơn vị; tên đăng nhập; tên đăng nhập + mã đơn vị + vai trò; "
    "văn bản + nhiệm vụ số + mã đơn vị. Nhập lại cùng tệp không thay đổi gì; sửa một ô chỉ cập nhật ô đó.",
    "Loại đơn vị, cấp, vai trò: ghi đúng tên trong danh sách (ví dụ “Cấp ủy”, “Tỉnh”, “Người báo cáo”, "
    "“Chủ trì”) hoặc mã.",
    "Ngày ghi dd/mm/yyyy. Có/không ghi “có” hoặc “không”.",
    "Người dùng mới không cần mật khẩu: hệ thống gửi thư để họ tự đặt mật khẩu.",
    "Tệp được kiểm tra trước; nếu còn dòng lỗi thì không dòng nào được ghi.",
]
EXAMPLES = {
    "units": [
        ["tinh-uy-mau", "Tỉnh ủy Mẫu", "Tỉnh ủy", "Cấp ủy", "Tỉnh", "", "", "", "vptu@example.vn", "có"],
        ["huyen-uy-mau", "Huyện ủy Mẫu", "Huyện ủy", "Cấp ủy", "Huyện", "tinh-uy-mau", "01/01/2021", "", "", "có"],
    ],
    "users": [["nguyenvana", "Nguyễn Văn", "A", "a@example.vn", "có"]],
    "memberships": [["nguyenvana", "huyen-uy-mau", "Chuyên viên báo cáo"]],
    "assignments": [
        [
            "12-CT/TU",
            "1",
            "huyen-uy-mau",
            "Chủ trì (chủ trì)",
            "Đồng chí Bí thư",
            "",
            "31/12/2025",
            "",
            "",
            "",
            "bao-cao",
        ]
    ],
}


def write(datasets: dict, *, examples=False) -> bytes:
    """The workbook of ``datasets`` ({sheet key: tablib.Dataset}), or the empty
    template with example rows."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_TITLE
    for line in INSTRUCTIONS:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    for key, title in SHEET_TITLES.items():
        sheet = book.create_sheet(title)
        columns = headers(key)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        rows = EXAMPLES[key] if examples else (datasets[key].dict and [list(row) for row in datasets[key]])
        for row in rows or []:
            sheet_append(sheet, row)
        for index, name in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(14, min(40, len(name) + 4))
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
