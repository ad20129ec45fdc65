"""Assignments (a task given to a unit) and reporting periods."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.access import readable_assignments
from api.filters import IdFilter, UpdatedSinceFilter
from api.v1.base import ReadOnlyViewSet, ViewSet
from reports.access import assignment_or_404
from reports.models import Assignment, ReportingPeriod
from reports.overview import my_work


class AssignmentSerializer(serializers.ModelSerializer):
    directive = serializers.IntegerField(source="task.directive_id", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "task", "directive", "unit", "role", "responsible_person", "work", "deadline",
                  "expected_result", "accountable_official", "reviewing_unit", "schedule", "updated_at"]  # fmt: skip


class AssignmentFilter(django_filters.FilterSet):
    directive = IdFilter(field_name="task__directive_id")
    task = IdFilter(field_name="task_id")
    unit = IdFilter(field_name="unit_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Assignment
        fields = ["directive", "task", "unit", "role", "updated_since"]


class AssignmentViewSet(ReadOnlyViewSet):
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self):
        queryset = Assignment.objects.select_related("task").order_by("pk")
        return readable_assignments(self.request.user, queryset)

    def get_object(self):
        return assignment_or_404(self.request.user, self.kwargs["pk"])


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "schedule", "kind", "key", "label", "starts_on", "ends_on", "due_on"]


class PeriodFilter(django_filters.FilterSet):
    schedule = IdFilter(field_name="schedule_id")
    directive = IdFilter(method="filter_directive", label="directive id")
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ReportingPeriod
        fields = ["schedule", "directive", "kind", "key", "due_from", "due_to"]

    def filter_directive(self, queryset, name, value):
        schedules = Assignment.objects.filter(task__directive_id=value).values("schedule_id")
        return queryset.filter(schedule_id__in=schedules)


class PeriodViewSet(ReadOnlyViewSet):
    """Reporting periods: reference data every signed-in user reads."""

    queryset = ReportingPeriod.objects.order_by("due_on", "pk")
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter


class DueSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    task = serializers.IntegerField()
    directive = serializers.IntegerField()
    unit = serializers.IntegerField()
    period = serializers.IntegerField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    overdue = serializers.BooleanField()
    report = serializers.IntegerField(allow_null=True)
    state = serializers.CharField(help_text="A report state, or not_started.")
    version = serializers.IntegerField(help_text="The version to send with the next save (1 before the first).")


class DueViewSet(ViewSet):
    """What the user's units owe now: every overdue report and the current
    period's, as on the "my work" page."""

    serializer_class = DueSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return Assignment.objects.none()

    @extend_schema(responses=DueSerializer(many=True))
    def list(self, request):
        _memberships, groups, _periods = my_work(request.user, timezone.localdate())
        rows = [
            {
                "assignment": row.assignment.pk,
                "task": row.assignment.task_id,
                "directive": row.assignment.task.directive_id,
                "unit": row.assignment.unit_id,
                "period": row.period.pk if row.period else None,
                "due_on": row.period.due_on if row.period else None,
                "days_left": row.days_left,
                "overdue": row.is_overdue,
                "report": row.report.pk if row.report else None,
                "state": row.state,
                "version": row.report.version if row.report else 1,
            }
            for group in groups
            for row in group.rows
        ]
        return Response(DueSerializer(rows, many=True).data)
