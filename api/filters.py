"""Filter fields shared by the lists: ids in ASCII digits only (reports/params.py)."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from reports.params import parse_id


class IdField(forms.Field):
    default_error_messages = {"invalid": _("Give an id in digits.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """An id filter: ``?unit=12`` (400 for anything but an id in ASCII digits)."""

    field_class = IdField


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    def __init__(self, field_name="updated_at", **kwargs):
        kwargs.setdefault("label", _("Changed at or after (ISO 8601 date and time)"))
        super().__init__(field_name=field_name, lookup_expr="gte", **kwargs)

    def filter(self, qs, value):
        # ISO 8601 allows offsets PostgreSQL refuses (it takes ±15:59; "+20:00" was a 500):
        # the moment goes to the database in UTC, and one beyond the calendar is its end.
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except OverflowError:
                edge = datetime.datetime.min if value.year == datetime.MINYEAR else datetime.datetime.max
                value = edge.replace(tzinfo=datetime.UTC)
        return super().filter(qs, value)
