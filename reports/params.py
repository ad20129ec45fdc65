"""Ids read from a query string or a form: ASCII digits only.

Python's ``int()`` and ``str.isdigit()`` accept other scripts' digits
(``int("١٢") == 12``, ``"²".isdigit()``), so an id written that way would be
read as a number or break a query. Here an id is ``[0-9]+`` within the
database's bigint range and nothing else: anything else names no row."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from tracker.converters import MAX_ID

ASCII_ID = re.compile(r"[0-9]+", re.ASCII)


def parse_id(value) -> int | None:
    """The id ``value`` spells, or None when it is not ASCII digits or is
    beyond any row's id."""
    if not isinstance(value, str) or not ASCII_ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def query_id(query, name) -> int | None:
    """The id in ``query[name]``: None when absent or empty; 404 when it is not
    an id in ASCII digits or is too large to name any row (such a query names
    nothing there is)."""
    value = query.get(name, "")
    if value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


def ids_from(values) -> list[int]:
    """The values that are ids; anything else is left out."""
    return [number for value in values if (number := parse_id(value)) is not None]


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses ids not written in ASCII digits (Django's
    would read ``١٢`` as 12) or too large for the database; what is not
    text (an initial value, a model instance) is Django's to read."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str) and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)
