"""The reorganisation sheet *Sắp xếp tổ chức* of the organisation workbook.

One row per unit that changes: its code, the kind of change, the successor
code(s), the effective date (the first day of the new organisation), the new
parent's code and the new name(s), and for units the row opens, their kind,
level and whether they are sample data. Several successors or names are
separated by ";". Read with openpyxl (XLSX) or the csv module (a CSV file of
this one sheet); applied by ``units.reorganisation``."""

import csv
import datetime
import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from onboarding.workbook import CONTENT_TYPE, WorkbookError  # noqa: F401 - the download's type
from reports.spreadsheets import sheet_append
from units.models import UnitKind, UnitLevel
from units.reorganisation import Change, ChangeKind

SHEET_TITLE = "Sắp xếp tổ chức"
INSTRUCTIONS_TITLE = "Hướng dẫn"
COLUMNS = [
    ("code", "Mã đơn vị"),
    ("kind", "Hình thức thay đổi"),
    ("successors", "Mã đơn vị kế thừa"),
    ("effective_on", "Ngày hiệu lực"),
    ("parent", "Mã đơn vị cấp trên mới"),
    ("names", "Tên mới"),
    ("unit_kind", "Loại (đơn vị mới)"),
    ("level", "Cấp (đơn vị mới)"),
    ("sample", "Dữ liệu mẫu"),
]
REQUIRED = ("code", "kind", "effective_on")
KIND_WORDS = {
    "sáp nhập": ChangeKind.MERGE,
    "hợp nhất": ChangeKind.MERGE,
    "chia tách": ChangeKind.SPLIT,
    "tách": ChangeKind.SPLIT,
    "đổi tên": ChangeKind.RENAME,
    "điều chuyển": ChangeKind.MOVE,
    "chuyển đơn vị cấp trên": ChangeKind.MOVE,
    "giải thể": ChangeKind.DISSOLVE,
}
KIND_NAMES = {
    ChangeKind.MERGE: "Sáp nhập",
    ChangeKind.SPLIT: "Chia tách",
    ChangeKind.RENAME: "Đổi tên",
    ChangeKind.MOVE: "Điều chuyển",
    ChangeKind.DISSOLVE: "Giải thể",
}
INSTRUCTIONS = [
    "Trang “Sắp xếp tổ chức”: mỗi dòng là một đơn vị thay đổi từ “Ngày hiệu lực” (ngày đầu tiên của tổ chức mới; "
    "đơn vị bị thay thế đóng vào ngày hôm trước).",
    "Hình thức thay đổi: Sáp nhập (một đơn vị kế thừa), Chia tách (từ hai đơn vị kế thừa), Đổi tên (đơn vị mang tên "
    "mới là đơn vị kế thừa), Điều chuyển (sang “Mã đơn vị cấp trên mới”), Giải thể (không có đơn vị kế thừa).",
    "Nhiều mã hoặc nhiều tên cách nhau bằng dấu “;”, theo cùng thứ tự. Đơn vị kế thừa chưa có mã thì được tạo với "
    "“Tên mới”, “Loại”, “Cấp” và “Mã đơn vị cấp trên mới” của dòng.",
    "Phân công của đơn vị đóng được chuyển cho đơn vị kế thừa; thành viên chuyển sang khi chỉ có một đơn vị kế "
    "thừa, nếu không thì giữ quyền đọc báo cáo cũ. Báo cáo đã gửi giữ nguyên nơi đã gửi.",
    "Tệp được kiểm tra trước: bản xem trước liệt kê mọi hệ quả và đối chiếu số liệu các kỳ trước ngày hiệu lực; "
    "nếu còn dòng lỗi thì không dòng nào được ghi.",
]


def headers():
    return [title for _key, title in COLUMNS]


def _labels(choices):
    """{lowercased Vietnamese label or value: value}."""
    found = {}
    with translation.override("vi"):
        for value, label in choices:
            found[str(label).lower()] = value
            found[str(value).lower()] = value
    return found


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _list(value):
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


def _rows(data, filename):
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise WorkbookError(_("A CSV file must be saved as UTF-8.")) from error
        return list(csv.reader(io.StringIO(text)))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx) that can be opened.")) from error
    if SHEET_TITLE not in book.sheetnames:
        raise WorkbookError(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": SHEET_TITLE})
    return [list(row) for row in book[SHEET_TITLE].iter_rows(values_only=True)]


def changes_read(*, data: bytes, filename: str):
    """(changes, problems) of the sheet: the rows as ``Change``s, and every cell
    that cannot be read (sheet row number, column, message)."""
    rows = _rows(data, filename)
    given = [str(value or "").strip() for value in (rows[0] if rows else [])]
    missing = [title for key, title in COLUMNS if key in REQUIRED and title not in given]
    if missing:
        raise WorkbookError(
            _("The sheet “%(sheet)s” lacks the columns: %(columns)s.")
            % {"sheet": SHEET_TITLE, "columns": ", ".join(missing)}
        )
    positions = {key: given.index(title) for key, title in COLUMNS if title in given}
    kinds = {**KIND_WORDS, **{value: value for value, _label in ChangeKind.CHOICES}}
    unit_kinds, levels = _labels(UnitKind.choices), _labels(UnitLevel.choices)
    changes, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: (row[index] if index < len(row) else None) for key, index in positions.items()}
        cells = {key: value.strip() if isinstance(value, str) else value for key, value in cells.items()}
        if all(value in (None, "") for value in cells.values()):
            continue

        def bad(key, message, number=number):
            problems.append((number, dict(COLUMNS)[key], message))

        kind = kinds.get(str(cells.get("kind") or "").lower())
        if kind is None:
            bad("kind", _("Unknown kind of change: write Sáp nhập, Chia tách, Đổi tên, Điều chuyển or Giải thể."))
        day = _date(cells.get("effective_on"))
        if day is None:
            bad("effective_on", _("Write the date as dd/mm/yyyy."))
        unit_kind = str(cells.get("unit_kind") or "").lower()
        if unit_kind and unit_kind not in unit_kinds:
            bad("unit_kind", _("Not a kind of unit in the list."))
        level = str(cells.get("level") or "").lower()
        if level and level not in levels:
            bad("level", _("Not a level in the list."))
        if not cells.get("code"):
            bad("code", _("The unit's code is missing."))
        changes.append(
            Change(
                code=str(cells.get("code") or ""),
                kind=kind or "",
                effective_on=day,
                successors=_list(cells.get("successors")),
                parent=str(cells.get("parent") or ""),
                names=[part.strip() for part in str(cells.get("names") or "").split(";")] if cells.get("names") else [],
                unit_kind=unit_kinds.get(unit_kind, ""),
                level=levels.get(level),
                sample=str(cells.get("sample") or "").lower() in ("có", "x", "yes", "true", "1"),
                row=number,
            )
        )
    return changes, problems


def change_rows(changes):
    """The sheet's rows for ``changes`` (the inverse of ``changes_read``)."""
    with translation.override("vi"):
        kinds, levels = dict(UnitKind.choices), dict(UnitLevel.choices)
        return [
            [
                change.code,
                KIND_NAMES[change.kind],
                "; ".join(change.successors),
                change.effective_on.strftime("%d/%m/%Y"),
                change.parent,
                "; ".join(change.names),
                str(kinds[change.unit_kind]) if change.unit_kind else "",
                str(levels[change.level]) if change.level else "",
                "có" if change.sample else "",
            ]
            for change in changes
        ]


def sheet_write(changes, *, notes=()) -> bytes:
    """A workbook with the instructions and the *Sắp xếp tổ chức* sheet."""
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_TITLE
    for line in [*INSTRUCTIONS, *notes]:
        sheet_append(guide, [line])
    guide.column_dimensions["A"].width = 120
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in change_rows(changes):
        sheet_append(sheet, row)
    for index, title in enumerate(headers(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, min(48, len(title) + 6))
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
