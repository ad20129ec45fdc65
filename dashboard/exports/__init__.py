"""The dashboard's exports: the Excel workbook of the figures and the compiled
report as Word and PDF. Each is built from the figures by one function here,
in the request or, when large, by a Celery worker (see jobs.py)."""

from dataclasses import dataclass

from django.utils.text import slugify

from dashboard.exports import docx, pdf, xlsx
from dashboard.summary import summary_content


def _workbook(figures, progress):
    return xlsx.render(figures, progress)


def _word(figures, progress):
    content = summary_content(figures)
    progress(50)
    return docx.render(content)


def _pdf(figures, progress):
    content = summary_content(figures)
    progress(40)
    return pdf.render(content, progress)


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


def export_build(kind, figures, *, progress=lambda percent: None) -> bytes:
    """The file of ``kind`` for ``figures``; ``progress`` hears how far it got."""
    return EXPORTS[kind].build(figures, progress)


def export_filename(kind, figures):
    """For example so-lieu-ct-hdnd-2024-h1-2025.xlsx."""
    export = EXPORTS[kind]
    keys = list(dict.fromkeys(period.key for period in figures.periods))
    span = keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}"
    return f"{export.prefix}-{slugify(figures.directive.code)}-{slugify(span)}.{export.extension}"
