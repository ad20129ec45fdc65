from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from dissemination.models import CELL_NOTE_MAX_CHARS, DisseminationSession, ImplementingPlan
from dissemination.services import CONFIRMATION_FIELDS, PLAN_FIELDS, SESSION_FIELDS
from reports.attachments import ALLOWED, ALLOWED_LABEL
from reports.forms import MultipleFileField, _file_limit_attrs
from tracker.text import NormalizedFormField

UPLOAD_SCRIPT = HTML("{% load static %}<script src=\"{% static 'reports/upload-limit.js' %}\" defer></script>")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))


def _helper(*layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


class PlanForm(forms.ModelForm):
    document = forms.FileField(
        label=_("The document"),
        required=False,
        help_text=_("The signed plan as a file. Accepted: %(types)s.") % {"types": ALLOWED_LABEL},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )

    class Meta:
        model = ImplementingPlan
        fields = list(PLAN_FIELDS)
        widgets = {"issued_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].validators.append(_not_in_future)
        self.fields["document"].widget.attrs.update(_file_limit_attrs())
        if self.instance.pk and self.instance.original_name:
            self.fields["document"].help_text = _("Choose a file only to replace “%(name)s”.") % {
                "name": self.instance.original_name
            }
        self.helper = _helper(
            Row(Column("kind", css_class="col-md-6"), Column("number", css_class="col-md-6")),
            Row(Column("issued_on", css_class="col-md-6"), Column("signer", css_class="col-md-6")),
            "document",
            UPLOAD_SCRIPT,
        )


class SessionForm(forms.ModelForm):
    files = MultipleFileField(
        label=_("Minutes or photos"),
        required=False,
        help_text=_("You may choose several files. Accepted: %(types)s.") % {"types": ALLOWED_LABEL},
    )

    class Meta:
        model = DisseminationSession
        fields = list(SESSION_FIELDS)
        widgets = {"held_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].validators.append(_not_in_future)
        self.fields["files"].widget.attrs.update(_file_limit_attrs())
        limit = number_format(settings.TEXT_MAX_CHARS, force_grouping=True)
        self.fields["note"].help_text = _("At most %(limit)s characters.") % {"limit": limit}
        for name in ("committee_members_present", "party_members_present", "party_members_expected", "others_present"):
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.helper = _helper(
            Row(
                Column("held_on", css_class="col-md-4"),
                Column("level", css_class="col-md-4"),
                Column("form", css_class="col-md-4"),
            ),
            Fieldset(
                _("Participants"),
                Row(
                    Column("party_members_present", css_class="col-sm-6 col-md-3"),
                    Column("party_members_expected", css_class="col-sm-6 col-md-3"),
                    Column("committee_members_present", css_class="col-sm-6 col-md-3"),
                    Column("others_present", css_class="col-sm-6 col-md-3"),
                ),
            ),
            "note",
            "files",
            UPLOAD_SCRIPT,
        )

    def clean(self):
        data = super().clean()
        present, expected = data.get("party_members_present"), data.get("party_members_expected")
        if present is not None and expected is not None and present > expected:
            self.add_error(
                "party_members_present",
                _("More Party members present (%(present)s) than expected (%(expected)s).")
                % {"present": present, "expected": expected},
            )
        return data


class CellConfirmForm(forms.Form):
    """The Party cell's confirmation: four fields, typed on a phone."""

    met_on = forms.DateField(label=_("Date of the cell meeting"), widget=DateInput(), validators=[_not_in_future])
    members_present = forms.IntegerField(
        label=_("Members present"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    members_total = forms.IntegerField(
        label=_("Members in the cell"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    note = NormalizedFormField(
        label=_("Short note (optional)"),
        required=False,
        max_chars=CELL_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("At most %(limit)s characters.") % {"limit": CELL_NOTE_MAX_CHARS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-lg"
        for name in ("members_present", "members_total"):
            self.fields[name].widget.attrs["min"] = 0

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        present, total = data.get("members_present"), data.get("members_total")
        if present is not None and total is not None and present > total:
            self.add_error(
                "members_present",
                _("More members present (%(present)s) than the cell has (%(total)s).")
                % {"present": present, "total": total},
            )
        return data

    def confirmation_data(self):
        return {name: self.cleaned_data[name] for name in CONFIRMATION_FIELDS}
