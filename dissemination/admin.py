from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dissemination.models import (
    CellConfirmation,
    CellSize,
    DisseminationSession,
    DisseminationSetting,
    ImplementingPlan,
    SessionAttachment,
)
from dissemination.services import setting_save


@admin.register(DisseminationSetting)
class DisseminationSettingAdmin(admin.ModelAdmin):
    list_display = ["directive", "counted_from", "plan_due_days", "cell_due_days"]
    autocomplete_fields = ["directive"]

    def save_model(self, request, obj, form, change):
        # Moves the due dates already copied into the plans and confirmations.
        setting_save(setting=obj)


@admin.register(ImplementingPlan)
class ImplementingPlanAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "directive", "kind", "number", "issued_on", "due_on"]
    list_filter = ["kind", "directive"]
    search_fields = ["unit__name", "number", "signer"]
    autocomplete_fields = ["directive", "unit"]
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "recorded_by", "due_on"]


class SessionAttachmentInline(admin.TabularInline):
    model = SessionAttachment
    extra = 0
    fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(DisseminationSession)
class DisseminationSessionAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "directive", "held_on", "level", "form", "party_members_present", "party_members_expected"]
    list_filter = ["level", "form", "directive"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["directive", "unit"]
    readonly_fields = ["recorded_by"]
    inlines = [SessionAttachmentInline]


@admin.register(CellConfirmation)
class CellConfirmationAdmin(SimpleHistoryAdmin):
    list_display = ["cell", "directive", "met_on", "members_present", "members_total", "on_behalf", "confirmed_on"]
    list_filter = ["on_behalf", "directive"]
    search_fields = ["cell__name", "cell__code"]
    autocomplete_fields = ["directive", "cell"]
    readonly_fields = ["confirmed_by", "on_behalf", "confirmed_at", "confirmed_on", "due_on"]


@admin.register(CellSize)
class CellSizeAdmin(admin.ModelAdmin):
    list_display = ["cell", "party_members", "updated_at"]
    search_fields = ["cell__name", "cell__code"]
    autocomplete_fields = ["cell"]
