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
