"""``notifications_send_many`` (the reminder sweep's bulk path): the same
items ``notification_send`` makes, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import EmailMode, EmailStatus, Notification, NotificationKind, NotificationPreference
from notifications.services import notifications_send_many
from tests.factories import PeriodFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_an_item_with_its_email_status_and_the_actor_none(django_capture_on_commit_callbacks):
    report = ReportFactory(period=PeriodFactory())
    plain, digest, silent, actor = UserFactory(), UserFactory(), UserFactory(email=""), UserFactory()
    NotificationPreference.objects.create(user=digest, email_mode=EmailMode.DIGEST)
    entries = [
        {"recipients": [plain, digest, silent, actor], "kind": NotificationKind.REMINDER_OVERDUE,
         "report_id": report.pk, "assignment": report.assignment, "period": report.period, "actor": actor,
         "reason": "Quá hạn 3 ngày", "link": "/bao-cao/"},
    ]  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        ids = notifications_send_many(entries)
    items = {item.recipient_id: item for item in Notification.objects.filter(pk__in=ids)}
    assert set(items) == {plain.pk, digest.pk, silent.pk}  # the actor is not told of their own act
    assert items[plain.pk].email_status == EmailStatus.PENDING and not items[plain.pk].in_digest
    assert items[digest.pk].email_status == EmailStatus.DIGEST and items[digest.pk].in_digest
    assert items[silent.pk].email_status == EmailStatus.NONE
    item = items[plain.pk]
    assert (item.report_id, item.assignment_id, item.period_id, item.actor_id) == (
        report.pk, report.assignment_id, report.period_id, actor.pk)  # fmt: skip
    assert (item.reason, item.link, item.email_attempts, item.email_error) == ("Quá hạn 3 ngày", "/bao-cao/", 0, "")
    assert item.created_at is not None and item.read_at is None and item.done_at is None
    assert len(callbacks) == 1  # only the pending e-mail is queued, after the commit


def test_the_queries_do_not_grow_with_the_number_of_items():
    report = ReportFactory(period=PeriodFactory())
    users = UserFactory.create_batch(12)

    def send(count):
        entries = [{"recipients": users[:count], "kind": NotificationKind.REMINDER_DUE_SOON, "report": report}]
        with CaptureQueriesContext(connection) as queries:
            assert len(notifications_send_many(entries)) == count
        return len(queries)

    assert send(2) == send(12) <= 2
    assert notifications_send_many([]) == []
