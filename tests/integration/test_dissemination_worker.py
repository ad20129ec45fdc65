"""Issue #14 item 4 with real workers: parallel periodic sweeps on two
``celery -A tracker worker`` subprocesses send each dissemination reminder,
and e-mail each of its notifications, exactly once."""

import ast
import datetime
import time

import pytest

from dissemination.reminder_models import DisseminationReminder
from notifications.models import EmailStatus, Notification
from reminders.models import ReminderPolicy, ReminderStatus
from reminders.tasks import sweep_reminders
from tests.factories import DirectiveFactory, MembershipFactory, UnitFactory, UserFactory
from tests.integration.conftest import email_keys, wait_until
from tests.integration.test_celery_worker import assert_each_notification_emailed_once, status_counts

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def cells_overdue(count):
    """A directive signed 100 days ago (cells due after 90: 10 days overdue, so
    each unconfirmed cell owes an overdue reminder and an escalation), a policy
    that sends at any hour, one grassroots committee with ``count`` cells,
    each with a secretary, and the committee's head."""
    from django.utils import timezone

    from dissemination.models import DisseminationSetting

    province = UnitFactory(level=1)
    directive = DirectiveFactory(issuing_unit=province, signed_on=timezone.localdate() - datetime.timedelta(days=100))
    DisseminationSetting.objects.create(directive=directive, plan_due_days=200, cell_due_days=90)
    ReminderPolicy.objects.create(
        directive=directive, days_before="0", overdue_every_days=0, escalate_after_days=7, review_waiting_days=0,
        send_from=datetime.time(0, 0), send_until=datetime.time.max, working_days_only=False,
    )  # fmt: skip
    commune = UnitFactory(parent=province, level=3)
    MembershipFactory(unit=commune, role="head", user=UserFactory())
    for _ in range(count):
        cell = UnitFactory(parent=commune, kind="party_cell", level=4)
        MembershipFactory(unit=cell, role="head", user=UserFactory())
    return directive


def test_parallel_sweeps_send_each_dissemination_reminder_and_email_once(start_worker, mail_dir):
    cells = 10
    cells_overdue(cells)
    workers = [start_worker(concurrency=2, wait=False), start_worker(concurrency=2, wait=False)]
    for worker in workers:
        worker.wait_ready()
    sweeps = [sweep_reminders.delay(), sweep_reminders.delay(), sweep_reminders.apply_async()]
    ids = {sweep.id for sweep in sweeps}

    def done():
        results = {}
        for worker in workers:
            results.update(worker.task_results(ids))
        return results if len(results) == len(ids) else None

    results = wait_until(done, timeout=60, message="the three sweeps to succeed")
    # Each cell: an overdue reminder to its secretary and an escalation to the commune's head.
    expected = cells * 2
    wait_until(
        lambda: (
            Notification.objects.count() == expected
            and not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()
        ),
        timeout=60,
        message="every notification to be e-mailed",
    )
    time.sleep(1.5)  # long enough for a late duplicate to show up
    sent = [ast.literal_eval(result)["dissemination"]["sent"] for result in results.values()]
    print(f"\nsweeps sent {sent} dissemination reminders of {expected}")
    assert sum(sent) == expected
    assert status_counts(DisseminationReminder, "status") == {ReminderStatus.SENT: expected}
    assert Notification.objects.count() == expected
    assert len(email_keys(mail_dir)) == expected
    assert_each_notification_emailed_once(mail_dir)
