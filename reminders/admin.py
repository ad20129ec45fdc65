from django.contrib import admin
from django.utils import timezone

from reminders.models import CalendarOverride, Reminder, ReminderPolicy
from reports.admin import message_moved_due_dates
from reports.services import periods_realign_due_dates


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Every change here moves the computed due dates not yet passed onto the
    corrected calendar, in the same transaction as the change itself."""

    list_display = ["day", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "day"

    def _realign(self, request):
        message_moved_due_dates(self, request, periods_realign_due_dates(today=timezone.localdate()))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._realign(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._realign(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._realign(request)


class ReminderPolicyInline(admin.StackedInline):
    """The directive's reminder policy, on the directive's own page."""

    model = ReminderPolicy
    extra = 1
    max_num = 1
    can_delete = False


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


from reminders import admin_beat  # noqa: E402, F401 - registers the periodic tasks' admin
