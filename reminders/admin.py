from django.contrib import admin

from reminders.models import CalendarOverride, Reminder, ReminderPolicy


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "day"


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["directive", "is_active", "days_before", "overdue_every_days", "escalate_after_days",
                    "review_waiting_days", "send_from", "send_until", "working_days_only"]  # fmt: skip
    list_select_related = ["directive"]
    autocomplete_fields = ["directive"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["due_at", "kind", "offset", "assignment", "period", "status", "sent_at", "recipients", "note"]
    list_filter = ["status", "kind", "assignment__task__directive"]
    search_fields = ["assignment__unit__name", "assignment__unit__code", "period__key", "note"]
    list_select_related = ["assignment__unit", "assignment__task", "period"]
    date_hierarchy = "due_at"
    readonly_fields = ["assignment", "period", "kind", "offset", "due_at", "status", "created_at", "sent_at",
                       "recipients", "note"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # the ledger is written by the sweep only
