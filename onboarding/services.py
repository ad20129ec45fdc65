"""Importing and exporting the organisation: units, users, memberships and
assignments from one workbook, checked first and applied all or nothing."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from onboarding import workbook
from onboarding.plan import Plan, RowReport
from onboarding.resources import RESOURCES

__all__ = ["ImportReport", "RowReport", "SheetReport", "organisation_export", "organisation_import"]


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


CHECKS = {
    "units": Plan.units,
    "users": Plan.users_sheet,
    "memberships": Plan.memberships,
    "assignments": Plan.assignments,
}


def _scaled(progress, start, end):
    return (lambda fraction: progress(start + (end - start) * fraction)) if progress else None


def _plan(sheets, progress):
    return Plan(progress=progress, total=sum(len(sheet.dataset) for sheet in sheets.values()))


def _check(plan, sheets, report):
    for key, _resource in RESOURCES:
        if key in sheets:
            sheet = sheets[key]
            report.sheets.append(SheetReport(key, sheet.title, CHECKS[key](plan, sheet)))


def organisation_import(*, data: bytes, filename: str, dry_run: bool, user=None, progress=None) -> ImportReport:
    """Checks (``dry_run``) or applies the workbook in ``data``. Applied in one
    transaction, all or nothing: when any row has an error nothing is written.
    The assignments' history records ``user`` and the file. ``progress``, if
    given, is called with the fraction done (a few dozen times at most).
    Raises workbook.WorkbookError when the file cannot be read at all."""
    sheets = {sheet.key: sheet for sheet in workbook.read(data, filename)}
    report = ImportReport()
    if dry_run:
        _check(_plan(sheets, progress), sheets, report)
        return report
    with transaction.atomic():
        plan = _plan(sheets, _scaled(progress, 0, 0.5))
        _check(plan, sheets, report)
        if report.ok:
            reason = _("Imported from the organisation workbook %(file)s") % {"file": filename}
            report.created_users = plan.write(user=user, reason=reason, progress=_scaled(progress, 0.5, 1))
            report.applied = True
    return report


def organisation_export() -> bytes:
    """The whole organisation as the workbook, in the format the import reads."""
    datasets = {key: resource_class().export() for key, resource_class in RESOURCES}
    return workbook.write(datasets)


def organisation_template() -> bytes:
    """The empty workbook with an example row per sheet."""
    return workbook.write({}, examples=True)
