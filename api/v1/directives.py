"""Directives, their tasks and their indicators: what every signed-in user
reads on the pages (the text units report against)."""

import django_filters
from rest_framework import serializers

from api.filters import IdFilter
from api.v1.base import ReadOnlyViewSet
from directives.models import Directive, Indicator, Task


class DirectiveSerializer(serializers.ModelSerializer):
    short_label = serializers.CharField(read_only=True)

    class Meta:
        model = Directive
        fields = ["id", "code", "number", "kind", "title", "short_title", "short_label", "subject", "signed_on",
                  "term", "term_ends_on", "status", "issuing_unit"]  # fmt: skip


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "directive", "number", "title", "text"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "task", "code", "name", "unit_of_measure", "kind", "aggregation", "position"]


class DirectiveViewSet(ReadOnlyViewSet):
    queryset = Directive.objects.order_by("pk")
    serializer_class = DirectiveSerializer
    filterset_fields = ["status"]


class TaskFilter(django_filters.FilterSet):
    directive = IdFilter(field_name="directive_id")

    class Meta:
        model = Task
        fields = ["directive"]


class TaskViewSet(ReadOnlyViewSet):
    queryset = Task.objects.order_by("directive_id", "number")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter


class IndicatorFilter(django_filters.FilterSet):
    task = IdFilter(field_name="task_id")
    directive = IdFilter(field_name="task__directive_id")

    class Meta:
        model = Indicator
        fields = ["task", "directive"]


class IndicatorViewSet(ReadOnlyViewSet):
    queryset = Indicator.objects.order_by("task_id", "position", "pk")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
