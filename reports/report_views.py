"""The report page: read, edit with attachments, and move along the workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports.access import assignment_or_404, attachment_or_404, period_of_assignment_or_404, report_or_404
from reports.attachments import attachment_add, attachment_delete
from reports.forms import ReasonForm, ReportForm
from reports.history import assignment_history, report_history
from reports.models import ProgressReport, ReportState, TransitionAction
from reports.rules import can_edit_report
from reports.services import EditConflict, report_save, report_start
from reports.workflow import TRANSITIONS, allowed_actions, report_transition

FORM_ACTIONS = (TransitionAction.SEND_TO_HEAD, TransitionAction.SUBMIT)
ACTION_LABELS = {
    TransitionAction.SEND_TO_HEAD: gettext_lazy("Send to the unit head for sign-off"),
    TransitionAction.SUBMIT: gettext_lazy("Submit to the provincial office"),
    TransitionAction.SEND_BACK: gettext_lazy("Send back to staff"),
    TransitionAction.RETURN: gettext_lazy("Return to the unit"),
    TransitionAction.ACCEPT: gettext_lazy("Accept"),
    TransitionAction.REOPEN: gettext_lazy("Reopen"),
}


def _indicators(assignment):
    return list(assignment.task.indicators.all())


def _previous_report(assignment, period):
    return (
        ProgressReport.objects.filter(assignment=assignment, period__due_on__lt=period.due_on)
        .select_related("period")
        .prefetch_related("indicator_values__indicator")
        .order_by("-period__due_on")
        .first()
    )


# What the form's main button did, said plainly (the message after a save).
SENT_MESSAGES = {
    TransitionAction.SEND_TO_HEAD: gettext_lazy("Saved and sent to the unit head for sign-off."),
    TransitionAction.SUBMIT: gettext_lazy("Saved and submitted to the provincial office."),
}


def _pending_reason(report):
    """The step that sent the report back to the unit (returned, reopened or sent
    back by the head) while it waits to be fixed, for the alert at the top."""
    if report is None or report.pk is None:
        return None
    if report.state not in (ReportState.RETURNED, ReportState.DRAFT):
        return None
    last = report.transitions.select_related("by").order_by("-at", "-pk").first()
    if last is None or last.action not in (
        TransitionAction.RETURN,
        TransitionAction.REOPEN,
        TransitionAction.SEND_BACK,
    ):
        return None
    return last


def _render(
    request, *, assignment, period, report, form=None, conflict=None, file_errors=(), kept_files=(), status=200
):
    user = request.user
    saved = bool(report and report.pk)
    # A report not yet started is offered the actions of a draft: it is saved and sent in one click.
    actions = allowed_actions(report, user) if report and (saved or form) else []
    can_edit = bool(saved and can_edit_report(user, report))
    context = {
        "assignment": assignment,
        "period": period,
        "report": report if saved else None,
        "form": form,
        "can_save": bool(form) and (can_edit or not saved),
        "awaiting_signoff": saved and report.state == ReportState.PENDING_SIGNOFF,
        "conflict": conflict,
        "file_errors": file_errors,
        "kept_files": kept_files,
        "pending_reason": _pending_reason(report),
        "form_actions": [(a, ACTION_LABELS[a]) for a in actions if a in FORM_ACTIONS] if form else [],
        "other_actions": [
            (a, ACTION_LABELS[a], TRANSITIONS[a].reason_required)
            for a in actions
            if saved and (a not in FORM_ACTIONS or not form)
        ],
        "reason_form": ReasonForm(),
        "previous": _previous_report(assignment, period),
        "indicator_values": report.indicator_values.select_related("indicator") if saved else [],
        "attachments": report.attachments.select_related("uploaded_by") if saved else [],
        "can_edit": can_edit,
        "transitions": report.transitions.select_related("by") if saved else [],
        "history": report_history(report) if saved and user.has_perm("reports.read_history") else None,
        "assignment_history": assignment_history(assignment) if user.has_perm("reports.read_history") else None,
    }
    return render(request, "reports/report_detail.html", context, status=status)


@login_required
def report_for_period(request, assignment_pk, period_pk):
    """The one link from "my work": opens the period's report, or the empty
    form when nothing has been written yet (the draft is created on first save).

    A first save is checked like every later one: the empty form stands for
    version 1, so whoever saves second, having started before the report
    existed, gets the conflict page with everything they wrote."""
    assignment = assignment_or_404(request.user, assignment_pk)
    period = period_of_assignment_or_404(assignment, period_pk)
    may_write = request.user.has_perm("reports.start_report", assignment)
    if request.method == "POST" and may_write:
        report = report_start(assignment=assignment, period=period, by=request.user)
        return _handle_edit(request, report, first_save=True)
    existing = ProgressReport.objects.filter(assignment=assignment, period=period).first()
    if existing:
        return redirect("report_detail", existing.pk)
    if not may_write:
        return _render(request, assignment=assignment, period=period, report=None)
    blank = ProgressReport(assignment=assignment, period=period)
    form = ReportForm(instance=blank, indicators=_indicators(assignment))
    return _render(request, assignment=assignment, period=period, report=blank, form=form)


@login_required
def report_detail(request, pk):
    report = report_or_404(request.user, pk)
    if request.method == "POST":
        if not can_edit_report(request.user, report) and (
            _posted_version(request) == report.version or _nothing_new(request, report)
        ):
            # Nothing moved since the page was loaded, or the form repeats what is
            # saved (a second click of the same button): say so, or 404 for
            # outsiders. Anything new typed goes on to the conflict page, kept.
            return _no_longer_editable(request, report)
        return _handle_edit(request, report)
    form = None
    if can_edit_report(request.user, report):
        form = ReportForm(instance=report, indicators=_indicators(report.assignment))
    return _render(request, assignment=report.assignment, period=report.period, report=report, form=form)


def _nothing_new(request, report):
    """Whether the posted form holds exactly what the report already says, with no file."""
    if request.FILES:
        return False
    form = ReportForm(request.POST, instance=report, indicators=_indicators(report.assignment))
    if not form.is_valid():
        return False
    saved = {value.indicator_id: value.value for value in report.indicator_values.all()}
    posted = {pk: value for pk, value in form.indicator_values().items() if value is not None}
    return all(getattr(report, name) == value for name, value in form.report_data().items()) and posted == {
        pk: value for pk, value in saved.items() if value is not None
    }


def _posted_version(request):
    try:
        return int(request.POST.get("expected_version", ""))
    except ValueError:
        return None


def _attach_files(request, report):
    """Stores the uploaded files on the report when the user may still change
    it; returns (names attached, errors)."""
    attached, errors = [], []
    uploads = request.FILES.getlist("files")
    if uploads and not can_edit_report(request.user, report):
        names = ", ".join(f"“{upload.name}”" for upload in uploads)
        return [], [
            _("%(names)s could not be attached: you can no longer change this report (it is now “%(state)s”).")
            % {"names": names, "state": report.get_state_display()}
        ]
    for upload in uploads:
        try:
            attached.append(attachment_add(report=report, upload=upload, by=request.user).original_name)
        except ValidationError as error:
            errors.extend(error.messages)
    return attached, errors


def _handle_edit(request, report, *, first_save=False):
    """Files are kept first, whatever else is wrong with the form; then the fields
    are saved if nobody saved meanwhile; then the chosen action runs."""
    user, assignment = request.user, report.assignment
    kept_files, file_errors = _attach_files(request, report)
    form = ReportForm(request.POST, instance=report, indicators=_indicators(assignment))
    render_again = {"assignment": assignment, "period": report.period, "file_errors": file_errors}
    if not form.is_valid():
        report.refresh_from_db()
        return _render(request, report=report, form=form, status=400, **render_again)
    try:
        report = report_save(
            report=report,
            by=user,
            data=form.report_data(),
            indicator_values=form.indicator_values(),
            expected_version=form.cleaned_data["expected_version"],
        )
    except PermissionDenied:
        # A second click that waited for the first one's lock: the report has moved on.
        return _no_longer_editable(request, report)
    except EditConflict as conflict:
        # Keep what the user typed; the next save, made knowingly, overwrites.
        conflict.first_save = first_save
        conflict.can_edit = can_edit_report(user, conflict.current)
        data = request.POST.copy()
        data["expected_version"] = conflict.current.version
        form = ReportForm(data, instance=conflict.current, indicators=_indicators(assignment))
        form.is_valid()
        return _render(
            request,
            report=conflict.current,
            form=form,
            conflict=conflict,
            kept_files=kept_files,
            status=409,
            **render_again,
        )
    action = request.POST.get("action", "save")
    if action in FORM_ACTIONS:
        try:
            report = report_transition(report=report, action=action, by=user)
        except ValidationError as error:
            _add_errors(form, error)
            messages.warning(request, _("Your draft was saved, but the report cannot be sent yet."))
            return _render(request, report=report, form=form, status=400, **render_again)
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, SENT_MESSAGES[action])
    elif report.state == ReportState.PENDING_SIGNOFF:
        messages.success(
            request,
            _(
                "Your changes were saved. The report is still awaiting sign-off: "
                "it has not been submitted to the provincial office."
            ),
        )
    else:
        messages.success(request, _("Your draft was saved."))
    if file_errors:
        form = ReportForm(instance=report, indicators=_indicators(assignment))
        return _render(request, report=report, form=form, status=400, **render_again)
    return redirect("report_detail", report.pk)


def _no_longer_editable(request, report):
    """A form sent to a report that can no longer be edited: a double click on
    "submit", or a page left open while the report moved on. Its own unit's
    writers are told so on the report page; anyone else gets 404 as before."""
    report.refresh_from_db()
    if not request.user.has_perm("reports.start_report", report.assignment):
        raise Http404
    if report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        messages.info(request, _("This report has already been submitted; nothing more was changed."))
    else:
        messages.warning(
            request,
            _("This report is now “%(state)s” and cannot be edited; your changes were not saved.")
            % {"state": report.get_state_display()},
        )
    return redirect("report_detail", report.pk)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_POST
@login_required
def report_action(request, pk, action):
    """Workflow actions taken from the report page (send back, return, accept, reopen)."""
    report = report_or_404(request.user, pk)
    if action not in ACTION_LABELS:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        # Too long a reason: say so rather than acting as if none was given.
        for message in form.errors.get("reason", []):
            messages.error(request, message)
        return redirect("report_detail", report.pk)
    try:
        report_transition(report=report, action=action, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]})
    return redirect("report_detail", report.pk)


@login_required
def attachment_download(request, report_pk, pk):
    attachment = attachment_or_404(request.user, report_pk, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


@require_POST
@login_required
def attachment_remove(request, report_pk, pk):
    attachment = attachment_or_404(request.user, report_pk, pk, perm="reports.edit_report")
    try:
        attachment_delete(attachment=attachment, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.original_name})
    return redirect("report_detail", report_pk)
