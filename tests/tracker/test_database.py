"""The nightly refresh of the planner's statistics (``tracker.database``)."""

import pytest
from django.db import connection
from django_celery_beat.models import PeriodicTask

from dashboard.tasks import refresh_statistics
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _analyzed(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_the_small_tables_get_statistics_autovacuum_would_never_give_them():
    TaskFactory.create_batch(3)
    assert refresh_statistics() >= 0
    assert _analyzed("directives_task") is not None


def test_it_runs_nightly_before_the_tallies_are_rebuilt():
    task = PeriodicTask.objects.get(task="dashboard.tasks.refresh_statistics")
    rebuild = PeriodicTask.objects.get(task="dashboard.tasks.rebuild_tallies")
    assert (task.crontab.hour, task.crontab.minute) == ("23", "45")
    assert (rebuild.crontab.hour, rebuild.crontab.minute) == ("0", "5")
    assert task.enabled and task.crontab.timezone.key == "Asia/Ho_Chi_Minh"


def test_rows_are_inserted_with_the_values_they_share_sent_once():
    from django.utils import timezone

    from notifications.models import Notification
    from tests.factories import UserFactory
    from tracker.database import _unnest_select, rows_insert

    users = [UserFactory(), UserFactory(), UserFactory()]
    now = timezone.now()
    columns = ("recipient_id", "kind", "reason", "link", "email_status", "in_digest", "created_at", "email_attempts",
               "email_error")  # fmt: skip
    rows = [(user.pk, "report_overdue", f"Nhắc {n}", "", "pending", False, now, 0, "") for n, user in enumerate(users)]
    made = rows_insert(Notification, columns, rows, returning=("id", "reason"))
    assert sorted(reason for _pk, reason in made) == ["Nhắc 0", "Nhắc 1", "Nhắc 2"]
    stored = Notification.objects.filter(pk__in=[pk for pk, _reason in made])
    assert {(n.recipient_id, n.kind, n.reason, n.created_at) for n in stored} == {row[:3] + (now,) for row in rows}
    # Every value the same in every row: still one row each.
    assert len(rows_insert(Notification, columns, [rows[0], rows[0]], returning=("id",))) == 2
    if connection.vendor == "postgresql":
        sql, params = _unnest_select([Notification._meta.get_field(column) for column in columns], rows)
        assert params[:7] == ["report_overdue", "", "pending", False, now, 0, ""]  # the shared ones, once
        assert params[7:] == [[u.pk for u in users], ["Nhắc 0", "Nhắc 1", "Nhắc 2"]]
        assert sql.startswith("SELECT c0, %s::") and "unnest(" in sql
