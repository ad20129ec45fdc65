"""What the compiled report ("Báo cáo kết quả thực hiện Chỉ thị") says, gathered
once and shared by the Word and PDF exports.

Everything comes from the dashboard's figures plus three queries: the texts of
each unit's latest received report in the range, and the indicators and their
values. The document is a Party document (Hướng dẫn 36-HD/VPTW), always in
Vietnamese: its fixed wording is written here, not translated. Its body follows
the usual structure of a progress report (I. leadership and direction, II.
results by task, III. shortcomings, IV. next tasks, V. proposals), a synthesis
of what the units wrote (``dashboard.synthesis``); the appendices hold the unit
× task table, every unit's text, the indicator table and the late list.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone, translation

from dashboard.indicators import indicator_totals
from dashboard.letterhead import Flavour, letterhead, place_date_line, vi_date_short, vi_date_words
from dashboard.measures import Category, ReportStatus
from dashboard.synthesis import Section, Written, gather, group_proposals, highlights
from dashboard.wording import (
    CATEGORY_SHORT,
    CATEGORY_TEXT,
    KIND_TEXT,
    NOTHING_SENT,
    STATUS_TEXT,
    lower_first,
    text,
    vi_date,
    vi_number,
    vi_percent,
)
from dissemination.coverage_export import coverage_paragraph
from followups.dashboard import compiled_report_rows
from reports.models import ProgressReport
from units.models import UnitKind

PARTY_NAME = "ĐẢNG CỘNG SẢN VIỆT NAM"
TITLE = "BÁO CÁO"


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
    next_steps: str = ""
    is_lead: bool = False
    percent_value: int = 0  # the same as a number, to rank units by how far they are

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
    units: list = field(default_factory=list)  # UnitResult, in matrix order (the appendix)
    figures_line: str = ""  # "Đã nhận 8/10 báo cáo (80,0 %), đúng hạn 60,0 %; tiến độ chung 55,5 %."
    status_line: str = ""  # the categories by their content, with counts
    indicators: list = field(default_factory=list)  # IndicatorTotal of this task
    highlights: list = field(default_factory=list)  # synthesis.Point: the results the body quotes
    more: int = 0  # units whose results are only in the appendix
    more_line: str = ""


@dataclass
class LateItem:
    task_number: int
    task_title: str
    period: str
    due_on: str
    days_overdue: int

    @property
    def text(self):
        days = vi_number(self.days_overdue)
        return f"Nhiệm vụ {self.task_number} ({self.period}, hạn {self.due_on}, quá hạn {days} ngày)"


@dataclass
class LateUnit:
    name: str
    items: list  # LateItem

    @property
    def items_text(self):
        return "; ".join(item.text for item in self.items) + "."


@dataclass
class MatrixRow:
    name: str
    cells: list  # one short text per task: "HT đúng hạn, 100 %", "Chưa báo cáo", "" (not assigned)


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
    recipients: list = field(default_factory=list)
    signer_lines: list = field(default_factory=list)
    signer_name: str = ""
    flavour: str = Flavour.OFFICE
    issuing_office: str = ""  # "VĂN PHÒNG" under the issuing body in the office's report
    leadership: list = field(default_factory=list)  # I: paragraphs
    overview: list = field(default_factory=list)  # II, before the tasks: paragraphs
    shortcomings_facts: list = field(default_factory=list)  # III: what the figures show
    shortcomings: Section = field(default_factory=lambda: Section([]))  # III: what the units wrote
    next_steps: Section = field(default_factory=lambda: Section([]))  # IV
    proposals: list = field(default_factory=list)  # V: synthesis.ProposalGroup
    appendix_note: str = ""  # "(Kèm theo Báo cáo số      -BC/VPTU, ngày … của …)"
    matrix_tasks: list = field(default_factory=list)  # "NV 1", …
    matrix_rows: list = field(default_factory=list)  # MatrixRow
    matrix_legend: str = ""
    closing: str = ""  # "Trên đây là báo cáo kết quả thực hiện … ./."
    followups: list = field(default_factory=list)  # followups.dashboard.AppendixRow (appendix 5)
    followups_note: str = ""  # the range and date the appendix covers

    def context(self):
        """The variables a Word template sees (documented in the README)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _reference(directive):
    """ "Chỉ thị số 12-CT/TU, ngày 28/9/2021 của Ban Thường vụ Tỉnh ủy"."""
    kind = KIND_TEXT.get(directive.kind, "văn bản")
    parts = [kind]
    if directive.number:
        parts.append(f"số {text(directive.number)}")
    reference = " ".join(parts)
    if directive.signed_on:
        reference += f", ngày {vi_date_short(directive.signed_on)}"
    issuer = text(directive.issuer_name) or "Ban Thường vụ Tỉnh ủy"
    return f"{reference} của {issuer.removeprefix('của ')}"


def _subtitle(directive):
    """The title as one sentence: "Kết quả thực hiện Chỉ thị số …, ngày … của … về …"."""
    subject = text(directive.subject_text)
    return f"Kết quả thực hiện {_reference(directive)} {subject}".strip()


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


TEXT_FIELDS = ("results", "difficulties", "proposals", "next_steps")


def _unit_results(figures, cells_by_task):
    """{(unit pk, task pk): UnitResult} from each cell's latest received report. One query."""
    latest = {key: _latest_in_range(cell) for key, cell in figures.cells.items()}
    pks = [row.report.pk for row in latest.values() if row is not None]
    texts = {pk: values for pk, *values in ProgressReport.objects.filter(pk__in=pks).values_list("pk", *TEXT_FIELDS)}
    results = {}
    for cells in cells_by_task.values():
        for cell in cells:
            key = (cell.unit.pk, cell.task.pk)
            row = latest[key]
            if row is None:
                results[key] = UnitResult(text(cell.unit.name), reported=False, is_lead=cell.is_lead)
                continue
            values = dict(zip(TEXT_FIELDS, texts.get(row.report.pk, ("",) * len(TEXT_FIELDS)), strict=True))
            with translation.override("vi"):
                period = lower_first(text(row.period.label))
            results[key] = UnitResult(
                text(cell.unit.name),
                reported=True,
                period=period,
                status=STATUS_TEXT.get(row.report.implementation_status, row.report.implementation_status),
                percent=f"{row.report.percent_complete}\u00a0%",
                percent_value=row.report.percent_complete or 0,
                is_lead=cell.is_lead,
                **{name: text(value) for name, value in values.items()},
            )
    return results


def _written(results, kind):
    """The units' texts of one kind, lead units and those further along first."""
    rows = []
    for rank, result in enumerate(results):
        value = getattr(result, kind)
        if result.reported and value:
            rows.append(Written(result.name, value, result.is_lead, (-result.percent_value, rank)))
    return rows


def _status_line(block):
    parts = [f"{CATEGORY_TEXT[value].lower()} {count}" for value, _label, count in block.taxonomy.items() if count]
    return f"Theo lượt đơn vị được giao: {'; '.join(parts)}." if parts else ""


def _task_sections(figures, cells_by_task, results, indicators):
    by_task = {item.task.pk: item for item in figures.by_task}
    sections = []
    for task in figures.tasks:
        block = by_task[task.pk].block if task.pk in by_task else None
        counts = block.counts if block else None
        units = [results[(cell.unit.pk, task.pk)] for cell in cells_by_task[task.pk]]
        points, more = highlights(_written(units, "results"))
        section = TaskSection(
            task.number,
            text(task.title),
            vi_percent(block.progress.value if block else None),
            units=units,
            indicators=[row for row in indicators if row.task_number == task.number],
            highlights=points,
            more=more,
        )
        if counts is not None and counts.expected:
            section.figures_line = (
                f"Đã nhận {vi_number(counts.received)}/{vi_number(counts.expected)} báo cáo "
                f"({vi_percent(counts.reporting_rate)}), đúng hạn {vi_number(counts.on_time)} "
                f"({vi_percent(counts.on_time_rate)}); tiến độ chung {section.progress}."
            )
            section.status_line = _status_line(block)
        if more:
            section.more_line = f"Kết quả của {vi_number(more)} đơn vị khác tại Phụ lục 2."
        sections.append(section)
    return sections


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


def _matrix(figures, cells_by_task):
    tasks = [f"NV {task.number}" for task in figures.tasks]
    units = {}
    for cells in cells_by_task.values():
        for cell in cells:
            units.setdefault(cell.unit.pk, cell.unit)
    rows = []
    for pk in sorted(units, key=lambda pk: unit_order(units[pk])):
        line = []
        for task in figures.tasks:
            cell = figures.cells.get((pk, task.pk))
            if cell is None:
                line.append("")
            elif cell.latest is None and cell.category in (None, Category.NOT_YET_DUE):
                line.append(CATEGORY_SHORT.get(cell.category, "Chưa báo cáo"))
            elif cell.latest is None:
                line.append(f"{CATEGORY_SHORT[cell.category]}, chưa báo cáo")
            else:
                label = CATEGORY_SHORT.get(cell.category, "")
                line.append(
                    f"{label}, {cell.latest.percent_complete}\u00a0%"
                    if label
                    else f"{cell.latest.percent_complete}\u00a0%"
                )
        rows.append(MatrixRow(text(units[pk].name), line))
    legend = (
        "Ghi chú: NV: nhiệm vụ; HT: hoàn thành; TH: thực hiện; %: tiến độ theo báo cáo mới nhất trong kỳ; "
        "ô trống: đơn vị không được giao nhiệm vụ."
    )
    return tasks, rows, legend


def _leadership(figures, directive, situation):
    units = {cell.unit.pk for cell in figures.cells.values()}
    leads = sum(1 for cell in figures.cells.values() if cell.is_lead)
    partners = len(figures.cells) - leads
    paragraphs = [
        f"Thực hiện {_reference(directive)}, {vi_number(len(units))} cơ quan, đơn vị được giao theo dõi, tổ chức "
        f"thực hiện {vi_number(len(figures.tasks))} nhiệm vụ của {KIND_TEXT.get(directive.kind, 'văn bản')} "
        f"({vi_number(leads)} lượt chủ trì, {vi_number(partners)} lượt phối hợp) và định kỳ báo cáo kết quả "
        "với Ban Thường vụ Tỉnh ủy.",
        f"Trong kỳ, các đơn vị phải gửi {situation.expected} báo cáo; đã nhận {situation.received} "
        f"({situation.reporting_rate}), trong đó {situation.on_time} báo cáo đúng hạn ({situation.on_time_rate}), "
        f"{situation.late} báo cáo trễ hạn; {situation.overdue} báo cáo quá hạn chưa gửi; {situation.awaiting} "
        "báo cáo chưa đến hạn.",
    ]
    return paragraphs


def _shortcoming_facts(figures):
    counts = figures.total.counts
    facts = []
    if counts.overdue or counts.late:
        facts.append(
            f"Việc báo cáo chưa nghiêm: {vi_number(counts.overdue)} báo cáo quá hạn chưa gửi, "
            f"{vi_number(counts.late)} báo cáo gửi trễ hạn (danh sách tại Phụ lục 4)."
        )
    overdue_tasks = figures.total.taxonomy.counts.get(Category.IN_PROGRESS_OVERDUE, 0)
    late_done = figures.total.taxonomy.counts.get(Category.COMPLETED_LATE, 0)
    if overdue_tasks:
        facts.append(f"{vi_number(overdue_tasks)} lượt nhiệm vụ đang thực hiện đã quá hạn.")
    if late_done:
        facts.append(f"{vi_number(late_done)} lượt nhiệm vụ hoàn thành nhưng quá hạn.")
    return facts


def summary_content(figures, *, today: datetime.date | None = None, flavour=Flavour.OFFICE) -> SummaryContent:
    """The compiled report of ``figures`` in ``flavour`` (the office's report
    to the Standing Committee, or the Committee's report upward), dated
    ``today`` (the local date by default). Six queries beyond the figures
    (three for the follow-up items' appendix),
    whatever their size."""
    today = today or timezone.localdate()
    directive = figures.directive
    # The issuing unit is among the figures' units: no query for it.
    issuing_unit = figures.units.get(directive.issuing_unit_id)
    issuing = text(issuing_unit.name if issuing_unit is not None else directive.issuer_name)
    short = text(issuing_unit.short_name) if issuing_unit is not None else ""
    head = letterhead(directive, flavour, issuing, short)
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
    cells_by_task = cells_in_matrix_order(figures)
    results = _unit_results(figures, cells_by_task)
    indicators = indicator_totals(figures)
    everything = list(results.values())
    taxonomy = [TaxonomyItem(CATEGORY_TEXT[value], count) for value, _label, count in total.taxonomy.items()]
    matrix_tasks, matrix_rows, legend = _matrix(figures, cells_by_task)
    followups, followups_note = compiled_report_rows(figures, today)  # the follow-up register's appendix
    number = head.number_line.removeprefix("Số")
    speaker = f"Văn phòng {short or 'Tỉnh ủy'}" if head.issuing_office else f"Ban Thường vụ {short or 'Tỉnh ủy'}"
    return SummaryContent(
        issuing_body=head.issuing_body,
        issuing_office=head.issuing_office,
        flavour=head.flavour,
        number_line=head.number_line,
        place_date=place_date_line(text(directive.place), today),
        subtitle=_subtitle(directive),
        period_line=_period_line(figures.periods),
        situation=situation,
        taxonomy=taxonomy,
        tasks=_task_sections(figures, cells_by_task, results, indicators),
        indicators=indicators,
        late_units=_late_units(figures),
        recipients=head.recipients,
        signer_lines=head.signer_lines,
        signer_name=head.signer_name,
        leadership=_leadership(figures, directive, situation) + coverage_paragraph(figures),
        overview=[
            f"Tiến độ thực hiện chung các nhiệm vụ đạt {situation.progress}. "
            + _status_line(total).replace("Theo lượt đơn vị được giao", "Theo lượt nhiệm vụ được giao cho các đơn vị")
        ],
        shortcomings_facts=_shortcoming_facts(figures),
        shortcomings=gather(_written(everything, "difficulties")),
        next_steps=gather(_written(everything, "next_steps")),
        proposals=group_proposals(_written(everything, "proposals")),
        appendix_note=f"(Kèm theo Báo cáo số{number}, {vi_date_words(today)} của {speaker})",
        matrix_tasks=matrix_tasks,
        matrix_rows=matrix_rows,
        matrix_legend=legend,
        closing=f"Trên đây là báo cáo kết quả thực hiện {_reference(directive)} "
        f"{_period_line(figures.periods)[1:-1].replace('Kỳ báo cáo: ', 'trong kỳ ')}./.",
        followups=followups,
        followups_note=followups_note,
    )
