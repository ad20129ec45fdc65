from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directives.models import IndicatorKind, Task
from reports.attachments import ALLOWED, ALLOWED_LABEL
from reports.models import ImplementationStatus, ProgressReport, ReportState
from reports.params import IdModelChoiceField
from reports.services import REPORT_FIELDS
from units.models import UnitLevel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, as in Django's "Uploading multiple files"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _indicator_field(indicator):
    label = f"{indicator.name} ({indicator.unit_of_measure})" if indicator.unit_of_measure else indicator.name
    if indicator.kind == IndicatorKind.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
            coerce=Decimal,
            empty_value=None,
        )
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=100 if indicator.kind == IndicatorKind.PERCENT else None,
        max_digits=14,
        decimal_places=0 if indicator.kind == IndicatorKind.COUNT else 2,
    )


class ReportForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    files = MultipleFileField(
        label=_("Attach documents"),
        required=False,
        help_text=_("You may choose several files. Accepted: %(types)s.") % {"types": ALLOWED_LABEL},
    )

    class Meta:
        model = ProgressReport
        fields = list(REPORT_FIELDS)
        widgets = {
            "results": forms.Textarea(attrs={"rows": 5}),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
            "proposals": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.fields["percent_complete"].max_value = 100
        self.fields["percent_complete"].validators.append(
            forms.fields.validators.MaxValueValidator(100, _("Percent complete must be between 0 and 100."))
        )
        self.fields["expected_version"].initial = self.instance.version
        # A report not yet started has no row, hence no values (and no related manager to ask).
        saved = self.instance.indicator_values.all() if self.instance.pk else ()
        values = {value.indicator_id: value.value for value in saved}
        for indicator in self.indicators:
            name = f"indicator_{indicator.pk}"
            self.fields[name] = _indicator_field(indicator)
            value = values.get(indicator.pk)
            # Whole numbers are shown as such ("7", not "7.00").
            self.fields[name].initial = int(value) if value is not None and value == int(value) else value
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("implementation_status", css_class="col-sm-7"), Column("percent_complete", css_class="col-sm-5")
            ),
            "results",
            "difficulties",
            "proposals",
            "next_steps",
            *([Fieldset(_("Indicators"), *[f"indicator_{i.pk}" for i in self.indicators])] if self.indicators else []),
            "files",
            "expected_version",
        )

    def clean(self):
        data = super().clean()
        status, percent = data.get("implementation_status"), data.get("percent_complete")
        if status == ImplementationStatus.COMPLETED and percent is not None and percent != 100:
            self.add_error("percent_complete", _("A completed task is 100 percent complete."))
        if status == ImplementationStatus.NOT_STARTED and percent:
            self.add_error("percent_complete", _("A task not yet started is 0 percent complete."))
        for indicator in self.indicators:
            name = f"indicator_{indicator.pk}"
            try:
                indicator.validate_value(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        return data

    def indicator_values(self):
        return {indicator.pk: self.cleaned_data.get(f"indicator_{indicator.pk}") for indicator in self.indicators}

    def report_data(self):
        return {field: self.cleaned_data[field] for field in REPORT_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MyWorkFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)

    NOT_STARTED = "not_started"
    OVERDUE = "overdue"

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("All states")),
            (self.OVERDUE, _("Overdue")),
            (self.NOT_STARTED, _("Not started")),
            *ReportState.choices,
        ]
        self.fields["period"].choices = [("", _("Current period")), *[(key, label) for key, label in periods]]


class InboxFilterForm(forms.Form):
    task = IdModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)
    level = forms.TypedChoiceField(
        label=_("Unit level"), choices=[("", _("All levels")), *UnitLevel.choices], coerce=int, required=False
    )
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.filter(directive__status="in_force").select_related("directive")
        self.fields["task"].empty_label = _("All tasks")
        self.fields["period"].choices = [("", _("All periods")), *periods]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
