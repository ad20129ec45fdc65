from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from followups.models import FollowUpAddressee, FollowUpAttachment, FollowUpItem, FollowUpStep, SourceDocument


class AddresseeInline(admin.TabularInline):
    model = FollowUpAddressee
    extra = 0
    autocomplete_fields = ["unit"]


class StepInline(admin.TabularInline):
    model = FollowUpStep
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "by", "unit", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SourceDocument)
class SourceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "issuing_unit", "issued_on"]
    list_filter = ["kind"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["issuing_unit"]
    date_hierarchy = "issued_on"


@admin.register(FollowUpItem)
class FollowUpItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "status", "deadline", "due_on", "verifying_unit", "round"]
    list_filter = ["status", "document__kind"]
    search_fields = ["text", "document__number"]
    autocomplete_fields = ["document", "task", "verifying_unit", "previous"]
    raw_id_fields = ["about_report"]
    readonly_fields = ["due_on", "version", "created_at", "updated_at", "reported_at", "completed_on", "closed_at"]
    inlines = [AddresseeInline, StepInline]

    def save_model(self, request, obj, form, change):
        from followups.services import item_due_on

        obj.due_on = item_due_on(obj.deadline)
        super().save_model(request, obj, form, change)


@admin.register(FollowUpAttachment)
class FollowUpAttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "item", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]
    readonly_fields = ["item", "step", "original_name", "content_type", "size", "sha256", "uploaded_by"]
