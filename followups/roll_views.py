"""The register's spreadsheet import (upload → check with a row-by-row
preview → confirm → imported all or nothing) and its export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from followups.access import items_visible_to
from followups.forms import RegisterFilterForm
from followups.imports import (
    CONTENT_TYPE,
    ItemsWorkbookError,
    item_import_confirm,
    item_import_create,
    items_template,
    register_workbook,
)
from followups.roll_models import ItemImport, ItemImportState
from followups.views import register_filter

STATUS_LABELS = {
    "new": gettext_lazy("New"),
    "changed": gettext_lazy("Changed"),
    "unchanged": gettext_lazy("Unchanged"),
    "error": gettext_lazy("Error"),
}
RECENT_IMPORTS = 20


class ItemsWorkbookForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Follow-up items workbook"),
        help_text=gettext_lazy("An .xlsx file with the sheet Việc theo dõi (see the template), or a .csv of it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choose an .xlsx workbook or a .csv file."))
        return upload


def _may_import(user):
    if not user.has_perm("followups.import_items"):
        raise Http404


def _download(data, name):
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_upload(request):
    _may_import(request.user)
    form = ItemsWorkbookForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = item_import_create(user=request.user, upload=form.cleaned_data["file"])
        except ItemsWorkbookError as error:
            form.add_error("file", str(error))
        else:
            return redirect("followup_import_preview", batch.pk)
    recent = ItemImport.objects.select_related("user")[:RECENT_IMPORTS]
    return render(
        request, "followups/import.html", {"form": form, "recent": recent}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_preview(request, pk):
    """The check's report; its importer confirms it here."""
    _may_import(request.user)
    batch = get_object_or_404(ItemImport.objects.select_related("user"), pk=pk)
    if request.method == "POST":
        if batch.user_id != request.user.pk:
            raise Http404  # a check is confirmed by whoever uploaded it
        batch = item_import_confirm(batch=batch, user=request.user)
        if batch.state == ItemImportState.APPLIED:
            messages.success(request, _("The items were imported."))
        else:
            messages.error(request, _("Nothing was imported: the data changed since the check; see the errors."))
        return redirect("followup_import_preview", batch.pk)
    context = {
        "batch": batch,
        "report": batch.report,
        "states": ItemImportState,
        "status_labels": STATUS_LABELS,
        "may_confirm": batch.user_id == request.user.pk and batch.state == ItemImportState.CHECKED,
    }
    return render(request, "followups/import_preview.html", context)


@require_safe
@login_required
def import_template(request):
    _may_import(request.user)
    return _download(items_template(), "mau-viec-theo-doi.xlsx")


@require_safe
@login_required
def register_export(request):
    """The register as the user sees it (same filters and sort) in the import's columns."""
    today = timezone.localdate()
    form = RegisterFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = register_filter(items_visible_to(request.user), data, today)
    return _download(register_workbook(items, today), f"so-theo-doi-{today:%Y-%m-%d}.xlsx")
