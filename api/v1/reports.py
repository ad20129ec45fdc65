"""Progress reports: read; create and update a draft with the version check of
the pages (reports.services.report_save: 409 with the current version when
someone saved meanwhile); the workflow's actions as POSTs through
reports.workflow.report_transition, under the same rules as the pages."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.access import readable_reports
from api.errors import Conflict, form_invalid
from api.filters import IdFilter, UpdatedSinceFilter
from api.pagination import KeysetPagination
from api.v1.base import ViewSet
from reports.access import assignment_or_404, period_of_assignment_or_404, report_or_404
from reports.forms import ReasonForm, ReportForm
from reports.models import ImplementationStatus, IndicatorValue, ProgressReport, ReportState, TransitionAction
from reports.services import REPORT_FIELDS, EditConflict, report_save, report_start
from reports.workflow import TRANSITIONS, allowed_actions, report_transition


class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, coerce_to_string=False)


class ReportSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="assignment.task_id", read_only=True)
    directive = serializers.IntegerField(source="assignment.task.directive_id", read_only=True)
    unit = serializers.IntegerField(source="assignment.unit_id", read_only=True)
    indicator_values = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "assignment", "task", "directive", "unit", "period", "state", *REPORT_FIELDS,
                  "indicator_values", "version", "created_at", "updated_at", "state_changed_at", "submitted_at",
                  "accepted_at", "actions"]  # fmt: skip

    @extend_schema_field(IndicatorValueSerializer(many=True))
    def get_indicator_values(self, report):
        return [{"indicator": v.indicator_id, "value": v.value} for v in report.indicator_values.all()]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TransitionAction.choices)))
    def get_actions(self, report):
        """The workflow actions the caller may take on the report now."""
        return [str(step) for step in allowed_actions(report, self.context["request"].user)]


class ReportWriteSerializer(serializers.Serializer):
    """The fields a draft's save sends; those left out keep their saved values."""

    expected_version = serializers.IntegerField(
        min_value=1, help_text="The version the change is based on (1 for a report not yet started)."
    )
    implementation_status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False)
    percent_complete = serializers.IntegerField(required=False, min_value=0, max_value=100)
    results = serializers.CharField(required=False, allow_blank=True)
    difficulties = serializers.CharField(required=False, allow_blank=True)
    proposals = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    indicator_values = IndicatorValueSerializer(many=True, required=False)


class ReportCreateSerializer(ReportWriteSerializer):
    assignment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    period = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    expected_version = serializers.IntegerField(min_value=1, default=1, help_text="1 unless the report exists.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReportFilter(django_filters.FilterSet):
    directive = IdFilter(field_name="assignment__task__directive_id")
    task = IdFilter(field_name="assignment__task_id")
    unit = IdFilter(field_name="assignment__unit_id")
    assignment = IdFilter(field_name="assignment_id")
    period = IdFilter(field_name="period_id")
    period_key = django_filters.CharFilter(field_name="period__key")
    state = django_filters.MultipleChoiceFilter(choices=ReportState.choices)
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ProgressReport
        fields = ["directive", "task", "unit", "assignment", "period", "period_key", "state", "updated_since"]


def _form_data(report, sent, indicators):
    """The page's form data: the saved report with what was sent over it."""
    data = {name: sent.get(name, getattr(report, name)) for name in REPORT_FIELDS}
    saved = {v.indicator_id: v.value for v in report.indicator_values.all()} if report.pk else {}
    by_indicator = {row["indicator"]: row["value"] for row in sent.get("indicator_values", [])}
    unknown = set(by_indicator) - {indicator.pk for indicator in indicators}
    if unknown:
        raise exceptions.ValidationError(
            {"indicator_values": [_("This task has no indicator %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]}
        )
    for indicator in indicators:
        value = by_indicator.get(indicator.pk, saved.get(indicator.pk))
        if value is not None and indicator.kind == "yes_no":
            value = "1" if value else "0"
        elif value is not None and value == int(value):
            value = int(value)  # "3", as the form would get it, not "3.00"
        data[f"indicator_{indicator.pk}"] = "" if value is None else str(value)
    data["expected_version"] = sent["expected_version"]
    return data


def _validated_form(report, sent):
    indicators = list(report.assignment.task.indicators.all())
    form = ReportForm(_form_data(report, sent, indicators), instance=report, indicators=indicators)
    if not form.is_valid():
        raise form_invalid(form, rename=_api_field)
    return form


def _api_field(name):
    return f"indicator_values.{name.removeprefix('indicator_')}" if name.startswith("indicator_") else name


def _save(report, form, user):
    try:
        return report_save(
            report=report,
            by=user,
            data=form.report_data(),
            indicator_values=form.indicator_values(),
            expected_version=form.cleaned_data["expected_version"],
        )
    except EditConflict as conflict:
        raise Conflict(conflict.current.version) from None
    except PermissionDenied:
        raise exceptions.PermissionDenied(_("You may not change this report (any longer).")) from None


def _transition_view(step):
    def transition(self, request, pk=None):
        report = report_or_404(request.user, pk)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = ReasonForm({"reason": serializer.validated_data["reason"]})
        if not form.is_valid():
            raise exceptions.ValidationError({"reason": form.errors["reason"]})
        try:
            report = report_transition(report=report, action=step, by=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            raise exceptions.NotFound() from None
        return Response(ReportSerializer(_reread(report), context=self.get_serializer_context()).data)

    transition.__name__ = f"action_{step}"
    transition.__doc__ = f"Workflow action “{step}” ({TransitionAction(step).label}), under the pages' rules."
    decorated = extend_schema(
        request=ReasonSerializer, responses={200: ReportSerializer}, operation_id=f"reports_{step}"
    )(transition)
    return action(detail=True, methods=["post"], url_path=step, url_name=step)(decorated)


def _reread(report):
    return report_queryset().get(pk=report.pk)


def report_queryset():
    return ProgressReport.objects.select_related(
        "assignment__task", "assignment__unit", "assignment__reviewing_unit", "period"
    ).prefetch_related(Prefetch("indicator_values", queryset=IndicatorValue.objects.order_by("indicator_id")))


class ReportViewSet(mixins.ListModelMixin, ViewSet):
    # Newest first by a cursor (api/pagination.py): national lists hold millions of reports.
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = KeysetPagination

    def get_queryset(self):
        queryset = report_queryset().order_by("-pk")
        return readable_reports(self.request.user, queryset)

    def retrieve(self, request, pk=None):
        report = _reread(report_or_404(request.user, pk))
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=ReportCreateSerializer, responses={200: ReportSerializer, 201: ReportSerializer})
    def create(self, request):
        """Starts (or saves) the report an assignment owes for a period, as the
        first save on the page does: checked against version 1 when it exists."""
        sent = ReportCreateSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        assignment = assignment_or_404(request.user, sent.validated_data["assignment"])
        period = period_of_assignment_or_404(assignment, sent.validated_data["period"])
        if not request.user.has_perm("reports.start_report", assignment):
            raise exceptions.PermissionDenied(_("You may not write this unit's reports."))
        existing = ProgressReport.objects.filter(assignment=assignment, period=period).first()
        blank = existing or ProgressReport(assignment=assignment, period=period)
        form = _validated_form(blank, sent.validated_data)
        report = report_start(assignment=assignment, period=period, by=request.user)
        report = _save(report, form, request.user)
        answer = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(ReportSerializer(_reread(report), context=self.get_serializer_context()).data, status=answer)

    @extend_schema(request=ReportWriteSerializer, responses={200: ReportSerializer})
    def partial_update(self, request, pk=None):
        """Saves a draft (or a returned report, or one awaiting sign-off) if
        nobody saved it since ``expected_version``; otherwise 409 with
        ``current_version`` and nothing changed."""
        report = report_or_404(request.user, pk)
        sent = ReportWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        form = _validated_form(report, sent.validated_data)
        report = _save(report, form, request.user)
        return Response(ReportSerializer(_reread(report), context=self.get_serializer_context()).data)


for _step in TRANSITIONS:
    setattr(ReportViewSet, f"action_{_step}", _transition_view(str(_step)))
