"""django-celery-beat's periodic tasks in the admin, without the English its
admin hard-codes: the "Scheduler" column and "Task Name" filter (names with no
translation), and the change form's script that appends "Translation: …" in
English (an inline script, which the Content-Security-Policy forbids too)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


class CeleryTaskFilter(admin.AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("Celery task")


class TrackerPeriodicTaskAdmin(PeriodicTaskAdmin):
    change_form_template = "admin/change_form.html"
    list_display = ["name", "enabled", "schedule", "start_time", "last_run_at", "one_off"]
    list_filter = ["enabled", "one_off", ("task", CeleryTaskFilter), "start_time", "last_run_at"]
    readonly_fields = ["last_run_at"]
    fieldsets = [
        (name, {**options, "fields": [field for field in options["fields"] if field != "crontab_translation"]})
        for name, options in PeriodicTaskAdmin.fieldsets
    ]

    @admin.display(description=_("Schedule"))
    def schedule(self, task):
        return task.scheduler


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, TrackerPeriodicTaskAdmin)
