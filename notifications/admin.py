from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "report", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__last_name", "reason"]
    list_select_related = ["recipient", "report__assignment__unit", "report__assignment__task", "report__period"]
    autocomplete_fields = ["recipient", "actor", "report"]
    date_hierarchy = "created_at"
