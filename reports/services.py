import datetime

from django.db import transaction

from reports.models import ReportingPeriod, ReportingSchedule
from reports.periods import schedule_period_specs


@transaction.atomic
def schedule_extend_periods(*, schedule: ReportingSchedule, through: datetime.date) -> list[ReportingPeriod]:
    """Creates the schedule's missing period rows up to ``through``; existing rows
    are left as they are. Returns the rows created."""
    existing = set(schedule.periods.values_list("key", flat=True))
    new = [
        ReportingPeriod(
            schedule=schedule,
            kind=spec.kind,
            key=spec.key,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            due_on=spec.due_on,
        )
        for spec in schedule_period_specs(schedule, through=through)
        if spec.key not in existing
    ]
    ReportingPeriod.objects.bulk_create(new, ignore_conflicts=True)
    return new
