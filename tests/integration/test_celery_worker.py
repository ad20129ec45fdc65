"""Issue #4 with real workers: `celery -A tracker worker` subprocesses on the real
broker (Redis in CI, the filesystem transport locally) and the test database.

- parallel sweeps send each reminder exactly once, and each e-mail once;
- a worker SIGKILLed while e-mailing, or in the middle of a sweep, leaves
  nothing lost or doubled once a fresh worker has run the sweep and the outbox;
- with Redis down a report can still be sent on, and its notification is
  e-mailed once Redis is back (a second redis-server of the test's own; the
  machine's Redis is never touched).
"""

import ast
import collections
import datetime
import os
import shutil
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailAttempt, EmailStatus, Notification, NotificationKind
from notifications.services import notification_send
from notifications.tasks import flush_email_outbox
from reminders.models import Reminder, ReminderPolicy, ReminderStatus
from reminders.tasks import sweep_reminders
from reports.models import ProgressReport, ReportState
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from tests.integration.conftest import email_keys, forget_unacked, notification_key, wait_until
from tracker.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SETTLE_SECONDS = 1.5  # after everything looks done: long enough for a late duplicate to show up


def reminders_due_now(units):
    """A directive whose policy sends at any hour of any day, and ``units``
    assignments with a period due today: a sweep now owes one "due today"
    reminder per assignment, to its reporter and its head."""
    today = timezone.localdate()
    directive = DirectiveFactory()
    ReminderPolicy.objects.create(
        directive=directive, days_before="0", overdue_every_days=0, escalate_after_days=0, review_waiting_days=0,
        send_from=datetime.time(0, 0), send_until=datetime.time.max, working_days_only=False,
    )  # fmt: skip
    task = TaskFactory(directive=directive)
    schedule = ScheduleFactory(starts_on=today - datetime.timedelta(days=200))
    period = PeriodFactory(
        schedule=schedule,
        key=f"it-{uuid.uuid4().hex[:8]}",
        starts_on=today - datetime.timedelta(days=180),
        ends_on=today - datetime.timedelta(days=1),
        due_on=today,
    )
    for _ in range(units):
        unit = UnitFactory()
        AssignmentFactory(task=task, unit=unit, schedule=schedule)
        MembershipFactory(unit=unit, role="reporter")
        MembershipFactory(unit=unit, role="head")
    return period


def status_counts(model, field):
    return collections.Counter(model.objects.values_list(field, flat=True))


def notification_keys():
    return sorted(notification_key(n) for n in Notification.objects.select_related("recipient"))


def assert_each_notification_emailed_once(mail_dir, *, allow_twice=()):
    keys = collections.Counter(email_keys(mail_dir))
    expected = collections.Counter(notification_keys())
    assert set(keys) == set(expected), "every notification, and nothing else, was e-mailed"
    doubled = {key: count for key, count in keys.items() if count != 1}
    assert set(doubled) <= set(allow_twice), f"e-mailed more than once: {doubled}"
    assert all(count == 2 for count in doubled.values())


def all_emailed(expected):
    return Notification.objects.exclude(email_status=EmailStatus.SENT).count() == 0 and (
        Notification.objects.count() == expected
    )


def test_parallel_sweeps_on_two_workers_send_each_reminder_and_email_exactly_once(start_worker, mail_dir):
    units = 20
    reminders_due_now(units)
    workers = [start_worker(concurrency=2, wait=False), start_worker(concurrency=2, wait=False)]
    for worker in workers:
        worker.wait_ready()

    started = time.monotonic()
    sweeps = [sweep_reminders.delay(), sweep_reminders.delay(), sweep_reminders.apply_async()]
    sweep_ids = {sweep.id for sweep in sweeps}

    def sweeps_done():
        results = {}
        for worker in workers:
            results.update(worker.task_results(sweep_ids))
        return results if len(results) == len(sweep_ids) else None

    results = wait_until(sweeps_done, timeout=45, message="the three sweeps to succeed")
    wait_until(lambda: all_emailed(units * 2), timeout=45, message="every notification to be e-mailed")
    elapsed = time.monotonic() - started
    time.sleep(SETTLE_SECONDS)

    sent_by_sweep = [ast.literal_eval(result)["sent"] for result in results.values()]
    print(f"\nsweeps sent {sent_by_sweep} of {units}; all e-mailed after {elapsed:.1f} s")
    assert sum(sent_by_sweep) == units
    assert Reminder.objects.count() == units
    assert status_counts(Reminder, "status") == {ReminderStatus.SENT: units}
    assert set(Reminder.objects.values_list("recipients", flat=True)) == {2}
    assert Notification.objects.count() == units * 2
    assert len(set(Notification.objects.values_list("recipient", "assignment", "period"))) == units * 2
    assert status_counts(Notification, "email_status") == {EmailStatus.SENT: units * 2}
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
    assert EmailAttempt.objects.filter(succeeded=True).count() == units * 2
    assert not EmailAttempt.objects.filter(succeeded=False).exists()
    assert len(email_keys(mail_dir)) == units * 2
    assert_each_notification_emailed_once(mail_dir)


def test_a_worker_killed_while_emailing_loses_and_doubles_nothing(start_worker, mail_dir, broker_redis_url):
    # Each e-mail waits 1.5 s before the backend writes it: the kill lands there.
    doomed = start_worker(concurrency=1, INTEGRATION_EMAIL_DELAY=1.5)
    period = reminders_due_now(1)
    assignment = period.schedule.assignments.get()
    recipients = [UserFactory() for _ in range(5)]
    with transaction.atomic():  # committed: the e-mails are queued on commit, as in production
        notification_send(
            recipients=recipients, kind=NotificationKind.REMINDER_DUE_SOON, assignment=assignment, period=period
        )

    # The worker claims the batch at once and sends it in order of id: the first one
    # still claimed is the message being written, the others wait behind it.
    def one_sent_and_the_next_in_flight():
        counts = status_counts(Notification, "email_status")
        return counts[EmailStatus.SENT] >= 1 and counts[EmailStatus.SENDING] >= 1

    wait_until(one_sent_and_the_next_in_flight, timeout=30, interval=0.02, message="the worker to be mid-send")
    doomed.kill()
    claimed = list(
        Notification.objects.filter(email_status=EmailStatus.SENDING).select_related("recipient").order_by("pk")
    )
    in_flight = claimed[0]
    already_sent = Notification.objects.filter(email_status=EmailStatus.SENT).count()
    written = email_keys(mail_dir)
    # The pause comes before the write; a kill after it (rare) may double that one message.
    killed_before_write = notification_key(in_flight) not in written
    print(f"\nkilled with {already_sent} e-mailed and 1 in flight (killed before its write: {killed_before_write})")
    assert len(written) == already_sent + (0 if killed_before_write else 1)
    if broker_redis_url:  # the message the dead worker held must not come back in an hour
        dropped = forget_unacked(broker_redis_url, origins={f"gen{os.getpid()}@{socket.gethostname()}"})
        print(f"dropped {dropped} unacknowledged message(s) of the dead worker")

    # A fresh worker, whose outbox flush takes back claims older than 0 minutes.
    # Only the flush runs there (one process): taking back a claim of a live send cannot happen.
    rescuer = start_worker(concurrency=1, EMAIL_CLAIM_MINUTES=0)
    flush = flush_email_outbox.delay()
    results = wait_until(lambda: rescuer.task_results({flush.id}), timeout=30, message="the outbox flush")
    assert results[flush.id] == str(len(recipients) - already_sent)
    time.sleep(SETTLE_SECONDS)

    assert status_counts(Notification, "email_status") == {EmailStatus.SENT: len(recipients)}
    # Each one left claimed was claimed by the dead worker, then by the outbox: none lost, none skipped.
    attempts = Notification.objects.filter(pk__in=[item.pk for item in claimed]).values_list(
        "email_attempts", flat=True
    )
    assert sorted(attempts) == [2] * len(claimed)
    assert_each_notification_emailed_once(
        mail_dir, allow_twice=() if killed_before_write else [notification_key(in_flight)]
    )


def test_a_worker_killed_in_the_middle_of_a_sweep_commits_each_reminder_whole_or_not_at_all(
    start_worker, mail_dir, broker_redis_url
):
    units = 12
    period = reminders_due_now(units)
    # Reminders are delivered two per transaction; each pair pauses 0.4 s after writing its
    # claims and notifications, before committing.
    doomed = start_worker(concurrency=1, INTEGRATION_DELIVER_DELAY=0.4, REMINDER_DELIVERY_CHUNK=2)
    first_sweep = sweep_reminders.apply_async()
    wait_until(
        lambda: Reminder.objects.filter(status=ReminderStatus.SENT).count() >= 3,
        timeout=30,
        interval=0.02,
        message="the sweep to send three reminders",
    )
    doomed.kill()

    sent = list(Reminder.objects.filter(status=ReminderStatus.SENT))
    print(f"\nkilled mid-sweep with {len(sent)} of {units} reminders sent")
    assert 3 <= len(sent) < units
    assert len(sent) % 2 == 0  # a chunk commits whole
    # A reminder due now is written as it is sent: the others are not in the ledger at all.
    assert Reminder.objects.count() == len(sent)
    for reminder in sent:  # committed whole: the ledger row and both notifications
        assert Notification.objects.filter(assignment=reminder.assignment_id, period=period).count() == 2
    # or not at all: the chunk in flight rolled back, its notifications with it
    assert Notification.objects.filter(period=period).count() == 2 * len(sent)
    if broker_redis_url:
        origins = {f"gen{pid}@{socket.gethostname()}" for pid in doomed.killed_pids | {os.getpid()}}
        dropped = forget_unacked(broker_redis_url, task_ids={first_sweep.id}, origins=origins)
        print(f"dropped {dropped} unacknowledged message(s) of the dead worker")

    # The dead worker ran nothing but the sweep (one process, one message reserved), so
    # no e-mail was claimed: the default claim lease is kept, and two processes are safe.
    worker = start_worker(concurrency=2)
    second_sweep = sweep_reminders.apply_async()
    results = wait_until(lambda: worker.task_results({second_sweep.id}), timeout=30, message="the next sweep")
    flush = flush_email_outbox.delay()  # what beat runs; here it finds nothing left over
    wait_until(lambda: all_emailed(units * 2), timeout=30, message="every notification to be e-mailed")
    wait_until(lambda: worker.task_results({flush.id}), timeout=30, message="the outbox flush")
    time.sleep(SETTLE_SECONDS)

    assert ast.literal_eval(results[second_sweep.id])["sent"] == units - len(sent)
    assert status_counts(Reminder, "status") == {ReminderStatus.SENT: units}
    assert Notification.objects.count() == units * 2
    assert len(set(Notification.objects.values_list("recipient", "assignment", "period"))) == units * 2
    assert status_counts(Notification, "email_status") == {EmailStatus.SENT: units * 2}
    assert_each_notification_emailed_once(mail_dir)


# --- Redis outage ---------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free port, stopped and started again at will."""

    def __init__(self, binary, directory):
        self.binary, self.directory = binary, directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)]  # fmt: skip
        with open(self.directory / "redis.log", "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.answers, timeout=10, message=f"redis-server on port {self.port}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not self.answers(), timeout=5, message="redis-server to stop")


@pytest.fixture
def second_redis(broker_redis_url, tmp_path):
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    reason = None
    if not broker_redis_url:
        reason = "the Redis-outage test needs the Redis broker: set REDIS_URL (CI does)"
    elif not os.path.exists(binary):
        reason = "redis-server is not installed"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(binary, directory)
    server.start()
    yield server
    server.stop()


@contextmanager
def broker(url):
    """Points this process's Celery app (publishing, control) at another broker."""
    saved = (celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool)
    celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = url, None, None
    try:
        yield
    finally:
        for pool in (celery_app.amqp._producer_pool, celery_app._pool):
            if pool is not None:
                pool.force_close_all()
        celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = saved


def post_report(client, report, action):
    report.refresh_from_db()
    data = {
        "implementation_status": report.implementation_status,
        "percent_complete": report.percent_complete,
        "results": report.results,
        "difficulties": report.difficulties,
        "proposals": report.proposals,
        "next_steps": report.next_steps,
        "expected_version": report.version,
        "action": action,
    }
    started = time.monotonic()
    response = client.post(reverse("report_detail", args=[report.pk]), data)
    return response, time.monotonic() - started


def test_a_report_sent_on_while_redis_is_down_is_emailed_once_redis_is_back(
    second_redis, start_worker, mail_dir, client
):
    unit = UnitFactory(requires_signoff=True)
    reporter = MembershipFactory(unit=unit, role="reporter").user
    head = MembershipFactory(unit=unit, role="head").user
    report = ReportFactory(assignment=AssignmentFactory(unit=unit))

    with broker(second_redis.url):
        worker = start_worker(concurrency=1, REDIS_URL=second_redis.url)
        second_redis.stop()

        client.force_login(reporter)
        sent_on, to_head_seconds = post_report(client, report, "send_to_head")
        client.force_login(head)
        submitted, submit_seconds = post_report(client, report, "submit")
        print(f"\nwith Redis down: send to head {to_head_seconds:.2f} s, submit {submit_seconds:.2f} s")

        assert (sent_on.status_code, submitted.status_code) == (302, 302)
        assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
        assert to_head_seconds < 3 and submit_seconds < 3
        waiting = list(Notification.objects.select_related("recipient"))
        assert [(n.recipient, n.kind) for n in waiting if n.kind == NotificationKind.REPORT_SENT_TO_HEAD] == [
            (head, NotificationKind.REPORT_SENT_TO_HEAD)
        ]
        assert {n.email_status for n in waiting} == {EmailStatus.PENDING}

        second_redis.start()
        wait_until(
            lambda: celery_app.control.ping(destination=[worker.name], timeout=0.5),
            timeout=40,
            interval=0.2,
            message="the worker to reconnect to Redis",
        )
        assert status_counts(Notification, "email_status") == {EmailStatus.PENDING: len(waiting)}
        assert email_keys(mail_dir) == []
        flush = flush_email_outbox.delay()
        results = wait_until(lambda: worker.task_results({flush.id}), timeout=30, message="the outbox flush")
        assert results[flush.id] == str(len(waiting))
        time.sleep(SETTLE_SECONDS)

    assert status_counts(Notification, "email_status") == {EmailStatus.SENT: len(waiting)}
    assert_each_notification_emailed_once(mail_dir)
    assert (head.email, reverse("report_detail", args=[report.pk])) in email_keys(mail_dir)
