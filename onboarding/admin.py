"""The organisation import in the admin: upload → check with a row-by-row
preview → confirm → imported all or nothing. Only administrators import; a
preview is its importer's own. The list of imports is the audit trail."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding import workbook
from onboarding.forms import WorkbookForm
from onboarding.jobs import import_batch_confirm, import_batch_create
from onboarding.models import ImportBatch, ImportState
from onboarding.services import organisation_export, organisation_template
from tracker.admin_mixins import ReadOnlyAdminMixin
from units.roles import is_administrator


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["filename", "user", "state", "rows", "created_at", "applied_at"]
    list_filter = ["state"]
    list_select_related = ["user"]
    fields = ["filename", "user", "state", "rows", "created_at", "applied_at", "error"]
    readonly_fields = fields
    change_list_template = "admin/onboarding/importbatch/change_list.html"

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="onboarding_import"),
            path("<uuid:pk>/preview/", wrap(self.preview_view), name="onboarding_preview"),
            path("export.xlsx", wrap(self.export_view), name="onboarding_export"),
            path("template.xlsx", wrap(self.template_view), name="onboarding_template"),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not is_administrator(request.user):
            raise PermissionDenied

    def import_view(self, request):
        self._check(request)
        form = WorkbookForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                batch = import_batch_create(user=request.user, upload=form.cleaned_data["file"])
            except workbook.WorkbookError as error:
                form.add_error("file", str(error))
            else:
                return redirect("admin:onboarding_preview", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the organisation"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return render(request, "admin/onboarding/import.html", context)

    def preview_view(self, request, pk):
        self._check(request)
        batch = ImportBatch.objects.filter(pk=pk, user=request.user).first()
        if batch is None:
            raise Http404
        if request.method == "POST" and "confirm" in request.POST:
            batch = import_batch_confirm(batch_id=batch.pk, user=request.user)
            if batch.state == ImportState.APPLIED:
                messages.success(request, _("The organisation was imported."))
            elif batch.state == ImportState.REFUSED:
                messages.error(request, _("Nothing was imported: the data changed since the check; see the errors."))
            return redirect("admin:onboarding_preview", batch.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Check of %(file)s") % {"file": batch.filename},
            "batch": batch,
            "report": batch.report,
            "opts": self.model._meta,
            "states": ImportState,
            "status_labels": STATUS_LABELS,
        }
        return render(request, "admin/onboarding/preview.html", context)

    def export_view(self, request):
        self._check(request)
        return _download(organisation_export(), "to-chuc.xlsx")

    def template_view(self, request):
        self._check(request)
        return _download(organisation_template(), "mau-to-chuc.xlsx")

    def changelist_view(self, request, extra_context=None):
        extra = {"import_url": reverse("admin:onboarding_import"), **(extra_context or {})}
        return super().changelist_view(request, extra)


STATUS_LABELS = {
    "new": gettext_lazy("New"),
    "changed": gettext_lazy("Changed"),
    "unchanged": gettext_lazy("Unchanged"),
    "error": gettext_lazy("Error"),
}


def _download(data, name):
    response = HttpResponse(data, content_type=workbook.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
