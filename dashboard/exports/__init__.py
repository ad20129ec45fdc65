"""The dashboard's exports: the Excel workbook of the figures and the compiled
report as Word and PDF. Each is built from the figures by one function here,
in the request or, when large, by a Celery worker (see jobs.py)."""

from dataclasses import dataclass

from django.utils.text import slugify

from dashboard.exports import docx, pdf, xlsx
from dashboard.letterhead import Flavour
from dashboard.summary import summary_content


def _workbook(figures, progress, flavour):
    return xlsx.render(figures, progress)


def _word(figures, progress, flavour):
    content = summary_content(figures, flavour=flavour)
    progress(50)
    return docx.render(content)


def _pdf(figures, progress, flavour):
    content = summary_content(figures, flavour=flavour)
    progress(40)
    return pdf.render(content, progress)


def flavour_from(params):
    """The compiled report asked for in ``params`` (a QueryDict): the office's
    report unless the Standing Committee's is named."""
    value = params.get("flavour")
    return value if value in Flavour.values else Flavour.OFFICE


@dataclass(frozen=True)
class Export:
    kind: str
    extension: str
    content_type: str
    prefix: str
    build: object


EXPORTS = {
    "xlsx": Export("xlsx", "xlsx", xlsx.CONTENT_TYPE, "so-lieu", _workbook),
    "docx": Export("docx", "docx", docx.CONTENT_TYPE, "bao-cao", _word),
    "pdf": Export("pdf", "pdf", pdf.CONTENT_TYPE, "bao-cao", _pdf),
}


def expected_rows(figures):
    """How big an export of ``figures`` is: its number of expected reports."""
    return sum(len(cell.expected) for cell in figures.cells.values())


def export_build(kind, figures, *, flavour=Flavour.OFFICE, progress=lambda percent: None) -> bytes:
    """The file of ``kind`` for ``figures`` (the compiled report in ``flavour``);
    ``progress`` hears how far it got."""
    return EXPORTS[kind].build(figures, progress, flavour)


def export_filename(kind, figures, flavour=Flavour.OFFICE):
    """For example so-lieu-ct-hdnd-2024-h1-2025.xlsx, bao-cao-btv-ct-hdnd-2024.pdf."""
    export = EXPORTS[kind]
    keys = list(dict.fromkeys(period.key for period in figures.periods))
    span = keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}"
    prefix = f"{export.prefix}-btv" if kind != "xlsx" and flavour == Flavour.COMMITTEE else export.prefix
    return f"{prefix}-{slugify(figures.directive.code)}-{slugify(span)}.{export.extension}"
