"""Vietnamese working days: weekends and public holidays (lunar ones included)
from the `holidays` package, corrected by the admin-editable CalendarOverride
table for each year's official day-swaps and extra days off."""

import datetime
from functools import lru_cache

import holidays

from reminders.models import CalendarOverride, DayKind


@lru_cache(maxsize=64)
def _public_holidays(year):
    return holidays.country_holidays("VN", years=year, language="vi")


class WorkingCalendar:
    """Answers "is this a working day?" for a range of dates with one query."""

    def __init__(self, overrides=None):
        if overrides is None:
            overrides = dict(CalendarOverride.objects.values_list("day", "kind"))
        self.overrides = overrides

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day] == DayKind.WORKING_DAY
        # Knows weekends, holidays and the swaps the package already carries.
        return _public_holidays(day.year).is_working_day(day)

    def holiday_name(self, day: datetime.date) -> str | None:
        return _public_holidays(day.year).get(day)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself when it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day
