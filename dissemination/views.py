"""Pages of dissemination: the list of one's committees and cells, a
committee's plan, sessions and cells, and the Party cell's confirmation page
(made for a phone)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from directives.models import Directive
from dissemination import access
from dissemination.forms import CellConfirmForm, PlanForm, SessionForm
from dissemination.models import CellConfirmation, CellSize, DisseminationSession, ImplementingPlan
from dissemination.rules import confirms_on_behalf
from dissemination.scope import PLAN_KINDS, cell_secretaries
from dissemination.services import (
    cell_confirm,
    plan_for,
    plan_save,
    session_attachment_add,
    session_attachment_delete,
    session_save,
    setting_for,
)
from units.models import Unit, UnitKind
from units.roles import sees_whole_province, unit_roles


def _plan_status(plan, due_on, today):
    """(css, label) of a committee's plan for the lists."""
    if plan is None:
        if due_on and today > due_on:
            return "state-returned", _("Missing (overdue)")
        return "state-not_started", _("Not yet recorded")
    if plan.is_late:
        return "state-draft", _("Issued late")
    return "state-accepted", _("Issued on time")


def _cell_status(confirmation, due_on, today):
    if confirmation is None:
        if due_on and today > due_on:
            return "state-returned", _("Not confirmed (overdue)")
        return "state-not_started", _("Not confirmed yet")
    if confirmation.is_late:
        return "state-draft", _("Confirmed late")
    return "state-accepted", _("Confirmed on time")


def _directives():
    return Directive.objects.in_force().order_by("-signed_on", "pk")


@require_safe
@login_required
def home(request):
    """Each directive in force, with the user's committees and cells; the
    province-wide roles start from the committees directly under the issuing unit."""
    user = request.user
    roles = unit_roles(user)
    own = list(Unit.objects.without_tree_fields().filter(pk__in=roles).order_by("level", "name"))
    committees = [unit for unit in own if unit.kind in PLAN_KINDS]
    cells = [unit for unit in own if unit.kind == UnitKind.PARTY_CELL]
    groups = []
    for directive in _directives():
        top = []
        if sees_whole_province(user):
            top = list(
                Unit.objects.without_tree_fields()
                .open_on(timezone.localdate())
                .filter(kind__in=PLAN_KINDS, parent_id=directive.issuing_unit_id)
                .order_by("level", "name")
            )
        groups.append({"directive": directive, "top": top})
    context = {"groups": groups, "committees": committees, "cells": cells}
    return render(request, "dissemination/home.html", context)


@require_safe
@login_required
def unit_page(request, directive_pk, unit_pk):
    """A committee's plan and sessions for the directive, the committees
    directly below it and its Party cells with their confirmations."""
    directive = access.directive_or_404(directive_pk)
    unit = access.committee_or_404(request.user, unit_pk)
    today = timezone.localdate()
    setting = setting_for(directive)
    plan = ImplementingPlan.objects.filter(directive=directive, unit=unit).select_related("recorded_by").first()
    sessions = (
        DisseminationSession.objects.filter(directive=directive, unit=unit)
        .select_related("recorded_by")
        .prefetch_related("attachments")
    )
    children = list(
        Unit.objects.without_tree_fields()
        .open_on(today)
        .filter(parent=unit)
        .filter(kind__in=(*PLAN_KINDS, UnitKind.PARTY_CELL))
        .annotate(session_count=Count("dissemination_sessions", filter=Q(dissemination_sessions__directive=directive)))
        .prefetch_related(
            Prefetch("implementing_plans", ImplementingPlan.objects.filter(directive=directive), to_attr="plans"),
            Prefetch(
                "cell_confirmations",
                CellConfirmation.objects.filter(directive=directive).select_related("confirmed_by"),
                to_attr="confirmations",
            ),
        )
        .order_by("name")
    )
    sizes = dict(CellSize.objects.filter(cell__in=children).values_list("cell_id", "party_members"))
    secretaries = cell_secretaries([child.pk for child in children if child.kind == UnitKind.PARTY_CELL])
    committees, cells = [], []
    for child in children:
        if child.kind == UnitKind.PARTY_CELL:
            confirmation = child.confirmations[0] if child.confirmations else None
            css, label = _cell_status(confirmation, setting.cell_due_on(), today)
            cells.append(
                {
                    "unit": child,
                    "confirmation": confirmation,
                    "css": css,
                    "label": label,
                    "size": sizes.get(child.pk),
                    "secretaries": secretaries.get(child.pk, []),
                    "may_confirm": request.user.has_perm(access.CONFIRM, child),
                }
            )
        else:
            child_plan = child.plans[0] if child.plans else None
            css, label = _plan_status(child_plan, setting.plan_due_on(), today)
            committees.append({"unit": child, "plan": child_plan, "css": css, "label": label})
    plan_css, plan_label = _plan_status(plan, setting.plan_due_on(), today)
    context = {
        "directive": directive,
        "unit": unit,
        "setting": setting,
        "plan": plan,
        "plan_css": plan_css,
        "plan_label": plan_label,
        "sessions": sessions,
        "committees": committees,
        "cells": cells,
        "confirmed": sum(1 for row in cells if row["confirmation"]),
        "may_record": request.user.has_perm(access.RECORD, unit),
        "parent_readable": unit.parent_id and request.user.has_perm(access.READ, unit.parent),
    }
    return render(request, "dissemination/unit.html", context)


@login_required
def plan_edit(request, directive_pk, unit_pk):
    """Records the committee's implementing plan, or changes it. A form that
    fails keeps what was typed; a file must be chosen again (a browser never
    sends it twice), which the page says."""
    directive = access.directive_or_404(directive_pk)
    unit = access.committee_or_404(request.user, unit_pk, access.RECORD)
    plan = plan_for(directive, unit)
    setting = setting_for(directive)
    if request.method == "POST":
        form = PlanForm(request.POST, request.FILES, instance=plan)
        if form.is_valid():
            try:
                plan_save(plan=plan, data=form.cleaned_data, upload=form.cleaned_data.get("document"), by=request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error("document", error)
            except IntegrityError:
                # Two first saves at once: the other one won; nothing of ours was stored.
                form.add_error(None, _("Someone else recorded this committee's plan meanwhile. Open the plan again."))
            else:
                messages.success(request, _("The implementing plan was saved."))
                return redirect("dissemination_unit", directive.pk, unit.pk)
        return render(
            request,
            "dissemination/plan_form.html",
            {"form": form, "directive": directive, "unit": unit, "plan": plan, "setting": setting, "failed": True},
            status=400,
        )
    form = PlanForm(instance=plan)
    context = {"form": form, "directive": directive, "unit": unit, "plan": plan, "setting": setting}
    return render(request, "dissemination/plan_form.html", context)


@require_safe
@login_required
def plan_file(request, directive_pk, unit_pk):
    directive = access.directive_or_404(directive_pk)
    unit = access.committee_or_404(request.user, unit_pk)
    plan = ImplementingPlan.objects.filter(directive=directive, unit=unit).first()
    if plan is None or not plan.file:
        raise Http404
    return _file_response(plan.file, plan.original_name, plan.content_type)


def _file_response(field_file, name, content_type):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


def _attach(request, session):
    attached, errors = [], []
    for upload in request.FILES.getlist("files"):
        try:
            attached.append(session_attachment_add(session=session, upload=upload, by=request.user).original_name)
        except ValidationError as error:
            errors.extend(error.messages)
    return attached, errors


def _session_page(request, *, directive, unit, session, form, status=200, file_errors=()):
    context = {
        "directive": directive,
        "unit": unit,
        "session": session if session.pk else None,
        "form": form,
        "file_errors": file_errors,
        "attachments": session.attachments.select_related("uploaded_by") if session.pk else [],
        "failed": status == 400,
    }
    return render(request, "dissemination/session_form.html", context, status=status)


def _session_post(request, *, directive, unit, session):
    form = SessionForm(request.POST, request.FILES, instance=session)
    if not form.is_valid():
        return _session_page(request, directive=directive, unit=unit, session=session, form=form, status=400)
    try:
        session = session_save(session=session, data=form.cleaned_data, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _session_page(request, directive=directive, unit=unit, session=session, form=form, status=400)
    _attached, file_errors = _attach(request, session)
    messages.success(request, _("The session was saved."))
    if file_errors:
        form = SessionForm(instance=session)
        return _session_page(
            request, directive=directive, unit=unit, session=session, form=form, status=400, file_errors=file_errors
        )
    return redirect("dissemination_unit", directive.pk, unit.pk)


@login_required
def session_create(request, directive_pk, unit_pk):
    directive = access.directive_or_404(directive_pk)
    unit = access.committee_or_404(request.user, unit_pk, access.RECORD)
    session = DisseminationSession(directive=directive, unit=unit)
    if request.method == "POST":
        return _session_post(request, directive=directive, unit=unit, session=session)
    form = SessionForm(instance=session, initial={"level": _default_level(unit)})
    return _session_page(request, directive=directive, unit=unit, session=session, form=form)


def _default_level(unit):
    from dissemination.models import SessionLevel
    from units.models import UnitLevel

    return {UnitLevel.PROVINCE: SessionLevel.PROVINCE, UnitLevel.DISTRICT: SessionLevel.DISTRICT}.get(
        unit.level, SessionLevel.GRASSROOTS
    )


@login_required
def session_edit(request, pk):
    session = access.session_or_404(request.user, pk)
    may_record = request.user.has_perm(access.RECORD, session.unit)
    if request.method == "POST":
        if not may_record:
            raise Http404
        return _session_post(request, directive=session.directive, unit=session.unit, session=session)
    form = SessionForm(instance=session) if may_record else None
    return _session_page(request, directive=session.directive, unit=session.unit, session=session, form=form)


@require_safe
@login_required
def session_attachment(request, session_pk, pk):
    attachment = access.session_attachment_or_404(request.user, session_pk, pk)
    return _file_response(attachment.file, attachment.original_name, attachment.content_type)


@require_POST
@login_required
def session_attachment_remove(request, session_pk, pk):
    attachment = access.session_attachment_or_404(request.user, session_pk, pk, access.RECORD)
    try:
        session_attachment_delete(attachment=attachment, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("“%(name)s” was removed.") % {"name": attachment.original_name})
    return redirect("dissemination_session", session_pk)


@login_required
def cell_page(request, directive_pk, cell_pk):
    """The Party cell's confirmation, on one phone screen. The reminder e-mail
    links here; the secretary signs in the normal way first. Readers who may
    not confirm see the confirmation only."""
    directive = access.directive_or_404(directive_pk)
    cell = access.cell_or_404(request.user, cell_pk)
    may_confirm = request.user.has_perm(access.CONFIRM, cell)
    confirmation = (
        CellConfirmation.objects.filter(directive=directive, cell=cell).select_related("confirmed_by").first()
    )
    status = 200
    if request.method == "POST":
        if not may_confirm:
            raise Http404
        form = CellConfirmForm(request.POST)
        if form.is_valid():
            try:
                confirmation, created = cell_confirm(
                    directive=directive, cell=cell, data=form.confirmation_data(), by=request.user
                )
            except PermissionDenied:
                raise Http404 from None
            messages.success(
                request,
                _("Thank you: the cell's confirmation was recorded.")
                if created
                else _("The cell's confirmation was updated."),
            )
            return redirect("dissemination_cell", directive.pk, cell.pk)
        status = 400
    elif may_confirm:
        initial = {}
        if confirmation:
            initial = {
                name: getattr(confirmation, name) for name in ("met_on", "members_present", "members_total", "note")
            }
        else:
            size = CellSize.objects.filter(cell=cell).values_list("party_members", flat=True).first()
            initial = {"members_total": size} if size else {}
        form = CellConfirmForm(initial=initial)
    else:
        form = None
    setting = setting_for(directive)
    context = {
        "directive": directive,
        "cell": cell,
        "form": form,
        "confirmation": confirmation,
        "due_on": setting.cell_due_on(),
        "on_behalf": may_confirm and confirms_on_behalf(request.user, cell),
        "committee_readable": cell.parent_id and request.user.has_perm(access.READ, cell.parent),
    }
    return render(request, "dissemination/cell.html", context, status=status)
