import datetime

from celery import shared_task
from django.utils import timezone

from reminders.services import reminders_sweep
from reports.models import ReportingSchedule
from reports.services import schedule_sync_periods

PERIODS_AHEAD_DAYS = 366


@shared_task(acks_late=True)
def sweep_reminders():
    result = reminders_sweep()
    answer = {"planned": result.planned, "sent": result.sent, "skipped": result.skipped, "waiting": result.waiting}
    # The follow-up register's items, by the same ledger mechanism (followups/reminders.py).
    from followups.reminders import followup_reminders_sweep

    answer["followups"] = vars(followup_reminders_sweep())
    from dissemination.reminders import dissemination_reminders_sweep  # plans not issued, cells not confirmed

    answer["dissemination"] = vars(dissemination_reminders_sweep())
    return answer


@shared_task(acks_late=True)
def extend_reporting_periods():
    """Keeps every schedule's period rows a year ahead, within its end and its
    directives' terms (assignments made since the schedule was saved can bring
    a term in), and its due dates on the current calendar."""
    today = timezone.localdate()
    through = today + datetime.timedelta(days=PERIODS_AHEAD_DAYS)
    return sum(
        len(schedule_sync_periods(schedule=s, through=through, today=today).created)
        for s in ReportingSchedule.objects.all()
    )
