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

from directives.models import IndicatorAggregation
from reports.models import AssignmentRole


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
