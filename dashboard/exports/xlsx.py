"""The dashboard's figures as an Excel workbook: one sheet per view, raw
numbers (rates and progress as percentages with one decimal), dates as dates,
frozen header rows. Built from the figures alone: no query of its own. Every
row goes through ``sheet_append``: text is written as text, never a formula."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from dashboard.measures import Category, ReportStatus
from dashboard.summary import cells_in_matrix_order, unit_order
from reports.spreadsheets import sheet_append

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
WRAP = Alignment(wrap_text=True, vertical="top")
PERCENT_FORMAT = "0.0"
DATE_FORMAT = "DD/MM/YYYY"


def _sheet(workbook, title, headers, widths, *, header_rows=1, freeze_columns=0):
    title = INVALID_TITLE_REGEX.sub(" ", str(title))[:31]
    sheet = workbook.create_sheet(title)
    if headers:  # otherwise the caller writes its own header rows
        sheet_append(sheet, [str(header) for header in headers])
        for cell in sheet[1]:
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # A coordinate, not sheet.cell(): that would create a cell and push the rows down.
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_rows + 1}"
    return sheet


def _format(sheet, columns, number_format, first_row=2):
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
            cell.number_format = number_format


def _counts(counts):
    return [
        counts.expected,
        counts.received,
        counts.on_time,
        counts.late,
        counts.overdue,
        counts.awaiting,
        counts.accepted,
        counts.returned,
    ]


def count_headers():
    return [
        _("Expected reports"),
        _("Received"),
        _("On time"),
        _("Late"),
        _("Overdue"),
        _("Not yet due"),
        _("Accepted"),
        _("Returned"),
    ]


def _headline(workbook, figures):
    sheet = _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], [48, 60])
    periods = figures.periods
    labels = list(dict.fromkeys(str(period.label) for period in periods))
    total = figures.total
    rows = [
        (_("Directive"), str(figures.directive)),
        (_("From period"), labels[0]),
        (_("To period"), labels[-1]),
        (_("As of"), figures.as_of),
        *zip(count_headers(), _counts(total.counts), strict=True),
        (_("Reporting rate (%)"), total.counts.reporting_rate),
        (_("On-time rate (%)"), total.counts.on_time_rate),
        (_("Progress (%)"), total.progress.value),
    ]
    for row in rows:
        sheet_append(sheet, row)
    sheet.cell(row=5, column=2).number_format = DATE_FORMAT
    for row in range(len(rows) - 1, len(rows) + 2):
        sheet.cell(row=row, column=2).number_format = PERCENT_FORMAT
    sheet_append(sheet, [])
    sheet_append(sheet, [_("Status of assignments (Government Office)"), _("Assignments")])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for _value, label, count in total.taxonomy.items():
        sheet_append(sheet, [str(label), count])
    for cell in sheet["B"]:
        cell.alignment = Alignment(horizontal="left")


def _tasks(workbook, figures):
    headers = [
        _("No."),
        _("Task"),
        _("Progress (%)"),
        _("Reporting rate (%)"),
        _("On-time rate (%)"),
        _("Overdue"),
        *count_headers(),
        *Category.labels,
    ]
    widths = [6, 60, 12, 12, 12, 10] + [11] * 8 + [16] * len(Category.labels)
    sheet = _sheet(workbook, _("Tasks"), headers, widths, freeze_columns=2)
    for item in figures.by_task:
        counts = item.block.counts
        sheet_append(
            sheet,
            [
                item.task.number,
                item.task.title,
                item.block.progress.value,
                counts.reporting_rate,
                counts.on_time_rate,
                counts.overdue,
                *_counts(counts),
                *(count for _value, _label, count in item.block.taxonomy.items()),
            ],
        )
    _format(sheet, (3, 4, 5), PERCENT_FORMAT)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = WRAP


def matrix_measures():
    return [_("Expected"), _("Received"), _("On time"), _("Status"), _("Progress (%)")]


def _matrix(workbook, figures):
    measures = matrix_measures()
    fixed = [_("Unit"), _("Code"), _("Level"), _("Kind"), _("Includes closed units")]
    widths = [40, 16, 12, 22, 30] + [11, 11, 11, 22, 11] * len(figures.tasks)
    sheet = _sheet(workbook, _("Units × tasks"), None, widths, header_rows=2, freeze_columns=1)
    top = [*fixed]
    for task in figures.tasks:
        top.extend([f"{task.number}. {task.title}"] + [""] * (len(measures) - 1))
    sheet_append(sheet, top)
    sheet_append(sheet, [""] * len(fixed) + measures * len(figures.tasks))
    for column in range(1, len(fixed) + 1):
        sheet.merge_cells(start_row=1, end_row=2, start_column=column, end_column=column)
    for index in range(len(figures.tasks)):
        start = len(fixed) + 1 + index * len(measures)
        sheet.merge_cells(start_row=1, end_row=1, start_column=start, end_column=start + len(measures) - 1)
    for row in sheet.iter_rows(min_row=1, max_row=2):
        for cell in row:
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    sheet.row_dimensions[1].height = 60
    statuses = dict(ReportStatus.choices)
    cells = {}
    for task_cells in cells_in_matrix_order(figures).values():
        for cell in task_cells:
            cells[(cell.unit.pk, cell.task.pk)] = cell
    units = sorted({cell.unit.pk: cell.unit for cell in figures.cells.values()}.values(), key=unit_order)
    for unit in units:
        merged = ", ".join(u.name for u in figures.merged_into.get(unit.pk, []))
        row = [unit.name, unit.code, str(unit.get_level_display()), str(unit.get_kind_display()), merged]
        for task in figures.tasks:
            cell = cells.get((unit.pk, task.pk))
            if cell is None:
                row.extend([None] * len(measures))
                continue
            status = str(statuses[cell.status]) if cell.status else None
            row.extend([cell.counts.expected, cell.counts.received, cell.counts.on_time, status, cell.percent])
        sheet_append(sheet, row)


def _late(workbook, figures):
    headers = [_("Unit"), _("No."), _("Task"), _("Period"), _("Due on"), _("Days overdue"), _("Responsible person")]
    sheet = _sheet(workbook, _("Overdue reports"), headers, [40, 6, 50, 28, 12, 12, 28], freeze_columns=1)
    rows = [(cell, row) for cell, row in figures.expected_rows() if row.status == ReportStatus.OVERDUE]
    rows.sort(key=lambda item: (-item[1].days_overdue, item[1].owing_unit.name, item[0].task.number))
    for cell, row in rows:
        sheet_append(
            sheet,
            [
                row.owing_unit.name,
                cell.task.number,
                cell.task.title,
                str(row.period.label),
                row.period.due_on,
                row.days_overdue,
                row.assignment.responsible_person,
            ],
        )
    _format(sheet, (5,), DATE_FORMAT)


def _series(workbook, figures):
    headers = [_("Period"), _("Key"), _("Due on"), _("Reporting rate (%)"), _("On-time rate (%)"), _("Progress (%)")]
    sheet = _sheet(workbook, _("By period"), headers, [36, 18, 12, 14, 14, 14], freeze_columns=1)
    for point in figures.series:
        period = point.period
        sheet_append(
            sheet,
            [str(period.label), period.key, period.due_on, point.reporting_rate, point.on_time_rate, point.progress],
        )
    _format(sheet, (3,), DATE_FORMAT)
    _format(sheet, (4, 5, 6), PERCENT_FORMAT)


def render(figures, progress=lambda percent: None) -> bytes:
    """The workbook of ``figures`` as .xlsx bytes; ``progress`` is told how far
    the build has got (a percentage) after each sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    from dissemination.coverage_export import coverage_sheets  # "Học tập, quán triệt" when followed

    steps = [_headline, _tasks, _matrix, _late, _series, coverage_sheets]
    for done, step in enumerate(steps, start=1):
        step(workbook, figures)
        progress(20 + 70 * done // len(steps))
    workbook.properties.title = str(figures.directive)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
