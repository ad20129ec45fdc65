from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directives.models import IndicatorAggregation, IndicatorKind
from reports.attachments import ALLOWED, ALLOWED_LABEL, FILE_TOO_BIG
from reports.models import ImplementationStatus, ProgressReport, ReportState
from reports.services import REPORT_FIELDS
from tracker.text import NormalizedFormField
from units.models import UnitLevel

# A reason given for returning, reopening or sending back a report.
REASON_MAX_CHARS = 4000
TEXT_FIELDS = ("results", "difficulties", "proposals", "next_steps")
FILES_TOO_BIG = _("The files you chose are %(size)s in all; the limit is %(limit)s.")


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


# What to enter, so that the compiled report can add the values up correctly.
AGGREGATION_HINT = {
    IndicatorAggregation.PER_PERIOD: _("Enter what was done in this reporting period only."),
    IndicatorAggregation.CUMULATIVE: _("Enter the running total since the directive was issued."),
    IndicatorAggregation.STOCK: _("Enter the level at the end of this reporting period."),
}


def _file_limit_attrs():
    """What static/reports/upload-limit.js needs to refuse too large a file in
    the browser, with the server's own wording (%(name)s and %(size)s are
    filled in there)."""
    values = {"name": "%(name)s", "size": "%(size)s", "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
    kept = _("Choose a smaller file: nothing was sent, and what you typed is kept.")
    return {
        "data-max-bytes": settings.ATTACHMENT_MAX_BYTES,
        "data-max-total-bytes": settings.ATTACHMENT_MAX_BYTES,
        "data-file-too-big": f"{gettext(FILE_TOO_BIG) % values} {kept}",
        "data-files-too-big": f"{FILES_TOO_BIG % values} {kept}",
    }


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
        help_text=AGGREGATION_HINT.get(indicator.aggregation, ""),
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
        limit = number_format(settings.TEXT_MAX_CHARS, force_grouping=True)
        for name in TEXT_FIELDS:
            self.fields[name].help_text = _("At most %(limit)s characters.") % {"limit": limit}
        self.fields["files"].widget.attrs.update(_file_limit_attrs())
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
            # Checks the chosen files' size before anything is sent (a static file, not inline code).
            HTML("{% load static %}<script src=\"{% static 'reports/upload-limit.js' %}\" defer></script>"),
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
    reason = NormalizedFormField(
        label=_("Reason"),
        required=False,
        max_chars=REASON_MAX_CHARS,
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


INBOX_SORTS = {"oldest": ("state_changed_at", "pk"), "newest": ("-state_changed_at", "-pk")}


class InboxFilterForm(forms.Form):
    """The inbox's filters and order. Every choice is compared as the string it
    was offered as, so an id counts only in the ASCII digits it was offered in;
    a value that is not offered leaves its own filter out (see ``filters``)."""

    directive = forms.ChoiceField(label=_("Directive"), required=False)
    task = forms.ChoiceField(label=_("Task"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)
    level = forms.TypedChoiceField(
        label=_("Unit level"), choices=[("", _("All levels")), *UnitLevel.choices], coerce=int, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=[("oldest", _("Oldest first")), ("newest", _("Newest first"))], required=False
    )

    def __init__(self, *args, tasks=(), periods=(), **kwargs):
        """``tasks``: the tasks to offer with their directives, in the order shown."""
        super().__init__(*args, **kwargs)
        by_directive = {}
        for task in tasks:
            by_directive.setdefault(task.directive, []).append((str(task.pk), task.label))
        self.fields["directive"].choices = [
            ("", _("All directives")),
            *((str(directive.pk), directive.short_label) for directive in by_directive),
        ]
        if len(by_directive) > 1:  # two "Nhiệm vụ 1.": one group per directive
            task_choices = [(directive.short_label, choices) for directive, choices in by_directive.items()]
        else:
            task_choices = [choice for choices in by_directive.values() for choice in choices]
        self.fields["task"].choices = [("", _("All tasks")), *task_choices]
        self.fields["period"].choices = [("", _("All periods")), *periods]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self):
        """The filters that were read, without the ones whose value was not offered."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
