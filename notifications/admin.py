from django.contrib import admin

from notifications.models import EmailAttempt, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "report", "read_at", "email_status", "email_error"]
    list_filter = ["email_status", "kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__last_name", "reason"]
    list_select_related = ["recipient", "report__assignment__unit", "report__assignment__task", "report__period"]
    autocomplete_fields = ["recipient", "actor", "report"]
    date_hierarchy = "created_at"


@admin.register(EmailAttempt)
class EmailAttemptAdmin(admin.ModelAdmin):
    """Every delivery attempt; permanent failures (a refused address) first to fix."""

    list_display = ["at", "notification", "succeeded", "permanent", "error"]
    list_filter = ["succeeded", "permanent"]
    search_fields = ["error", "notification__recipient__username", "notification__recipient__email"]
    list_select_related = ["notification__recipient"]
    date_hierarchy = "at"
    readonly_fields = ["notification", "at", "succeeded", "permanent", "error"]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_mode"]
    list_filter = ["email_mode"]
    search_fields = ["user__username", "user__last_name"]
    autocomplete_fields = ["user"]
