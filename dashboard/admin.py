from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from dashboard.exports.docx import validate_template
from dashboard.models import ExportJob, SummaryTemplate
from units.roles import is_administrator, is_office


class SummaryTemplateForm(forms.ModelForm):
    class Meta:
        model = SummaryTemplate
        fields = ["name", "file", "is_active"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Only a new upload is checked: the stored file was checked when it came.
        if isinstance(upload, UploadedFile):
            validate_template(upload)
        return upload


class ProvinceOfficeAdmin(admin.ModelAdmin):
    """The provincial office manages these as well as administrators (given
    staff status to open the admin)."""

    def _allowed(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and (is_administrator(request.user) or is_office(request.user))
        )

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) or super().has_delete_permission(request, obj)


@admin.register(SummaryTemplate)
class SummaryTemplateAdmin(ProvinceOfficeAdmin):
    form = SummaryTemplateForm
    list_display = ["name", "is_active", "uploaded_by", "uploaded_at"]
    list_filter = ["is_active"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "file", "is_active", "uploaded_by", "uploaded_at"],
                "description": _(
                    "The compiled report (Word) is built from the newest template in use, or from the built-in "
                    "one when there is none. Download the template in use from the dashboard's address "
                    "/dashboard/summary-template.docx, change its wording in Word and upload it here; it is tried "
                    "on sample data before it is saved."
                ),
            },
        )
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "user", "state", "progress", "finished_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [
        "id",
        "user",
        "kind",
        "query",
        "language",
        "state",
        "progress",
        "file",
        "filename",
        "error",
        "created_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
