"""Units: the organisation, with validity dates and successions; ``?under=``
for a subtree, ``?on=`` for the tree as it stood on a date."""

import contextlib
import datetime

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.access import readable_units
from api.v1.base import ReadOnlyViewSet
from units.models import Unit, UnitSuccession


def unit_parents_on(day: datetime.date | None, unit_ids=None) -> dict:
    """{unit id: parent id} as the tree stood on ``day`` (today's tree when
    None), for ``unit_ids`` (every unit when None).

    Units have one parent for now; when units get dated parents this one
    function reads the placement valid on ``day`` instead."""
    units = Unit.objects.without_tree_fields()
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return dict(units.values_list("pk", "parent_id"))


def units_open_on(queryset, day: datetime.date):
    """The units that existed on ``day`` (validity dates inclusive)."""
    return queryset.open_on(day)


class SuccessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitSuccession
        fields = ["predecessor", "successor", "kind", "effective_on", "note"]


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(help_text=_("The parent unit's id (on the date asked for, with on=)."))
    successions = SuccessionSerializer(source="succession_to", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "level", "parent", "valid_from", "valid_to",
                  "requires_signoff", "successions"]  # fmt: skip

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, unit):
        parents = self.context.get("parents")
        return parents.get(unit.pk, unit.parent_id) if parents is not None else unit.parent_id


class UnitFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(method="filter_under", label=_("Code of a unit: it and every unit below it"))
    on = django_filters.DateFilter(method="filter_on", label=_("Only the units open on this date (YYYY-MM-DD)"))
    code = django_filters.CharFilter(field_name="code")

    class Meta:
        model = Unit
        fields = ["level", "kind", "code"]

    def filter_under(self, queryset, name, value):
        top = Unit.objects.without_tree_fields().filter(code=value).first()
        if top is None:
            return queryset.none()
        day = self.form.cleaned_data.get("on")
        parents = unit_parents_on(day)
        below, wanted = {}, {top.pk}
        for pk, parent in parents.items():
            below.setdefault(parent, []).append(pk)
        stack = [top.pk]
        while stack:
            children = below.get(stack.pop(), [])
            wanted.update(children)
            stack.extend(children)
        return queryset.filter(pk__in=wanted)

    def filter_on(self, queryset, name, value):
        return units_open_on(queryset, value)


class UnitViewSet(ReadOnlyViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        units = Unit.objects.without_tree_fields().order_by("level", "name", "pk")
        units = units.prefetch_related(Prefetch("succession_to", queryset=UnitSuccession.objects.order_by("pk")))
        return readable_units(self.request.user, units)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        day = self.request.query_params.get("on")
        if day and self.action == "list":
            with contextlib.suppress(ValueError):  # the filter refuses it with a 400
                context["parents"] = unit_parents_on(datetime.date.fromisoformat(day))
        return context
