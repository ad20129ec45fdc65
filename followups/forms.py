from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from directives.models import Task
from followups.models import Claim, FollowUpStatus, SourceKind
from reports.forms import REASON_MAX_CHARS, MultipleFileField, _file_limit_attrs
from reports.params import IdModelChoiceField, parse_id
from units.models import Unit

OVERDUE = "overdue"
OPEN = "open"
SORTS = {
    "due": ("due_on", "pk"),
    "-due": ("-due_on", "-pk"),
    "issued": ("document__issued_on", "pk"),
    "-issued": ("-document__issued_on", "-pk"),
    "status": ("status", "due_on", "pk"),
    "recorded": ("-created_at", "-pk"),
}
SORT_LABELS = {
    "due": _("Due date, earliest first"),
    "-due": _("Due date, latest first"),
    "issued": _("Date of issue, oldest first"),
    "-issued": _("Date of issue, newest first"),
    "status": _("Status"),
    "recorded": _("Recorded, newest first"),
}


def _units():
    return Unit.objects.without_tree_fields().order_by("level", "name")


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids not in ASCII digits or too
    large for the database (reports/params.py), before any query."""

    def _check_values(self, value):
        for item in value:
            if isinstance(item, str) and parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class UnitChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitSearchField(forms.CharField):
    """A unit typed as its code or part of its name (a select of every unit
    would be thousands of options nationally). Cleans to the matching units'
    ids (a list or a subquery), or None when empty: the unit whose code is the text;
    otherwise every unit whose name contains it. Digits are read as a unit id
    (the links from the dashboard); digits that are not an ASCII id are ignored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Code or part of the name."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        if text.isdigit():
            pk = parse_id(text)
            return None if pk is None else [pk]
        units = Unit.objects.without_tree_fields().order_by()
        by_code = list(units.filter(code__in={text, text.lower()}).values_list("pk", flat=True))
        return by_code or units.filter(name__icontains=text).values("pk")


class RegisterFilterForm(forms.Form):
    """The register's filters; every value optional, ids read as ASCII digits."""

    kind = forms.ChoiceField(label=_("Source"), required=False)
    issuer = UnitSearchField(label=_("Issuing body"))
    addressee = UnitSearchField(label=_("Addressed unit"))
    task = IdModelChoiceField(
        label=_("Directive task"), queryset=Task.objects.select_related("directive"), required=False,
        empty_label=_("All"),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False)
    issued_from = forms.DateField(
        label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._show_unit_codes()
        self.fields["kind"].choices = [("", _("All")), *SourceKind.choices]
        self.fields["status"].choices = [
            ("", _("All")),
            (OPEN, _("Open (not settled)")),
            (OVERDUE, _("Overdue")),
            *FollowUpStatus.choices,
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def _show_unit_codes(self):
        """A unit given by id (a link) shows in its box as the unit's code, which finds the same unit."""
        if not self.is_bound:
            return
        ids = {name: parse_id(self.data.get(name, "")) for name in ("issuer", "addressee")}
        wanted = {pk for pk in ids.values() if pk is not None}
        if not wanted:
            return
        codes = dict(Unit.objects.without_tree_fields().order_by().filter(pk__in=wanted).values_list("pk", "code"))
        self.data = self.data.copy()
        for name, pk in ids.items():
            if pk in codes:
                self.data[name] = codes[pk]

    def clean(self):
        data = super().clean()
        if data.get("issued_from") and data.get("issued_to") and data["issued_from"] > data["issued_to"]:
            self.add_error("issued_to", _("The end of the period is before its start."))
        return data


class ResponseForm(forms.Form):
    """The addressed unit's answer: progress and result, and evidence files."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    response = forms.CharField(
        label=_("Progress and result"),
        max_length=settings.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What your unit has done about this item, and what remains. The verifying body reads it."),
    )
    files = MultipleFileField(
        label=_("Evidence (documents, minutes, photos)"),
        required=False,
        help_text=_("PDF, Word, Excel, OpenDocument or images."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update(_file_limit_attrs())
        self.fields["response"].widget.attrs["class"] = "form-control"
        self.fields["files"].widget.attrs["class"] = "form-control"


class ActionForm(forms.Form):
    claim = forms.ChoiceField(
        label=_("Result"), choices=Claim.choices, required=False, widget=forms.RadioSelect, initial=Claim.DONE
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResupervisionForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(
        label=_("What the new round checks"),
        required=False,
        max_length=settings.TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the item's own text."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class ItemRecordForm(forms.Form):
    """A new item with its source document (one item per document here; the
    spreadsheet import takes a whole session's recommendations at once)."""

    kind = forms.ChoiceField(label=_("Source kind"), choices=SourceKind.choices)
    number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    issued_on = forms.DateField(label=_("Date of issue"), widget=forms.DateInput(attrs={"type": "date"}))
    issuing_unit = UnitChoiceField(label=_("Issuing body"), queryset=_units())
    title = forms.CharField(label=_("Subject (trích yếu)"), max_length=500, required=False)
    file = forms.FileField(label=_("Document file"), required=False)
    item_number = forms.CharField(label=_("Item number in the document"), max_length=20, required=False)
    text = forms.CharField(
        label=_("Content"), max_length=settings.TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4})
    )
    task = IdModelChoiceField(
        label=_("Directive task"), queryset=Task.objects.select_related("directive"), required=False
    )
    lead = UnitChoiceField(label=_("Lead unit"), queryset=_units())
    coordinating = IdModelMultipleChoiceField(
        label=_("Co-ordinating units"), queryset=_units(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    verifying_unit = UnitChoiceField(label=_("Verifying body"), queryset=_units())

    def __init__(self, *args, issuers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if issuers is not None:
            self.fields["issuing_unit"].queryset = issuers
        self.fields["coordinating"].label_from_instance = lambda unit: unit.name
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if data.get("issued_on") and data.get("deadline") and data["deadline"] < data["issued_on"]:
            self.add_error("deadline", _("The deadline is before the date of issue."))
        return data


class DirectionForm(forms.Form):
    """ "Ghi ý kiến chỉ đạo": a direction addressed to one unit."""

    unit = UnitChoiceField(label=_("Addressed unit"), queryset=_units())
    text = forms.CharField(
        label=_("Direction"), max_length=settings.TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    verifying_unit = UnitChoiceField(
        label=_("Verifying body"), queryset=_units(), required=False,
        empty_label=_("The provincial office"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
