"""Reporting periods of a schedule, per Nghị định 09/2019/NĐ-CP.

A window runs from the day after the previous cut-off to the cut-off day
(monthly: 15th of the previous month to the 14th; six-monthly: 15 Dec to
14 Jun; annual: 15 Dec to 14 Dec). Pure functions: nothing here touches the
database.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class PeriodSpec:
    kind: str
    key: str
    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date


def _window(year, first_month, last_month, cutoff_day):
    """Data window ending on the cut-off day of ``last_month``, starting the day
    after the cut-off day of the month before ``first_month``."""
    ends = datetime.date(year, last_month, cutoff_day)
    starts = datetime.date(year, first_month, cutoff_day) - relativedelta(months=1) + datetime.timedelta(days=1)
    return starts, ends


def _year_specs(schedule, year):
    c = schedule.cutoff_day
    if schedule.monthly:
        for month in range(1, 13):
            yield "monthly", f"{year}-{month:02d}", *_window(year, month, month, c)
    if schedule.quarterly:
        for quarter in range(1, 5):
            yield "quarterly", f"{year}-Q{quarter}", *_window(year, 3 * quarter - 2, 3 * quarter, c)
    if schedule.semiannual:
        yield "semiannual", f"{year}-H1", *_window(year, 1, 6, c)
        if not schedule.annual:
            # Without an annual report the second half gets its own.
            yield "semiannual", f"{year}-H2", *_window(year, 7, 12, c)
    if schedule.annual:
        yield "annual", f"{year}", *_window(year, 1, 12, c)


def schedule_period_specs(schedule, *, through, last_start=None):
    """Every period of ``schedule`` whose window starts on or before ``through``
    (and ``last_start``, the end of the schedule or of its directives' term)
    and overlaps the schedule's own dates, ordered by due date."""
    last = min(day for day in (through, schedule.ends_on, last_start) if day is not None)
    specs = []
    for year in range(schedule.starts_on.year, last.year + 2):
        for kind, key, starts_on, ends_on in _year_specs(schedule, year):
            if ends_on < schedule.starts_on or starts_on > last:
                continue
            due_on = ends_on + datetime.timedelta(days=schedule.due_days_after_cutoff)
            specs.append(PeriodSpec(kind, key, starts_on, ends_on, due_on))
    return sorted(specs, key=lambda spec: (spec.due_on, spec.key))
