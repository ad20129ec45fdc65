"""How indicator values add up over a range of periods and units.

Each indicator says how (``Indicator.aggregation``):

- per period: what was done in a period. A unit's values are summed only over
  periods that do not overlap: the six-month window (15/12 → 14/06) lies inside
  the annual one (15/12 → 14/12), so a unit that sent both gives its annual
  value once, not the sum of both. The longest windows are taken first, then
  the latest, and a shorter window is added only where it overlaps none taken;
- cumulative (a running total) and stock (a level): each unit's latest value;
- percentage: each unit's latest value, averaged with the directive's progress
  weights (lead and co-ordinating units);
- yes/no: the units whose latest answer is yes, of those that answered.

Units are the reporting assignments; their totals are summed.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dashboard.measures import RECEIVED
from dashboard.wording import text, vi_number
from directives.models import Indicator, IndicatorAggregation, IndicatorKind
from reports.models import AssignmentRole, IndicatorValue


@dataclass(frozen=True)
class Given:
    """One value a received report gave."""

    assignment_id: int
    role: str
    starts_on: object
    ends_on: object
    due_on: object
    value: Decimal


@dataclass
class Total:
    value: Decimal | None  # the sum, the latest values' sum or the weighted average
    yes: int = 0
    answered: int = 0  # units that gave a value
    used: int = 0  # reports whose values make the total


def _latest(values):
    return max(values, key=lambda given: (given.due_on, given.ends_on))


def _non_overlapping(values):
    """The values of one unit whose windows do not overlap: longest first, then latest."""
    taken = []
    for given in sorted(values, key=lambda g: (-(g.ends_on - g.starts_on).days, -g.ends_on.toordinal())):
        if all(given.ends_on < other.starts_on or other.ends_on < given.starts_on for other in taken):
            taken.append(given)
    return taken


def aggregate(aggregation, values, *, lead_weight=2, coordinating_weight=1) -> Total:
    """Adds up ``values`` (Given rows of one indicator) by ``aggregation``."""
    by_unit = defaultdict(list)
    for given in values:
        by_unit[given.assignment_id].append(given)
    if not by_unit:
        return Total(None)
    answered = len(by_unit)
    if aggregation == IndicatorAggregation.PER_PERIOD:
        taken = [given for unit_values in by_unit.values() for given in _non_overlapping(unit_values)]
        return Total(sum((given.value for given in taken), Decimal(0)), answered=answered, used=len(taken))
    latest = [_latest(unit_values) for unit_values in by_unit.values()]
    if aggregation == IndicatorAggregation.YES_NO:
        yes = sum(1 for given in latest if given.value == 1)
        return Total(Decimal(yes), yes=yes, answered=answered, used=answered)
    if aggregation == IndicatorAggregation.PERCENT:
        weights = [lead_weight if given.role == AssignmentRole.LEAD else coordinating_weight for given in latest]
        total_weight = sum(weights)
        if not total_weight:
            return Total(None, answered=answered, used=answered)
        weighted = sum((given.value * weight for given, weight in zip(latest, weights, strict=True)), Decimal(0))
        return Total(weighted / total_weight, answered=answered, used=answered)
    return Total(sum((given.value for given in latest), Decimal(0)), answered=answered, used=answered)


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

    @property
    def line(self):
        """ "Số hội nghị quán triệt: 12 hội nghị (cộng các kỳ không trùng nhau)"."""
        if not self.total:
            return f"{self.name}: chưa có số liệu"
        measure = f" {self.unit_of_measure}" if self.unit_of_measure and self.unit_of_measure != "%" else ""
        return f"{self.name}: {self.total}{measure} ({self.rule})"


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
