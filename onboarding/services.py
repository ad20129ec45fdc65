"""Importing and exporting the organisation: units, users, memberships and
assignments from one workbook, checked first and applied all or nothing."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from onboarding import workbook
from onboarding.resources import RESOURCES, TaskWidget

KINDS = {"new": "new", "update": "changed", "skip": "unchanged", "invalid": "error", "error": "error"}


@dataclass
class RowReport:
    number: int  # the spreadsheet's row number
    status: str  # new, changed, unchanged, error
    key: str  # the row's natural key as written
    changed: list = field(default_factory=list)  # column names
    errors: list = field(default_factory=list)  # (column, message)


@dataclass
class SheetReport:
    key: str
    title: str
    rows: list = field(default_factory=list)

    @property
    def counts(self):
        counts = Counter(row.status for row in self.rows)
        return {status: counts.get(status, 0) for status in ("new", "changed", "unchanged", "error")}

    @property
    def errors(self):
        return [row for row in self.rows if row.status == "error"]


@dataclass
class ImportReport:
    sheets: list = field(default_factory=list)
    applied: bool = False
    created_users: list = field(default_factory=list)

    @property
    def ok(self):
        return not any(sheet.errors for sheet in self.sheets)

    @property
    def counts(self):
        total = Counter()
        for sheet in self.sheets:
            total.update(sheet.counts)
        return dict(total)

    def error_lines(self):
        """ "Đơn vị, dòng 4, cột Mã đơn vị cấp trên: …" for every error."""
        for sheet in self.sheets:
            for row in sheet.errors:
                for column, message in row.errors:
                    yield _("%(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
                        "sheet": sheet.title,
                        "row": row.number,
                        "column": column or "—",
                        "message": message,
                    }


def _columns(resource):
    columns = {field.attribute: field.column_name for field in resource.get_import_fields() if field.attribute}
    return {**columns, NON_FIELD_ERRORS: None}


def _messages(error):
    if hasattr(error, "error_dict"):
        for name, items in error.error_dict.items():
            for item in items:
                yield name, " ".join(item.messages)
    else:
        for message in error.messages:
            yield None, message


def _order_units(sheet):
    """Parents before their children, so that a unit can name a parent
    further down the sheet; rows in a cycle keep their place (and fail)."""
    dataset = sheet.dataset
    code_column, parent_column = workbook.headers("units")[0], "Mã đơn vị cấp trên"
    rows = list(zip(sheet.row_numbers, dataset, strict=True))
    codes = {str(row[dataset.headers.index(code_column)] or "").strip() for _n, row in rows}
    placed, ordered, pending = set(), [], rows
    while pending:
        remaining = []
        for number, row in pending:
            parent = str(row[dataset.headers.index(parent_column)] or "").strip()
            if not parent or parent not in codes or parent in placed:
                ordered.append((number, row))
                placed.add(str(row[dataset.headers.index(code_column)] or "").strip())
            else:
                remaining.append((number, row))
        if len(remaining) == len(pending):
            ordered.extend(remaining)
            break
        pending = remaining
    sheet.row_numbers = [number for number, _row in ordered]
    headers = dataset.headers
    sheet.dataset = type(dataset)(*[row for _n, row in ordered], headers=headers)


def _duplicates(sheet, resource):
    """Rows whose natural key appears earlier in the same sheet."""
    id_columns = [resource.fields[name].column_name for name in resource._meta.import_id_fields]
    positions = [sheet.dataset.headers.index(column) for column in id_columns]
    seen = {}
    found = {}
    for index, row in enumerate(sheet.dataset):
        key = tuple(str(row[position] or "").strip().casefold() for position in positions)
        if key in seen:
            found[index] = seen[key]
        else:
            seen[key] = sheet.row_numbers[index]
    return found, id_columns


def _column_of(resource, values, error):
    """The column whose cell raised ``error`` while the row's key was looked up
    (those errors come before the row's own validation)."""
    for name in resource._meta.import_id_fields:
        field = resource.fields[name]
        try:
            field.clean(values)
        except (ValueError, KeyError) as raised:
            if str(raised) == str(error):
                return field.column_name
    return None


def _import_sheet(sheet, resource_class, report):
    resource = resource_class()
    if sheet.key == "units":
        _order_units(sheet)
    duplicates, id_columns = _duplicates(sheet, resource)
    columns = _columns(resource)
    result = resource.import_data(sheet.dataset, dry_run=False, use_transactions=True, raise_errors=False)
    sheet_report = SheetReport(sheet.key, sheet.title)
    for index, row_result in enumerate(result.rows):
        values = dict(zip(sheet.dataset.headers, sheet.dataset[index], strict=True))
        key_columns = [column for column in (TaskWidget.DIRECTIVE, *id_columns) if column in values]
        key = " · ".join(str(values.get(column) or "") for column in key_columns)
        row = RowReport(sheet.row_numbers[index], KINDS.get(row_result.import_type, "error"), key)
        if index in duplicates:
            row.status = "error"
            row.errors.append(
                (id_columns[0], _("The same row as row %(row)s of this sheet.") % {"row": duplicates[index]})
            )
        if row_result.validation_error is not None:
            row.errors += [
                (columns.get(name, name), message) for name, message in _messages(row_result.validation_error)
            ]
        for error in row_result.errors:
            row.errors.append((_column_of(resource, values, error.error), str(error.error)))
        if row.status == "changed" and row_result.original is not None and row_result.instance is not None:
            row.changed = [
                column
                for name, column in columns.items()
                if getattr(row_result.original, name, None) != getattr(row_result.instance, name, None)
            ]
        sheet_report.rows.append(row)
    report.sheets.append(sheet_report)
    report.created_users += getattr(resource, "created_users", [])


def organisation_import(*, data: bytes, filename: str, dry_run: bool) -> ImportReport:
    """Checks (``dry_run``) or applies the workbook in ``data``. Applied in one
    transaction, all or nothing: when any row has an error nothing is written.
    Raises workbook.WorkbookError when the file cannot be read at all."""
    sheets = {sheet.key: sheet for sheet in workbook.read(data, filename)}
    report = ImportReport()
    with transaction.atomic():
        for key, resource_class in RESOURCES:
            if key in sheets:
                _import_sheet(sheets[key], resource_class, report)
        report.applied = not dry_run and report.ok
        if not report.applied:
            transaction.set_rollback(True)
    if not report.applied:
        report.created_users = []
    return report


def organisation_export() -> bytes:
    """The whole organisation as the workbook, in the format the import reads."""
    datasets = {key: resource_class().export() for key, resource_class in RESOURCES}
    return workbook.write(datasets)


def organisation_template() -> bytes:
    """The empty workbook with an example row per sheet."""
    return workbook.write({}, examples=True)
