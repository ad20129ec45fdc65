"""Text as typed, but normalised: every character and text field of our models
stores Unicode NFC with "\\n" line ends, and free text has a maximum length.

Why here, at the model field, and not in forms or a pre_save signal:
- a form-level cleaner covers only the forms that use it, not the services,
  management commands, imports or the shell;
- a pre_save signal covers ``Model.save()`` but not ``bulk_create``,
  ``bulk_update`` or ``QuerySet.update`` (django-import-export's ``use_bulk``,
  the demo data), nor the values a lookup compares with;
- the field is what every path to the database goes through: ``to_python``
  for forms, the admin and ``full_clean`` (so a length is counted after
  normalisation), ``pre_save`` for ``save`` and ``bulk_create`` (the instance
  holds what was stored), ``get_prep_value`` for ``update``, ``bulk_update``
  and exact lookups (a name looked up in decomposed form still matches).

The fields describe themselves to migrations as Django's own CharField and
TextField: the database column is the same, so no migration changes, and the
limit is read from the settings when a value is validated. Django's user and
group models, which cannot use these fields, are normalised on save by
``normalize_text_fields`` (connected in units/apps.py).
"""

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


def normalize_text(value):
    """NFC, with Windows and old Mac line ends made "\\n"; anything but a
    string is returned as it is."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _number(value):
    return number_format(value, force_grouping=True)


class MaxCharsValidator:
    """At most ``limit`` characters (a number or the name of a setting read at
    validation time), counted on the normalised text, with a message that
    says both lengths."""

    message = _(
        "This text has %(length)s characters; the limit is %(limit)s. "
        "Shorten it and save again: what you typed is still here."
    )
    code = "max_chars"

    def __init__(self, limit):
        self.limit = limit

    def limit_value(self):
        return getattr(settings, self.limit) if isinstance(self.limit, str) else self.limit

    def __call__(self, value):
        limit, length = self.limit_value(), len(normalize_text(value))
        if length > limit:
            raise ValidationError(
                self.message, code=self.code, params={"length": _number(length), "limit": _number(limit)}
            )

    def __eq__(self, other):
        return isinstance(other, MaxCharsValidator) and self.limit == other.limit


class NormalizedFormField(forms.CharField):
    """A form's text field that normalises before it validates, so a length is
    counted on what will be stored. ``max_chars`` refuses longer text with a
    message, without the ``maxlength`` attribute (a browser would silently cut
    pasted text at it, and counts line ends differently)."""

    def __init__(self, *, max_chars=None, **kwargs):
        super().__init__(**kwargs)
        self.max_chars = max_chars
        if max_chars is not None:
            self.validators.append(MaxCharsValidator(max_chars))

    def to_python(self, value):
        return normalize_text(super().to_python(normalize_text(value)))


class _Normalized:
    limit_setting = None  # the setting holding the maximum length, if any
    base_path = ""

    def to_python(self, value):
        return normalize_text(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalize_text(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", NormalizedFormField)
        if self.limit_setting and kwargs["form_class"] is NormalizedFormField:
            kwargs.setdefault("max_chars", self.limit_setting)
        return super().formfield(**kwargs)

    def deconstruct(self):
        # Migrations see Django's field: same column, nothing to migrate.
        name, _path, args, kwargs = super().deconstruct()
        return name, self.base_path, args, kwargs


class NormalizedCharField(_Normalized, models.CharField):
    """A CharField stored in NFC (its max_length counts the normalised text)."""

    base_path = "django.db.models.CharField"


class NormalizedTextField(_Normalized, models.TextField):
    """Free text stored in NFC, at most ``TEXT_MAX_CHARS`` characters."""

    base_path = "django.db.models.TextField"
    limit_setting = "TEXT_MAX_CHARS"
    default_validators = [MaxCharsValidator("TEXT_MAX_CHARS")]


class DocumentTextField(NormalizedTextField):
    """The full text of a whole document (a directive pasted in), at most
    ``DOCUMENT_TEXT_MAX_CHARS`` characters."""

    limit_setting = "DOCUMENT_TEXT_MAX_CHARS"
    default_validators = [MaxCharsValidator("DOCUMENT_TEXT_MAX_CHARS")]


def normalize_text_fields(sender, instance, **kwargs):
    """A pre_save receiver for the models that are not ours (Django's user
    and group): their character and text fields normalised as ours are."""
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, normalize_text(value))
