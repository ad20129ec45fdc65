"""Many notification e-mails over one mail-server connection
(``notification_emails_send``, used by the outbox flush and the e-mail task):
each pending e-mail sent once, a refused address recorded without stopping the
others, two queries for the lot and two per e-mail as it leaves."""

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.emails import email_outbox_flush, notification_emails_send
from notifications.models import EmailAttempt, EmailStatus, Notification, NotificationKind
from notifications.services import notification_send
from tests.factories import PeriodFactory, UserFactory

NOW = datetime.datetime(2025, 6, 12, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
REFUSED = "refused@example.vn"


class RefusingBackend(EmailBackend):
    """Stands in for the outside SMTP server: refuses one address, takes the rest."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        if any(REFUSED in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def period(schedule):
    return PeriodFactory(schedule=schedule, key="2025-H1", starts_on=datetime.date(2024, 12, 15),
                         ends_on=datetime.date(2025, 6, 14), due_on=datetime.date(2025, 6, 19))  # fmt: skip


def _pending(count, assignment, period, *, refused=False):
    users = [UserFactory(username=f"u{index}-{count}") for index in range(count)]
    if refused:
        users[count // 2].email = REFUSED
        users[count // 2].save()
    items = notification_send(recipients=users, kind=NotificationKind.REMINDER_DUE_SOON, assignment=assignment,
                              period=period)  # fmt: skip
    return [item.pk for item in items]


def test_a_batch_sends_each_pending_email_once_over_one_connection(settings, assignment_a, period):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.opened = 0
    ids = _pending(6, assignment_a, period, refused=True)
    with time_machine.travel(NOW, tick=False):
        outcome = notification_emails_send(notification_ids=ids, now=NOW)
        again = notification_emails_send(notification_ids=ids, now=NOW)
    assert (outcome["sent"], outcome["failed"], outcome["taken"], outcome["retry"]) == (5, 1, 0, [])
    assert (again["sent"], again["taken"]) == (0, 6)
    assert len(mail.outbox) == 5 and REFUSED not in {m.to[0] for m in mail.outbox}
    assert RefusingBackend.opened == 1  # the second call claimed nothing: no connection
    statuses = dict(Notification.objects.values_list("recipient__email", "email_status"))
    assert statuses.pop(REFUSED) == EmailStatus.FAILED
    assert set(statuses.values()) == {EmailStatus.SENT}
    assert EmailAttempt.objects.filter(succeeded=True).count() == 5


def test_a_batch_costs_two_queries_for_the_lot_and_two_per_email_recorded_as_it_leaves(assignment_a, period):
    # The claim and the read are one query each whatever the size; each e-mail's record
    # (status and attempt) is written as soon as the server took it, so that a worker
    # killed half-way sends none of the earlier ones again (tests/integration).
    counts = []
    for size in (5, 60):
        ids = _pending(size, assignment_a, period)
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
            assert notification_emails_send(notification_ids=ids, now=NOW)["sent"] == size
        counts.append(len(captured))
    assert counts == [2 + 2 * 5, 2 + 2 * 60]


def test_the_outbox_flush_sends_in_batches(assignment_a, period, settings):
    ids = _pending(7, assignment_a, period)
    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW, limit=5) == 5
        assert email_outbox_flush(now=NOW) == 2
    assert len(mail.outbox) == 7
    assert Notification.objects.filter(pk__in=ids, email_status=EmailStatus.SENT).count() == 7
