"""The reorganisation pages of the units' admin: the *Sắp xếp tổ chức* sheet
(upload → preview of every consequence → confirm) and the closing page of one
unit (its open work shown → choices → preview → confirm). Only administrators;
both previews are dry runs of the very change confirmed, which is carried from
the preview to the confirmation signed, so it cannot be altered in between."""

import dataclasses
import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.forms import WorkbookForm
from onboarding.reorganisation import SHEET_TITLE, changes_read
from onboarding.workbook import WorkbookError
from units.models import Unit
from units.reorganisation import Change, ChangeKind, MembershipChoice, Problem, reorganisation_run, unit_open_work
from units.roles import is_administrator

SALT = "units.reorganisation"
MAX_AGE = 24 * 3600


def _pack(changes, filename):
    rows = [{**dataclasses.asdict(c), "effective_on": c.effective_on.isoformat()} for c in changes]
    return signing.dumps({"changes": rows, "filename": filename}, salt=SALT, compress=True)


def _unpack(token):
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    changes = [Change(**{**row, "effective_on": datetime.date.fromisoformat(row["effective_on"])})
               for row in data["changes"]]  # fmt: skip
    return changes, data["filename"]


def _check(request):
    if not is_administrator(request.user):
        raise PermissionDenied


def _context(model_admin, request, title, **extra):
    return {**model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta, **extra}


def reorganise_view(model_admin, request):
    """Upload the sheet → its preview → confirm."""
    _check(request)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    outcome = token = filename = None
    if request.method == "POST" and "confirm" in request.POST:
        try:
            changes, filename = _unpack(request.POST.get("token", ""))
        except signing.BadSignature:
            messages.error(request, _("The check has expired: upload the file again."))
            return redirect("admin:units_unit_reorganise")
        outcome = reorganisation_run(
            changes=changes, user=request.user, dry_run=False, source="sheet", filename=filename
        )
        if outcome.applied:
            messages.success(request, _("The reorganisation was applied."))
        else:
            messages.error(request, _("Nothing was changed: the data changed since the check; see the errors."))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = upload.name
        try:
            changes, problems = changes_read(data=upload.read(), filename=filename)
        except WorkbookError as error:
            form.add_error("file", str(error))
        else:
            if problems:
                outcome = reorganisation_run(changes=[], user=request.user, dry_run=True)
                outcome.problems = [Problem(row, column, message) for row, column, message in problems]
            else:
                outcome = reorganisation_run(changes=changes, user=request.user, dry_run=True)
                token = _pack(changes, filename) if outcome.ok else None
    context = _context(model_admin, request, _("Reorganisation"),
                       form=form, outcome=outcome, token=token, filename=filename, sheet=SHEET_TITLE,
                       media=model_admin.media + form.media)  # fmt: skip
    return render(request, "admin/units/reorganise.html", context)


class CloseForm(forms.Form):
    effective_on = forms.DateField(
        label=gettext_lazy("First day without the unit"),
        widget=AdminDateWidget,
        help_text=gettext_lazy("The unit closes the day before; its successors take over from this day."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of change"),
        choices=[(k, label) for k, label in ChangeKind.CHOICES if k in ChangeKind.CLOSING],
        widget=forms.RadioSelect,
    )
    successors = forms.CharField(
        label=gettext_lazy("Successor codes"),
        required=False,
        help_text=gettext_lazy(
            "The codes of the open units that take over its duties, separated by “;”. "
            "A new unit is opened in the units list first."
        ),
    )
    assignments = forms.ChoiceField(
        label=gettext_lazy("Its assignments"),
        choices=[("carry", gettext_lazy("Hand them to the successors")), ("end", gettext_lazy("End them"))],
        initial="carry",
        widget=forms.RadioSelect,
    )
    memberships = forms.ChoiceField(
        label=gettext_lazy("Its staff's roles"),
        choices=[
            (MembershipChoice.MOVE, gettext_lazy("Move them to the successor")),
            (MembershipChoice.END, gettext_lazy("End them")),
            (MembershipChoice.KEEP, gettext_lazy("Keep them on the closed unit (its past reports stay readable)")),
        ],
        initial=MembershipChoice.MOVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def change(self):
        data = self.cleaned_data
        return Change(
            code=self.unit.code,
            kind=data["kind"],
            effective_on=data["effective_on"],
            successors=[code.strip() for code in data["successors"].split(";") if code.strip()],
            carry_assignments=data["assignments"] == "carry",
            memberships=data["memberships"],
        )


def close_view(model_admin, request, pk):
    """Close one unit: what it still holds, the choices, a preview, confirm."""
    _check(request)
    unit = Unit.objects.without_tree_fields().filter(pk=pk).first()
    if unit is None:
        raise Http404
    if unit.valid_to is not None and unit.valid_to < timezone.localdate() and request.method == "GET":
        messages.info(request, _("%(unit)s is already closed.") % {"unit": unit})
    form = CloseForm(request.POST or None, unit=unit)
    outcome = token = None
    if request.method == "POST" and "confirm" in request.POST:
        try:
            changes, _filename = _unpack(request.POST.get("token", ""))
        except signing.BadSignature:
            messages.error(request, _("The check has expired: fill in the form again."))
            return redirect("admin:units_unit_close", unit.pk)
        if [c.code for c in changes] != [unit.code]:
            raise PermissionDenied
        outcome = reorganisation_run(changes=changes, user=request.user, dry_run=False, source="closing page")
        if outcome.applied:
            messages.success(request, _("%(unit)s was closed.") % {"unit": unit})
            return redirect("admin:units_unit_change", unit.pk)
        messages.error(request, _("Nothing was changed: the data changed since the check; see the errors."))
    elif request.method == "POST" and form.is_valid():
        change = form.change()
        outcome = reorganisation_run(changes=[change], user=request.user, dry_run=True)
        token = _pack([change], "") if outcome.ok else None
    assignments, memberships, children = unit_open_work(unit)
    context = _context(model_admin, request, _("Close %(unit)s") % {"unit": unit}, unit=unit, form=form,
                       outcome=outcome, token=token, assignments=assignments, memberships=memberships,
                       children=children, media=model_admin.media + form.media)  # fmt: skip
    return render(request, "admin/units/close.html", context)


def closed_notice(unit):
    """(last day, successors) of a closed unit for its page; None when open."""
    if unit is None or unit.valid_to is None or unit.valid_to >= timezone.localdate():
        return None
    return unit.valid_to, list(unit.successors.order_by("name"))
