"""What the compiled report ("Báo cáo kết quả thực hiện Chỉ thị") says, gathered
once and shared by the Word and PDF exports.

Everything comes from the dashboard's figures plus two queries: the texts of
each unit's latest received report in the range, and the indicator totals.
The document is a Party document (Hướng dẫn 36-HD/VPTW), always in Vietnamese:
its fixed wording is written here, not translated.
"""

import datetime
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.formats import number_format

from dashboard.indicators import Given, aggregate
from dashboard.measures import RECEIVED, Category, ReportStatus
from directives.models import DirectiveKind, Indicator, IndicatorAggregation, IndicatorKind
from reports.models import ImplementationStatus, IndicatorValue, ProgressReport
from units.models import UnitKind

PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"
TITLE = "BÁO CÁO"
SIGNER_LINES = ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"]
RECIPIENTS = [
    "- Thường trực Tỉnh ủy (để b/c),",
    "- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,",
    "- Các đơn vị được giao nhiệm vụ,",
    "- Lưu Văn phòng Tỉnh ủy.",
]
# The Government Office's wording for its task taxonomy.
CATEGORY_TEXT = {
    Category.COMPLETED_ON_TIME: "Đã hoàn thành đúng hạn",
    Category.COMPLETED_LATE: "Đã hoàn thành quá hạn",
    Category.IN_PROGRESS_ON_TIME: "Đang thực hiện trong hạn",
    Category.IN_PROGRESS_OVERDUE: "Đang thực hiện quá hạn",
    Category.NOT_YET_DUE: "Chưa đến hạn",
}
STATUS_TEXT = {
    ImplementationStatus.NOT_STARTED: "chưa bắt đầu",
    ImplementationStatus.IN_PROGRESS: "đang thực hiện",
    ImplementationStatus.COMPLETED: "đã hoàn thành",
}
KIND_TEXT = {
    DirectiveKind.DIRECTIVE: "Chỉ thị",
    DirectiveKind.RESOLUTION: "Nghị quyết",
    DirectiveKind.CONCLUSION: "Kết luận",
    DirectiveKind.PLAN: "Kế hoạch",
}
NOTHING_SENT = "chưa gửi báo cáo trong kỳ."


def text(value):
    """Composed Unicode: a tone mark typed as a combining character (as some
    keyboards do) becomes the one precomposed letter every font has."""
    return unicodedata.normalize("NFC", str(value or "")).strip()


def vi_number(value, places=0):
    """A number written the Vietnamese way (1.234,5); an empty string for None."""
    if value is None:
        return ""
    with translation.override("vi"):
        return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def vi_percent(value):
    return f"{vi_number(value, 1)}\u00a0%" if value is not None else "chưa có số liệu"


def vi_date(day):
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def lower_first(value):
    """A label used mid-sentence: "Năm 2024" → "năm 2024"."""
    return value[:1].lower() + value[1:]


def place_date_line(place, day):
    """ "Hải Dương, ngày 05 tháng 03 năm 2024": day and month on two digits."""
    date = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{place}, {date}" if place else date.capitalize()


def number_suffix(directive_number):
    """The issuing body's code of the directive's number (12-CT/TU → TU)."""
    _number, slash, suffix = (directive_number or "").partition("/")
    return suffix.strip() if slash and suffix.strip() else "TU"


def unit_order(unit):
    """The matrix's order: level, then kind, then name."""
    kinds = UnitKind.values
    return (unit.level, kinds.index(unit.kind) if unit.kind in kinds else len(kinds), unit.name)


@dataclass
class Situation:
    expected: str
    received: str
    on_time: str
    late: str
    overdue: str
    awaiting: str
    reporting_rate: str
    on_time_rate: str
    progress: str


@dataclass
class TaxonomyItem:
    label: str
    count: int


@dataclass
class UnitResult:
    name: str
    reported: bool  # False: the unit sent nothing in the range
    period: str = ""
    status: str = ""
    percent: str = ""
    results: str = ""
    difficulties: str = ""
    proposals: str = ""

    @property
    def heading(self):
        """ "Huyện ủy Gia Lộc (6 tháng đầu năm 2024; đang thực hiện, 60 %)"."""
        if not self.reported:
            return f"{self.name}: {NOTHING_SENT}"
        return f"{self.name} ({self.period}; {self.status}, {self.percent})"


@dataclass
class TaskSection:
    number: int
    title: str
    progress: str
    units: list = field(default_factory=list)  # UnitResult, in matrix order


@dataclass
class IndicatorTotal:
    number: int
    task_number: int
    name: str
    unit_of_measure: str
    kind: str
    total: str  # added up as the indicator says (dashboard/indicators.py)
    reports: int  # received reports that gave a value
    rule: str = ""  # how the total was added up, in words
    used: int = 0  # reports whose values make the total (overlapping windows counted once)


@dataclass
class LateItem:
    task_number: int
    task_title: str
    period: str
    due_on: str
    days_overdue: int

    @property
    def text(self):
        return f"Nhiệm vụ {self.task_number} ({self.period}, hạn {self.due_on}, quá hạn {self.days_overdue} ngày)"


@dataclass
class LateUnit:
    name: str
    items: list  # LateItem

    @property
    def items_text(self):
        return "; ".join(item.text for item in self.items) + "."


@dataclass
class SummaryContent:
    issuing_body: str
    number_line: str
    place_date: str
    subtitle: str
    period_line: str
    situation: Situation
    taxonomy: list  # TaxonomyItem
    tasks: list  # TaskSection
    indicators: list  # IndicatorTotal
    late_units: list  # LateUnit
    party_name: str = PARTY_NAME
    title: str = TITLE
    recipients: list = field(default_factory=lambda: list(RECIPIENTS))
    signer_lines: list = field(default_factory=lambda: list(SIGNER_LINES))
    signer_name: str = ""

    def context(self):
        """The variables a Word template sees (documented in the README)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _subtitle(directive):
    kind = KIND_TEXT.get(directive.kind, "văn bản")
    parts = [f"Kết quả thực hiện {kind}"]
    if directive.number:
        parts.append(f"số {text(directive.number)}")
    if directive.signed_on:
        parts.append(f"ngày {vi_date(directive.signed_on)}")
    issuer = text(directive.issuer_name) or "của Ban Thường vụ Tỉnh ủy"
    if not issuer.startswith("của "):
        issuer = f"của {issuer}"
    parts.append(issuer)
    parts.append(text(directive.title))
    return " ".join(parts)


def _period_line(periods):
    with translation.override("vi"):
        labels = list(dict.fromkeys(lower_first(text(period.label)) for period in periods))
    if len(labels) == 1:
        return f"(Kỳ báo cáo: {labels[0]})"
    return f"(Kỳ báo cáo: từ {labels[0]} đến {labels[-1]})"


def _latest_in_range(cell):
    """The expected row of the cell's latest received report in the range."""
    received = [row for row in cell.expected if row.report is not None and row.report.is_received]
    return received[-1] if received else None


def _task_sections(figures, cells_by_task):
    latest = {key: _latest_in_range(cell) for key, cell in figures.cells.items()}
    pks = [row.report.pk for row in latest.values() if row is not None]
    texts = {
        pk: (results, difficulties, proposals)
        for pk, results, difficulties, proposals in ProgressReport.objects.filter(pk__in=pks).values_list(
            "pk", "results", "difficulties", "proposals"
        )
    }
    progress = {item.task.pk: item.block.progress.value for item in figures.by_task}
    sections = []
    for task in figures.tasks:
        section = TaskSection(task.number, text(task.title), vi_percent(progress.get(task.pk)))
        for cell in cells_by_task[task.pk]:
            row = latest[(cell.unit.pk, task.pk)]
            if row is None:
                section.units.append(UnitResult(text(cell.unit.name), reported=False))
                continue
            results, difficulties, proposals = texts.get(row.report.pk, ("", "", ""))
            with translation.override("vi"):
                period = lower_first(text(row.period.label))
            section.units.append(
                UnitResult(
                    text(cell.unit.name),
                    reported=True,
                    period=period,
                    status=STATUS_TEXT.get(row.report.implementation_status, row.report.implementation_status),
                    percent=f"{row.report.percent_complete}\u00a0%",
                    results=text(results),
                    difficulties=text(difficulties),
                    proposals=text(proposals),
                )
            )
        sections.append(section)
    return sections


AGGREGATION_TEXT = {
    IndicatorAggregation.PER_PERIOD: "cộng các kỳ không trùng nhau",
    IndicatorAggregation.CUMULATIVE: "lũy kế, số mới nhất của mỗi đơn vị",
    IndicatorAggregation.STOCK: "số hiện có, số mới nhất của mỗi đơn vị",
    IndicatorAggregation.PERCENT: "bình quân có trọng số",
    IndicatorAggregation.YES_NO: "số đơn vị trả lời có",
}


def indicator_totals(figures):
    """Each indicator of the directive over the received reports of the range,
    added up as the indicator says (``dashboard.indicators``). Two queries."""
    received = {}
    for cell in figures.cells.values():
        roles = {assignment.pk: assignment.role for assignment in cell.assignments}
        for row in cell.expected:
            report = row.report
            if report is not None and report.is_received and report.assignment_id in roles:
                received[report.pk] = (report.assignment_id, roles[report.assignment_id], row.period)
    values = IndicatorValue.objects.filter(
        indicator__task__directive=figures.directive,
        report__period_id__in=[period.pk for period in figures.periods],
        report__state__in=RECEIVED,
        value__isnull=False,
    )
    if figures.scope is not None:
        values = values.filter(report__assignment_id__in={assignment for assignment, _r, _p in received.values()})
    given = defaultdict(list)
    for indicator_id, report_id, value in values.values_list("indicator_id", "report_id", "value"):
        if report_id in received:
            assignment_id, role, period = received[report_id]
            given[indicator_id].append(
                Given(assignment_id, role, period.starts_on, period.ends_on, period.due_on, value)
            )
    rows = Indicator.objects.filter(task__directive=figures.directive).select_related("task")
    totals = []
    for number, indicator in enumerate(rows.order_by("task__number", "position", "name"), start=1):
        total = aggregate(
            indicator.aggregation,
            given[indicator.pk],
            lead_weight=figures.rule.lead_weight,
            coordinating_weight=figures.rule.coordinating_weight,
        )
        if total.value is None:
            written = ""
        elif indicator.aggregation == IndicatorAggregation.YES_NO:
            written = f"{total.yes}/{total.answered} có"
        elif indicator.aggregation == IndicatorAggregation.PERCENT:
            written = f"{vi_number(total.value, 1)}\u00a0%"
        else:
            written = vi_number(total.value, 0 if indicator.kind == IndicatorKind.COUNT else 2)
        totals.append(
            IndicatorTotal(
                number,
                indicator.task.number,
                text(indicator.name),
                text(indicator.unit_of_measure),
                indicator.kind,
                written,
                len(given[indicator.pk]),
                AGGREGATION_TEXT.get(indicator.aggregation, ""),
                total.used,
            )
        )
    return totals


def _late_units(figures):
    items = defaultdict(list)
    units = {}
    for cell, row in figures.expected_rows():
        if row.status != ReportStatus.OVERDUE:
            continue
        units[row.owing_unit.pk] = row.owing_unit
        with translation.override("vi"):
            period = lower_first(text(row.period.label))
        items[row.owing_unit.pk].append(
            (
                row.period.due_on,
                cell.task.number,
                LateItem(cell.task.number, text(cell.task.title), period, vi_date(row.period.due_on), row.days_overdue),
            )
        )
    return [
        LateUnit(text(units[pk].name), [item for _due, _task, item in sorted(items[pk], key=lambda entry: entry[:2])])
        for pk in sorted(units, key=lambda pk: unit_order(units[pk]))
    ]


def cells_in_matrix_order(figures):
    """{task pk: [Cell]} with the units in the matrix's order."""
    cells_by_task = defaultdict(list)
    for cell in sorted(figures.cells.values(), key=lambda cell: unit_order(cell.unit)):
        cells_by_task[cell.task.pk].append(cell)
    return cells_by_task


def summary_content(figures, *, today: datetime.date | None = None) -> SummaryContent:
    """The compiled report of ``figures``, dated ``today`` (the local date by
    default). Two queries beyond the figures, whatever their size."""
    today = today or timezone.localdate()
    directive = figures.directive
    # The issuing unit is among the figures' units: no query for it.
    issuing_unit = figures.units.get(directive.issuing_unit_id)
    issuing = issuing_unit.name if issuing_unit is not None else directive.issuer_name
    counts, total = figures.total.counts, figures.total
    situation = Situation(
        expected=vi_number(counts.expected),
        received=vi_number(counts.received),
        on_time=vi_number(counts.on_time),
        late=vi_number(counts.late),
        overdue=vi_number(counts.overdue),
        awaiting=vi_number(counts.awaiting),
        reporting_rate=vi_percent(counts.reporting_rate),
        on_time_rate=vi_percent(counts.on_time_rate),
        progress=vi_percent(total.progress.value),
    )
    return SummaryContent(
        issuing_body=text(issuing).upper(),
        number_line=f"Số      -BC/{number_suffix(directive.number)}",
        place_date=place_date_line(text(directive.place), today),
        subtitle=_subtitle(directive),
        period_line=_period_line(figures.periods),
        situation=situation,
        taxonomy=[TaxonomyItem(CATEGORY_TEXT[value], count) for value, _label, count in total.taxonomy.items()],
        tasks=_task_sections(figures, cells_in_matrix_order(figures)),
        indicators=indicator_totals(figures),
        late_units=_late_units(figures),
    )
