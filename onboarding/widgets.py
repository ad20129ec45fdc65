"""Cells of the organisation workbook read and written the way an office
types them: choices by their Vietnamese label (or code), dates as dd/mm/yyyy
or real date cells, yes/no as "có"/"không", related rows by their code. Every
error says, in Vietnamese, what is wrong with the cell."""

import datetime
import re

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

YES = {"có", "co", "x", "1", "true", "yes", "đúng"}
NO = {"không", "khong", "0", "false", "no", "", "sai"}


def _plain(value):
    return "" if value is None else str(value).strip()


class ChoiceWidget(widgets.Widget):
    """A choice by its label in Vietnamese or English, or by its stored value."""

    def __init__(self, choices, *, integer=False):
        self.choices = choices
        self.integer = integer
        super().__init__()

    def _lookup(self):
        if getattr(self, "_table", None) is None:
            self._table = self._build()
        return self._table

    def _build(self):
        table = {}
        for value, label in self.choices.choices:
            table[str(value).casefold()] = value
            for language in ("vi", "en"):
                with translation.override(language):
                    name = str(label).casefold()
                table[name] = value
                # "Cấp huyện" may be written "Huyện"; "Chủ trì (chủ trì)" as "Chủ trì".
                table[name.removeprefix("cấp ")] = value
                table[name.split(" (")[0]] = value
        return table

    def clean(self, value, row=None, **kwargs):
        text = _plain(value)
        if not text:
            return None
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        found = self._lookup().get(text.casefold())
        if found is None:
            with translation.override("vi"):
                allowed = ", ".join(str(label) for _value, label in self.choices.choices)
            raise ValueError(_("“%(value)s” is not in the list: %(allowed)s.") % {"value": text, "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        if getattr(self, "_labels", None) is None:
            with translation.override("vi"):
                self._labels = {choice: str(label) for choice, label in self.choices.choices}
        return self._labels[self.choices(value)]


class DateWidget(widgets.Widget):
    FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
    # dd/mm/yyyy, as the export writes it, without strptime's cost (a tenth of a national check).
    USUAL = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _plain(value)
        if not text:
            return None
        usual = self.USUAL.fullmatch(text)
        if usual:
            try:
                return datetime.date(int(usual[3]), int(usual[2]), int(usual[1]))
            except ValueError:
                pass  # 31/02/2025: the message below
        for pattern in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date (write dd/mm/yyyy).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class YesNoWidget(widgets.Widget):
    def __init__(self, *, default=True):
        self.default = default
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _plain(value).casefold()
        if not text:
            return self.default
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("“%(value)s”: write “có” or “không”.") % {"value": _plain(value)})

    def render(self, value, obj=None, **kwargs):
        return "có" if value else "không"


class CodeWidget(widgets.ForeignKeyWidget):
    """A related row by its natural key, with a Vietnamese message when there is none."""

    def __init__(self, model, field, message):
        self.message = message
        super().__init__(model, field)

    def clean(self, value, row=None, **kwargs):
        text = _plain(value)
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not text:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: text})
        except self.model.DoesNotExist:
            raise ValueError(self.message % {"value": text}) from None


class TextWidget(widgets.CharWidget):
    """Text as typed, without the surrounding spaces; numbers typed in a text
    column (a code "12") keep no ".0"."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return _plain(value)
