"""The audit trail of a report or an assignment, from django-simple-history,
as rows a template can show and a person can read: when (local time), who (by
name), what changed from what to what (choices by their labels, people and
units by their names, dates as dd/mm/yyyy), and which files were attached or
removed."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Bookkeeping, and the time a state began (the entry's own time says it).
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "state_changed_at"}
KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class HistoryEntry:
    at: object
    user: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)
    files_added: list = field(default_factory=list)
    files_removed: list = field(default_factory=list)


def person_name(user):
    return (user.get_full_name() or user.username) if user is not None else ""


def _format(model_field, value, related):
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.ForeignKey):
        target = related.get(model_field.related_model, {}).get(value)
        if target is None:
            return _("(deleted, no. %(id)s)") % {"id": value}
        return person_name(target) if hasattr(target, "get_full_name") else str(target)
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    return value


def _related_objects(pending):
    """The people, units, ... the changes point at, one query per model."""
    return {model: model._default_manager.in_bulk(ids) for model, ids in pending.items() if ids}


def history_entries(records):
    """Entries newest first; ``records`` are one object's history rows."""
    records = list(records)
    raw = []
    pending = defaultdict(set)
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                model_field = newer.instance_type._meta.get_field(change.field)
                if isinstance(model_field, models.ForeignKey):
                    pending[model_field.related_model].update(v for v in (change.old, change.new) if v is not None)
                changes.append((model_field, change.old, change.new))
            if not changes:
                continue
        raw.append((newer, changes))
    related = _related_objects(pending)
    return [
        HistoryEntry(
            newer.history_date,
            newer.history_user,
            KINDS.get(newer.history_type, ""),
            newer.history_change_reason or "",
            [
                (model_field.verbose_name, _format(model_field, old, related), _format(model_field, new, related))
                for model_field, old, new in changes
            ],
        )
        for newer, changes in raw
    ]


def _attachment_entries(report):
    """One entry per file attached or removed. Files attached before their
    history was kept are shown from their own upload time and uploader."""
    from reports.models import Attachment

    rows = list(
        Attachment.history.filter(report_id=report.pk, history_type__in=("+", "-"))
        .select_related("history_user")
        .order_by("history_date")
    )
    recorded = {row.id for row in rows if row.history_type == "+"}
    entries = [
        HistoryEntry(
            row.history_date,
            row.history_user,
            KINDS["~"],
            "",
            files_added=[row.original_name] if row.history_type == "+" else [],
            files_removed=[row.original_name] if row.history_type == "-" else [],
        )
        for row in rows
    ]
    for attachment in report.attachments.select_related("uploaded_by").exclude(pk__in=recorded):
        entries.append(
            HistoryEntry(
                attachment.uploaded_at, attachment.uploaded_by, KINDS["~"], "", files_added=[attachment.original_name]
            )
        )
    return entries


def report_history(report):
    entries = history_entries(report.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries += _attachment_entries(report)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def assignment_history(assignment):
    return history_entries(assignment.history.select_related("history_user").order_by("-history_date", "-history_id"))
