"""The dashboard's exports: built in the request when small, otherwise handed
to a worker with a page that shows its progress."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from dashboard.exports import EXPORTS, docx, expected_rows, export_build, export_filename, flavour_from
from dashboard.exports.jobs import export_job_create, export_job_or_404
from dashboard.models import ExportKind, ExportState
from dashboard.selection import selection_from

PERMISSION = "dashboard.view_dashboard"


def _export(request, kind):
    """A small export is built in the request and downloaded, by GET (a plain
    link, as a user expects of a download) or POST alike: nothing is kept.
    A large one is built by a worker into a file kept for days, so it is made
    only by a POST (the form on the page a GET answers), once per selection:
    a repeated or parallel POST gets the job already made."""
    selection = selection_from(request)
    if selection is None:
        raise Http404
    figures = selection.figures()
    flavour = flavour_from(request.GET) if kind != ExportKind.XLSX else None
    if expected_rows(figures) > settings.EXPORT_INLINE_MAX_ROWS:
        if request.method != "POST":
            return render(request, "dashboard/export_confirm.html", {"selection": selection, "kind": ExportKind(kind)})
        job, _created = export_job_create(
            user=request.user,
            kind=kind,
            query=selection.query(flavour=flavour),
            language=get_language() or settings.LANGUAGE_CODE,
        )
        return redirect_303("dashboard_export_job", job.pk)
    data = export_build(kind, figures, flavour=flavour_from(request.GET))
    response = HttpResponse(data, content_type=EXPORTS[kind].content_type)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(kind, figures, flavour))
    return response


def redirect_303(name, *args):
    """After a POST, "see other": the browser GETs the job page, and a reload does not post again."""
    response = redirect(name, *args)
    response.status_code = 303
    return response


EXPORT_METHODS = require_http_methods(["GET", "HEAD", "POST"])


@EXPORT_METHODS
@login_required
@permission_required(PERMISSION, raise_exception=True)
def export_xlsx(request):
    return _export(request, ExportKind.XLSX)


@EXPORT_METHODS
@login_required
@permission_required(PERMISSION, raise_exception=True)
def summary_docx(request):
    return _export(request, ExportKind.DOCX)


@EXPORT_METHODS
@login_required
@permission_required(PERMISSION, raise_exception=True)
def summary_pdf(request):
    return _export(request, ExportKind.PDF)


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def summary_template(request):
    """The Word template in use, for the office to adapt and upload again."""
    template = docx.template_file()
    data = template.getvalue() if hasattr(template, "getvalue") else template.read_bytes()
    response = HttpResponse(data, content_type=docx.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "mau-bao-cao.docx")
    return response


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def export_job(request, pk):
    """The job's page; htmx asks for its progress part every second until
    the file is ready."""
    job = export_job_or_404(request.user, pk)
    partial = request.headers.get("HX-Request") == "true"
    template = "dashboard/export_job_progress.html" if partial else "dashboard/export_job.html"
    return render(request, template, {"job": job})


@require_safe
@login_required
@permission_required(PERMISSION, raise_exception=True)
def export_download(request, pk):
    job = export_job_or_404(request.user, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=EXPORTS[job.kind].content_type
    )
