"""The periodic jobs, as rows of django-celery-beat's schedule: administrators
see and edit them in the admin (Periodic tasks)."""

from django.db import migrations

TZ = "Asia/Ho_Chi_Minh"
INTERVALS = [
    # (name, task, every, period)
    ("Quét và gửi nhắc hạn báo cáo", "reminders.tasks.sweep_reminders", 15, "minutes"),
    ("Gửi các e-mail còn chờ trong hộp thư đi", "notifications.tasks.flush_email_outbox", 5, "minutes"),
]
CRONTABS = [
    # (name, task, minute, hour)
    ("Gửi thư tổng hợp hằng ngày", "notifications.tasks.send_daily_digests", "30", "7"),
    ("Tạo trước các kỳ báo cáo", "reminders.tasks.extend_reporting_periods", "15", "1"),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in INTERVALS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})
    for name, task, minute, hour in CRONTABS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=TZ
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    names = [row[0] for row in INTERVALS + CRONTABS]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
