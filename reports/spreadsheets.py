"""Every text cell the product writes into a spreadsheet is text, never a formula.

A unit name, task title or responsible person is typed by people; one that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
by Excel or LibreOffice as a formula (``=HYPERLINK(…)``, ``=cmd|…``) — in a
CSV file, and in an .xlsx file written with openpyxl, which stores any string
starting with ``=`` as a formula. Every writer of a workbook (``sheet_append``)
or of CSV and import templates (``csv_text``) goes through here.
"""

from openpyxl.cell.cell import Cell

# OWASP's list ("CSV injection"): the characters a spreadsheet may start a formula with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(value):
    """A value for a CSV cell: text a spreadsheet would evaluate gets a leading
    apostrophe (the usual escape: shown as text, the apostrophe hidden)."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def text_cell(sheet, text: str) -> Cell:
    """A cell of ``sheet`` holding ``text`` as a string whatever it begins with;
    one that looks like a formula is also marked as quoted, so that editing it
    in Excel keeps it text."""
    cell = Cell(sheet, value=None)
    cell.value = text
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def sheet_append(sheet, values) -> None:
    """``sheet.append(values)``, with every string written as text (numbers,
    dates and empty cells as they are)."""
    sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in values])
