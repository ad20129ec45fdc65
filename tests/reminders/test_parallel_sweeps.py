"""Two reminder sweeps at the same moment, each in its own thread and
database connection on PostgreSQL: every reminder is sent once. A new
reminder is written already sent, so the second sweep's INSERT waits for the
first sweep's transaction and then leaves the row alone."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection, connections, transaction

from notifications.models import Notification, NotificationKind
from reminders import services
from reminders.models import Reminder, ReminderStatus
from reminders.services import _delivery_threads, reminders_sweep
from tests.factories import AssignmentFactory, MembershipFactory, PeriodFactory, UnitFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel sweeps need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

UNITS = 40
MOMENT = datetime.datetime(2025, 6, 13, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


def units_owing(task, schedule, province):
    """``UNITS`` units, each with a reporter, owing the report of a period due in six days."""
    period = PeriodFactory(schedule=schedule, starts_on=datetime.date(2024, 12, 15),
                           ends_on=datetime.date(2025, 6, 14), due_on=datetime.date(2025, 6, 19))  # fmt: skip
    for number in range(UNITS):
        unit = UnitFactory(code=f"unit-{number}", parent=province)
        AssignmentFactory(task=task, unit=unit, schedule=schedule)
        MembershipFactory(user=UserFactory(username=f"reporter-{number}"), unit=unit, role="reporter")
    return period


def test_two_sweeps_at_the_same_moment_send_each_reminder_once(task, schedule, province, settings):
    settings.REMINDER_DELIVERY_CHUNK = 7  # several transactions per sweep, interleaved with the other's
    period = units_owing(task, schedule, province)
    start, results, errors = threading.Barrier(2), [], []

    def one_sweep():
        try:
            start.wait(timeout=30)
            results.append(reminders_sweep(now=MOMENT))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert sum(result.sent for result in results) == UNITS
    assert Reminder.objects.filter(period=period, status=ReminderStatus.SENT).count() == UNITS
    notified = Notification.objects.filter(kind=NotificationKind.REMINDER_DUE_SOON)
    assert notified.count() == UNITS
    assert notified.values("recipient").distinct().count() == UNITS


def test_one_sweep_delivers_its_chunks_in_threads_each_reminder_once(task, schedule, province, settings):
    settings.REMINDER_DELIVERY_CHUNK = 7  # six chunks, two at a time
    settings.REMINDER_DELIVERY_THREADS = 2
    period = units_owing(task, schedule, province)
    assert _delivery_threads(6) == 2
    with transaction.atomic():
        assert _delivery_threads(6) == 1  # other connections could not see this transaction's rows
    seen = set()
    original = services._deliver_new_chunk

    def noting_thread(chunk, now):
        seen.add(threading.current_thread().name)
        return original(chunk, now)

    services._deliver_new_chunk = noting_thread
    try:
        result = reminders_sweep(now=MOMENT)
    finally:
        services._deliver_new_chunk = original
    assert len(seen) == 2 and all(name.startswith("reminders") for name in seen)
    assert result.sent == UNITS
    assert [outcome for _row, outcome in result.lines] == ["sent"] * UNITS
    assert len({row.assignment_id for row, _outcome in result.lines}) == UNITS
    assert Reminder.objects.filter(period=period, status=ReminderStatus.SENT).count() == UNITS
    notified = Notification.objects.filter(kind=NotificationKind.REMINDER_DUE_SOON)
    assert notified.count() == UNITS
    assert notified.values("recipient").distinct().count() == UNITS
