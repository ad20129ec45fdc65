"""The nightly rebuild of the dashboard's tallies, as a row of
django-celery-beat's schedule (editable under Periodic tasks)."""

from django.db import migrations

NAME = "Tính lại số liệu tổng hợp của bảng điều hành"
TASK = "dashboard.tasks.rebuild_tallies"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Ho_Chi_Minh"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_tallies"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
