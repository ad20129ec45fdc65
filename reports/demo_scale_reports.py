"""Progress-report rows of the scale demo, generated as COPY lines.

Every decision for a unit draws from one ``random.Random`` seeded with the seed
and the unit's code, visiting its tasks and periods in a fixed order, so the
same seed gives the same rows whatever the scale or the order units are
loaded in. The code is written for speed (millions of rows): plain floats
from ``random()`` and pre-formatted dates rather than ``randint`` and
``datetime`` objects.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from directives.models import IndicatorKind
from reports.demo_scale_names import COMPLETED_RESULT, DIFFICULTIES, NOT_STARTED_RESULT, PROPOSALS, RESULTS
from reports.models import ImplementationStatus, ReportState
from units.models import UnitLevel

# Odds for a period already past its due date (cumulative bounds of random()).
MISSING = 0.06
RETURNED = MISSING + 0.01
SUBMITTED = RETURNED + 0.03  # awaiting review: recent periods only, accepted otherwise
LATE = SUBMITTED + 0.05  # accepted, sent 1-20 days after the due date
RECENT_PERIODS = 3  # past-due periods whose reports may still await review
# Odds for a period not yet due.
DRAFT = 0.30
EARLY = DRAFT + 0.10

REPORT_FIELDS = [
    "id",
    "assignment",
    "period",
    "state",
    "implementation_status",
    "percent_complete",
    "results",
    "difficulties",
    "proposals",
    "next_steps",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_at",
    "state_changed_at",
]
NULL = "\\N"
# Plain strings: the enums' own formatting is slower and differs between Python versions.
_ACCEPTED, _SUBMITTED, _RETURNED, _DRAFT = (
    ReportState.ACCEPTED.value,
    ReportState.SUBMITTED.value,
    ReportState.RETURNED.value,
    ReportState.DRAFT.value,
)
_COMPLETED, _NOT_STARTED, _IN_PROGRESS = (
    ImplementationStatus.COMPLETED.value,
    ImplementationStatus.NOT_STARTED.value,
    ImplementationStatus.IN_PROGRESS.value,
)


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    kind: str
    level: int
    parent_id: int | None
    first_assignment_id: int  # the unit's tasks have consecutive assignment ids in task order


@dataclass(frozen=True)
class PeriodRow:
    id: int
    starts: int  # date ordinals
    ends: int
    due: int
    age: int | None  # 0 for the latest past-due period, 1 the one before; None when not yet due


class _Days:
    """'YYYY-MM-DD' of day ordinals, formatted once each."""

    def __init__(self):
        self._cache = {}

    def __getitem__(self, ordinal):
        text = self._cache.get(ordinal)
        if text is None:
            text = self._cache[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return text


def period_rows(periods, today):
    """PeriodRows of ``periods`` (ReportingPeriods, any order), oldest first."""
    ordered = sorted(periods, key=lambda p: p.due_on)
    past_due = [p for p in ordered if p.due_on < today]
    ages = {p.pk: len(past_due) - 1 - i for i, p in enumerate(past_due)}
    return [
        PeriodRow(p.pk, p.starts_on.toordinal(), p.ends_on.toordinal(), p.due_on.toordinal(), ages.get(p.pk))
        for p in ordered
    ]


def _indicator_value(kind, rng):
    if kind == IndicatorKind.YES_NO:
        return 1 if rng.random() < 0.85 else 0
    if kind == IndicatorKind.PERCENT:
        return 55 + int(rng.random() * 46)
    return int(rng.random() * 25)


class ReportGenerator:
    """Yields the COPY lines of every report, counting them by state; collects
    indicator values for the latest past-due period of province-level units."""

    def __init__(self, *, tasks, periods, today, seed, first_id, no_current_reports):
        self.tasks = tasks  # [(task number, [(indicator id, kind)])] in assignment order
        self.periods = periods
        self.today = today.toordinal()
        self.seed = seed
        self.next_id = first_id
        self.no_current_reports = no_current_reports  # unit ids whose open periods stay empty
        self.counts = Counter()
        self.indicator_values = []  # (report id, indicator id, value)
        self.days = _Days()

    def lines(self, units, on_unit=None):
        for unit in units:
            yield from self._unit_lines(unit)
            if on_unit:
                on_unit()

    def _ts(self, day, hour, minute):
        return f"{self.days[day]} {hour:02d}:{minute:02d}:00+07"

    def _unit_lines(self, unit):
        rng = random.Random(f"{self.seed}:{unit.code}")
        rand = rng.random
        ts = self._ts
        yesterday = self.today - 1
        skip_open = unit.id in self.no_current_reports
        count = self.counts
        n_periods = len(self.periods)
        for offset, (task_number, indicators) in enumerate(self.tasks):
            assignment_id = unit.first_assignment_id + offset
            results = RESULTS[task_number]
            pace, lean = 0.55 + 0.55 * rand(), int(rand() * 15) - 7
            for index, period in enumerate(self.periods):
                r = rand()
                due = period.due
                submitted = accepted = None
                if period.age is not None:
                    if r < MISSING:
                        continue
                    sent = due - int(rand() * 5)
                    if r < RETURNED:
                        state, version = _RETURNED, 3
                        changed = ts(min(sent + 1 + int(rand() * 3), yesterday), 15, int(rand() * 60))
                    elif r < SUBMITTED and period.age < RECENT_PERIODS:
                        state, version, changed = _SUBMITTED, 2, None
                    else:
                        if SUBMITTED <= r < LATE:
                            sent = min(due + 1 + int(rand() * 20), yesterday)
                        state, version = _ACCEPTED, 3
                        accepted = ts(min(sent + int(rand() * 8), yesterday), 14 + int(rand() * 3), int(rand() * 60))
                        changed = accepted
                    submitted = ts(sent, 9 + int(rand() * 3), int(rand() * 60))
                    changed = changed or submitted
                    created_day = sent - int(rand() * 7)
                else:
                    if skip_open or r >= EARLY:
                        continue
                    if r < DRAFT:
                        created_day = min(period.starts + int(rand() * (self.today - period.starts + 1)), yesterday)
                        if created_day < period.starts:
                            continue
                        state, version = _DRAFT, 1 + int(rand() * 3)
                        changed = None
                    else:
                        sent = yesterday - int(rand() * 5)
                        if sent < period.starts:
                            continue
                        state, version = _SUBMITTED, 2
                        submitted = changed = ts(sent, 9 + int(rand() * 3), int(rand() * 60))
                        created_day = sent - int(rand() * 7)
                created = ts(max(created_day, period.starts), 8, int(rand() * 60))
                changed = changed or created
                percent = int(100 * pace * (index + 1) / n_periods) + lean
                if percent >= 96:
                    status, percent, text, difficulty, proposal = _COMPLETED, 100, COMPLETED_RESULT, "", ""
                elif percent <= 2:
                    status, percent, text = _NOT_STARTED, 0, NOT_STARTED_RESULT
                    difficulty, proposal = DIFFICULTIES[int(rand() * len(DIFFICULTIES))], ""
                else:
                    status, percent = _IN_PROGRESS, min(percent, 95)
                    text = results[int(rand() * len(results))]
                    difficulty = DIFFICULTIES[int(rand() * len(DIFFICULTIES))] if rand() < 0.25 else ""
                    proposal = PROPOSALS[int(rand() * len(PROPOSALS))] if rand() < 0.15 else ""
                report_id = self.next_id
                self.next_id += 1
                count[state] += 1
                if period.age == 0 and unit.level == UnitLevel.PROVINCE and state != _DRAFT:
                    for indicator_id, kind in indicators:
                        self.indicator_values.append((report_id, indicator_id, _indicator_value(kind, rng)))
                yield (
                    f"{report_id}\t{assignment_id}\t{period.id}\t{state}\t{status}\t{percent}\t{text}\t"
                    f"{difficulty}\t{proposal}\t\t{version}\t{created}\t{changed}\t{submitted or NULL}\t"
                    f"{accepted or NULL}\t{changed}\n"
                )
