"""What the dashboard and its exports show: one directive and a range of
periods, read from the query string (``?directive=1&start=2024-H1&end=2025``)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.figures import figures_build
from directives.models import Directive, DirectiveStatus
from reports.models import Assignment, ReportingPeriod
from reports.params import IdModelChoiceField, parse_id, query_id
from units.models import Unit


@dataclass
class PeriodChoice:
    key: str
    label: str
    periods: list  # the rows with this key, one per schedule


def period_choices(directive, today):
    """The directive's periods that have started, by due date, one choice per
    key (schedules that share a key share the choice)."""
    schedules = Assignment.objects.filter(task__directive=directive).values("schedule_id")
    rows = ReportingPeriod.objects.filter(schedule_id__in=schedules, starts_on__lte=today)
    choices = {}
    for period in sorted(rows.select_related("schedule"), key=lambda p: (p.due_on, p.pk)):
        choice = choices.setdefault(period.key, PeriodChoice(period.key, str(period.label), []))
        choice.periods.append(period)
    return list(choices.values())


class SelectionForm(forms.Form):
    directive = IdModelChoiceField(label=_("Directive"), queryset=Directive.objects.none(), empty_label=None)
    start = forms.ChoiceField(label=_("From period"))
    end = forms.ChoiceField(label=_("To period"))

    def __init__(self, *args, directives, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directive"].queryset = directives
        options = [(c.key, c.label) for c in reversed(choices)]
        self.fields["start"].choices = options
        self.fields["end"].choices = options


@dataclass
class Selection:
    directive: Directive
    choices: list  # PeriodChoice, by due date
    start: str
    end: str
    as_of: object
    form: SelectionForm
    unit: Unit | None = None  # the figures cover this unit's subtree (None: every unit)
    # ``query()`` as it is, worked out once: a page's every link carries it.
    _own_query: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def chosen(self):
        keys = [c.key for c in self.choices]
        first, last = sorted((keys.index(self.start), keys.index(self.end)))
        return self.choices[first : last + 1]

    @property
    def periods(self):
        return [period for choice in self.chosen for period in choice.periods]

    @property
    def label(self):
        chosen = self.chosen
        if len(chosen) == 1:
            return chosen[0].label
        return _("%(start)s to %(end)s") % {"start": chosen[0].label, "end": chosen[-1].label}

    def figures(self, scope=None, *, series=True, task=None):
        """The figures of this selection, for ``scope``'s subtree when given
        (a page about one unit), else for the selection's own scope; without
        the chart's points when ``series`` is False; of one task only when
        ``task`` (a pk) is given."""
        return figures_build(directive=self.directive, periods=self.periods, as_of=self.as_of,
                             scope=scope or self.unit, series=series, task=task)  # fmt: skip

    @property
    def whole_query(self):
        return self.query(whole=True)

    def query(self, *, unit=None, whole=False, **extra):
        """The query string that reproduces this selection (plus ``extra``),
        for another ``unit``'s subtree or for every unit (``whole``)."""
        own = unit is None and not whole and not extra
        if own and self._own_query is not None:
            return self._own_query
        params = {"directive": self.directive.pk, "start": self.start, "end": self.end}
        unit = None if whole else (unit or self.unit)
        if unit is not None:
            params["unit"] = unit.pk
        params.update({key: value for key, value in extra.items() if value not in (None, "")})
        found = urlencode(params)
        if own:
            self._own_query = found
        return found


def _periods_of_another_directive(data, directive, choices):
    """Whether the form was sent with another directive chosen than the one whose
    periods it showed (``shown``, set by the form) and with periods this
    directive does not offer."""
    shown = data.get("shown")
    if shown is None or shown == str(directive.pk):
        return False
    keys = {choice.key for choice in choices}
    return not {data.get("start"), data.get("end")} <= keys


def selection_from(request):
    """The selection in the request, or the default: the first directive in
        force and the latest period whose report is due, for every unit. None when
        there is no directive with periods yet; 404 for a unit or directive that does
    not exist, 400 for one not named by an id."""
    today = timezone.localdate()
    unit = None
    if "unit" in request.GET:
        unit_pk = query_id(request.GET, "unit")
        unit = Unit.objects.without_tree_fields().filter(pk=unit_pk).first() if unit_pk else None
        if unit is None:
            raise Http404
    # Newest signed first; an unknown signing date last on every database.
    directives = Directive.objects.exclude(status=DirectiveStatus.DRAFT).order_by(
        "-status", F("signed_on").desc(nulls_last=True), "pk"
    )
    data = request.GET if "directive" in request.GET else None
    directive = None
    if data is not None and (directive_pk := parse_id(data.get("directive", ""))) is not None:
        directive = directives.filter(pk=directive_pk).first()
    directive = directive or directives.filter(status=DirectiveStatus.IN_FORCE).first() or directives.first()
    if directive is None:
        return None
    choices = period_choices(directive, today)
    if not choices:
        return None
    due = [c for c in choices if c.periods[0].due_on <= today]
    default = (due or choices)[-1].key
    if data is not None and _periods_of_another_directive(data, directive, choices):
        data = None  # the directive was changed: its own default range, without a warning
    form = SelectionForm(data, directives=directives, choices=choices, initial={
        "directive": directive.pk, "start": default, "end": default})  # fmt: skip
    start = end = default
    if form.is_bound and form.is_valid() and form.cleaned_data["directive"] == directive:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        keys = [c.key for c in choices]
        if keys.index(start) > keys.index(end):
            start, end = end, start
    return Selection(directive, choices, start, end, today, form, unit)
