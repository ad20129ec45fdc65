"""Entering many follow-up items at once (after a supervision session the
People's Council's office has dozens of recommendations): a workbook with one
sheet *Việc theo dõi*, checked first with a row-by-row preview (new, changed,
unchanged, error with its row, column and a Vietnamese message), then applied
all or nothing by the office or an administrator. Every upload is kept
(``ItemImport``) as the audit trail; the items' own history records who
imported them. The register's export (``register_workbook``) writes the same
columns, so an exported file can be edited and imported again.

The import runs in the request: a file holds at most IMPORT_MAX_ROWS items."""

import datetime
import io
from collections import defaultdict

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from followups.imports_resource import ItemResource
from followups.models import FollowUpAddressee, FollowUpItem, FollowUpStatus, FollowUpStep, StepAction
from followups.roll_models import ItemImport, ItemImportState
from notifications.models import NotificationKind
from notifications.services import notifications_send_many
from onboarding.plan import RowReport
from onboarding.services import ImportReport, SheetReport
from reports.spreadsheets import sheet_append
from units.models import Membership, MembershipRole

SHEET_TITLE = "Việc theo dõi"
INSTRUCTIONS_TITLE = "Hướng dẫn"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_ROWS = 2000

# django-import-export's row outcomes, as the organisation import names them.
KINDS = {"new": "new", "update": "changed", "skip": "unchanged", "invalid": "error", "error": "error"}


class ItemsWorkbookError(ValueError):
    """The file cannot be read as the follow-up items workbook."""


def headers():
    return [field.column_name for field in ItemResource().get_export_fields()]


def _read(data: bytes, filename: str):
    """(Dataset of the known columns, the spreadsheet row number of each row)."""
    if filename.lower().endswith(".csv"):
        import csv

        try:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        except UnicodeDecodeError as error:
            raise ItemsWorkbookError(_("A CSV file must be saved as UTF-8.")) from error
    else:
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:
            raise ItemsWorkbookError(_("The file is not an Excel workbook (.xlsx) that can be opened.")) from error
        if SHEET_TITLE not in book.sheetnames:
            raise ItemsWorkbookError(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": SHEET_TITLE})
        rows = list(book[SHEET_TITLE].iter_rows(values_only=True))
    expected = headers()
    given = [str(value or "").strip() for value in (rows[0] if rows else [])]
    missing = [name for name in expected if name not in given]
    if missing:
        raise ItemsWorkbookError(
            _("The sheet “%(sheet)s” lacks the columns: %(columns)s.")
            % {"sheet": SHEET_TITLE, "columns": ", ".join(missing)}
        )
    positions = [given.index(name) for name in expected]
    dataset, numbers = tablib.Dataset(headers=expected), []
    for number, row in enumerate(rows[1:], start=2):
        values = [row[p].strip() if isinstance(row[p], str) else row[p] if p < len(row) else None for p in positions]
        if all(value in (None, "") for value in values):
            continue
        dataset.append(values)
        numbers.append(number)
    if len(dataset) > IMPORT_MAX_ROWS:
        raise ItemsWorkbookError(
            _("The file has %(rows)d items; import at most %(max)d at a time.")
            % {"rows": len(dataset), "max": IMPORT_MAX_ROWS}
        )
    return dataset, numbers


def _messages(error):
    if hasattr(error, "error_dict"):
        for name, items in error.error_dict.items():
            for item in items:
                yield name, " ".join(item.messages)
    else:
        for message in error.messages:
            yield None, message


def _duplicates(dataset, numbers):
    """{row index: the row number of the earlier row with the same document and item number}."""
    seen, found = {}, {}
    for index, row in enumerate(dataset.dict):
        key = tuple(str(row.get(column) or "").strip().casefold() for column in
                    ("Loại nguồn", "Số văn bản", "Mã cơ quan ban hành", "Số thứ tự"))  # fmt: skip
        if key in seen and key[-1]:
            found[index] = seen[key]
        else:
            seen.setdefault(key, numbers[index])
    return found


def _column_of(resource, values, error):
    for name in resource._meta.import_id_fields:
        field = resource.fields[name]
        try:
            field.clean(values)
        except (ValueError, KeyError) as raised:
            if str(raised) == str(error):
                return field.column_name
    return None


def items_import(*, data: bytes, filename: str, dry_run: bool, user) -> ImportReport:
    """Checks (``dry_run``) or applies the workbook in ``data``, in one
    transaction, all or nothing: when any row has an error nothing is
    written. The addressed units of new items are notified when applied.
    Raises ItemsWorkbookError when the file cannot be read at all."""
    dataset, numbers = _read(data, filename)
    report = ImportReport()
    with transaction.atomic():
        resource = ItemResource(user=user)
        columns = {field.attribute: field.column_name for field in resource.get_import_fields() if field.attribute}
        columns[NON_FIELD_ERRORS] = None
        duplicates = _duplicates(dataset, numbers)
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=False)
        sheet = SheetReport("items", SHEET_TITLE)
        for index, row_result in enumerate(result.rows):
            values = dataset.dict[index]
            key = " · ".join(str(values.get(column) or "") for column in ("Số văn bản", "Số thứ tự"))
            row = RowReport(numbers[index], KINDS.get(row_result.import_type, "error"), key)
            if index in duplicates:
                row.status = "error"
                row.errors.append(("Số thứ tự", _("The same item as row %(row)s.") % {"row": duplicates[index]}))
            if row_result.validation_error is not None:
                row.errors += [(columns.get(n, n), m) for n, m in _messages(row_result.validation_error)]
            for error in row_result.errors:
                column = getattr(error.error, "column", None) or _column_of(resource, values, error.error)
                row.errors.append((column, str(error.error)))
            if row.status == "changed" and row_result.original is not None and row_result.instance is not None:
                row.changed = [
                    column
                    for name, column in columns.items()
                    if name != NON_FIELD_ERRORS
                    and getattr(row_result.original, name, None) != getattr(row_result.instance, name, None)
                ]
                if getattr(row_result.instance, "_addressees_changed", False):
                    row.changed.append(_("addressed units"))
            sheet.rows.append(row)
        report.sheets.append(sheet)
        report.applied = not dry_run and report.ok
        if report.applied:
            _notify_new(resource.created, user)
        else:
            transaction.set_rollback(True)
    return report


def _notify_new(item_ids, by):
    """The addressed units' reporters and heads hear of each new item: three queries."""
    if not item_ids:
        return
    units = defaultdict(list)
    for item_id, unit_id in FollowUpAddressee.objects.filter(item_id__in=item_ids).values_list("item_id", "unit_id"):
        units[item_id].append(unit_id)
    people = defaultdict(dict)
    for membership in Membership.objects.filter(
        unit_id__in={u for ids in units.values() for u in ids},
        role__in=[MembershipRole.REPORTER, MembershipRole.HEAD],
        user__is_active=True,
    ).select_related("user"):
        people[membership.unit_id][membership.user_id] = membership.user
    items = FollowUpItem.objects.in_bulk(item_ids)
    FollowUpStep.objects.bulk_create(
        FollowUpStep(item_id=pk, action=StepAction.RECORD, to_status=FollowUpStatus.NOT_STARTED, by=by,
                     text=Truncator(items[pk].text).chars(2000))
        for pk in item_ids
    )  # fmt: skip
    notifications_send_many(
        [
            {
                "recipients": list({pk: user for u in units[pk] for pk, user in people[u].items()}.values()),
                "kind": NotificationKind.FOLLOWUP_ADDRESSED,
                "actor": by,
                "link": reverse("followup_detail", args=[pk]),
                "reason": Truncator(items[pk].text).chars(300),
            }
            for pk in item_ids
        ]
    )


def report_as_data(report):
    from onboarding.jobs import report_as_data as onboarding_report

    return onboarding_report(report)


def item_import_create(*, user, upload) -> ItemImport:
    """Stores the upload and checks it. Raises ItemsWorkbookError for a file
    that cannot be read at all (nothing is stored then)."""
    data = upload.read()
    report = items_import(data=data, filename=upload.name, dry_run=True, user=user)
    batch = ItemImport(user=user, filename=upload.name[:255], rows=len(report.sheets[0].rows))
    batch.file.save(f"{batch.pk}.{'csv' if upload.name.lower().endswith('.csv') else 'xlsx'}", ContentFile(data),
                    save=False)  # fmt: skip
    batch.report = report_as_data(report)
    batch.state = ItemImportState.CHECKED if report.ok else ItemImportState.REFUSED
    batch.save()
    return batch


def item_import_confirm(*, batch: ItemImport, user) -> ItemImport:
    """Applies a checked upload, once whoever clicks twice: the claim is a
    conditional update, in the same transaction as the import."""
    with transaction.atomic():
        claimed = ItemImport.objects.filter(pk=batch.pk, user=user, state=ItemImportState.CHECKED).update(
            state=ItemImportState.REFUSED
        )
        if not claimed:
            return ItemImport.objects.get(pk=batch.pk)
        with batch.file.open("rb") as handle:
            data = handle.read()
        report = items_import(data=data, filename=batch.filename, dry_run=False, user=user)
        batch.report = report_as_data(report)
        batch.state = ItemImportState.APPLIED if report.applied else ItemImportState.REFUSED
        batch.applied_at = timezone.now() if report.applied else None
        batch.save(update_fields=["report", "state", "applied_at"])
    return batch


# --- the template and the register's export --------------------------------------------------------

INSTRUCTIONS = [
    "Sổ theo dõi việc sau giám sát, kiểm tra: mỗi dòng của trang “Việc theo dõi” là một việc "
    "(một kiến nghị, một điểm kết luận, một ý kiến chỉ đạo).",
    "Loại nguồn: “Ý kiến chỉ đạo”, “Kết luận kiểm tra, giám sát”, “Kiến nghị giám sát” hoặc “Kiến nghị cử tri”.",
    "Văn bản nguồn được nhận ra theo loại, số, ngày ban hành và mã cơ quan ban hành; văn bản chưa có sẽ được tạo.",
    "Việc được nhận ra theo văn bản nguồn và số thứ tự trong văn bản: nhập lại cùng tệp không thay đổi gì; "
    "sửa một ô chỉ cập nhật ô đó. Việc đã kết thúc (đã giải quyết hoặc không thể thực hiện) không sửa được bằng tệp.",
    "Đơn vị ghi bằng mã (như trong sổ tổ chức): đúng một đơn vị chủ trì; các đơn vị phối hợp cách nhau bằng dấu phẩy.",
    "Nhiệm vụ của văn bản chỉ đạo (không bắt buộc): số hoặc mã văn bản và số nhiệm vụ.",
    "Ngày ghi dd/mm/yyyy. Hạn rơi vào ngày nghỉ được tính đến ngày làm việc kế tiếp.",
    "Tệp được kiểm tra trước; nếu còn dòng lỗi thì không dòng nào được ghi. Mỗi tệp tối đa 2.000 việc.",
]
EXAMPLE = [
    "Kiến nghị giám sát", "125/BC-HĐND", "15/03/2025", "tt-hdnd", "Báo cáo kết quả giám sát việc sắp xếp trụ sở",
    "1", "Rà soát, lập phương án sử dụng trụ sở dôi dư sau sắp xếp đơn vị hành chính cấp xã.", "", "",
    "ubnd-tinh", "so-tai-chinh, so-xay-dung", "30/06/2025", "tt-hdnd",
]  # fmt: skip
EXPORT_EXTRA = ["Tình trạng", "Quá hạn (ngày)", "Ngày hoàn thành", "Đúng hạn", "Vòng giám sát", "Kết quả, phản hồi"]


def _book(rows, extra=()):
    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS_TITLE
    for line in INSTRUCTIONS:
        sheet_append(guide, [line])
    guide.column_dimensions["A"].width = 120
    sheet = book.create_sheet(SHEET_TITLE)
    columns = headers() + list(extra)
    sheet_append(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet_append(sheet, row)
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 60 if name == "Nội dung" else max(14, len(name) + 4)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def items_template() -> bytes:
    return _book([EXAMPLE])


def register_workbook(items, today: datetime.date) -> bytes:
    """The register's ``items`` (a queryset, already filtered and sorted) in
    the import's columns plus their state; a fixed number of queries."""
    items = items.select_related("document__issuing_unit", "verifying_unit", "task__directive").prefetch_related(
        Prefetch("addressees", queryset=FollowUpAddressee.objects.select_related("unit").order_by("role", "unit__code"))
    )
    resource = ItemResource()
    statuses = dict(FollowUpStatus.choices)
    rows = []
    for item in items.iterator(chunk_size=2000):
        base = resource.export_resource(item)
        on_time = item.closed_on_time
        rows.append(
            [
                *[str(value) if value is not None else "" for value in base],
                str(statuses[item.status]),
                (today - item.due_on).days if item.is_overdue(today) else None,
                item.completed_on,
                "" if on_time is None else ("có" if on_time else "không"),
                item.round,
                item.response,
            ]
        )
    return _book(rows, EXPORT_EXTRA)
