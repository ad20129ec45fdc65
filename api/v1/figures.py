"""The dashboard's figures for a selection (directive, periods, unit) as JSON:
the same selection (dashboard/selection.py), the same figures (the tallies
when they answer, else computed live) and the same right (the province-wide
roles) as the dashboard page."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard.measures import MEASURES, Category
from dashboard.selection import selection_from
from dashboard.tally_figures import tally_dashboard
from dashboard.top_rows import too_large_to_compute


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    awaiting = serializers.IntegerField()
    accepted = serializers.IntegerField()
    returned = serializers.IntegerField()


class BlockSerializer(serializers.Serializer):
    counts = CountsSerializer()
    reporting_rate = serializers.FloatField(allow_null=True, help_text="Received ÷ expected, in %.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="On time ÷ expected, in %.")
    progress = serializers.FloatField(allow_null=True, help_text="Weighted average progress, in %.")
    categories = serializers.DictField(child=serializers.IntegerField(), help_text=", ".join(Category.values))


class TaskBlockSerializer(BlockSerializer):
    task = serializers.IntegerField()
    number = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer):
    period_key = serializers.CharField()
    label = serializers.CharField()
    reporting_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)


class FiguresSerializer(serializers.Serializer):
    directive = serializers.IntegerField()
    start = serializers.CharField()
    end = serializers.CharField()
    periods = serializers.ListField(child=serializers.IntegerField(), help_text="The periods of the range (ids).")
    unit = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateField()
    from_tallies = serializers.BooleanField()
    total = BlockSerializer()
    tasks = TaskBlockSerializer(many=True)
    series = SeriesSerializer(many=True)


def _number(value):
    return None if value is None else float(value) if isinstance(value, Decimal) else value


def _block(block):
    return {
        "counts": {name: getattr(block.counts, name) for name in MEASURES},
        "reporting_rate": _number(block.counts.reporting_rate),
        "on_time_rate": _number(block.counts.on_time_rate),
        "progress": _number(block.progress.value),
        "categories": dict(block.taxonomy.counts),
    }


def figures_data(selection, figures, *, from_tallies):
    return {
        "directive": selection.directive.pk,
        "start": selection.start,
        "end": selection.end,
        "periods": [period.pk for period in selection.periods],
        "unit": selection.unit.pk if selection.unit else None,
        "as_of": selection.as_of,
        "from_tallies": from_tallies,
        "total": _block(figures.total),
        "tasks": [{"task": item.task.pk, "number": item.task.number, **_block(item.block)} for item in figures.by_task],
        "series": [
            {
                "period_key": point.period.key,
                "label": str(point.period.label),
                "reporting_rate": _number(point.reporting_rate),
                "on_time_rate": _number(point.on_time_rate),
                "progress": _number(point.progress),
            }
            for point in figures.series
        ],
    }


class FiguresView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("directive", OpenApiTypes.INT, description="Directive id (default: the dashboard's)."),
            OpenApiParameter("start", OpenApiTypes.STR, description="First period key, e.g. 2025-H1."),
            OpenApiParameter("end", OpenApiTypes.STR, description="Last period key."),
            OpenApiParameter("unit", OpenApiTypes.INT, description="Only this unit's subtree."),
        ],
        responses=FiguresSerializer,
        operation_id="figures_retrieve",
    )
    def get(self, request):
        """The figures the dashboard shows for the selection."""
        if not request.user.has_perm("dashboard.view_dashboard"):
            raise exceptions.PermissionDenied(_("The dashboard's figures are for the province-wide roles."))
        selection = selection_from(request._request)
        if selection is None:
            raise exceptions.NotFound(_("No directive has reporting periods yet."))
        tallied = tally_dashboard(selection)
        if tallied is None and selection.unit is None and too_large_to_compute(selection.directive):
            # Being recalculated after a change: the last tallies, as the dashboard shows them.
            tallied = tally_dashboard(selection, allow_stale=True)
        figures = tallied[0] if tallied else selection.figures()
        return Response(figures_data(selection, figures, from_tallies=tallied is not None))
