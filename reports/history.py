"""The audit trail of a report or an assignment, from django-simple-history,
as rows a template can show: when, who, what changed from what to what."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

HIDDEN_FIELDS = {"version", "updated_at", "created_at"}
KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


@dataclass
class HistoryEntry:
    at: object
    user: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)


def _display(record, field_name, value):
    model_field = record.instance_type._meta.get_field(field_name)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    return value


def history_entries(records):
    """Entries newest first; ``records`` are one object's history rows."""
    records = list(records)
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = newer.instance_type._meta.get_field(change.field).verbose_name
                changes.append(
                    (label, _display(newer, change.field, change.old), _display(newer, change.field, change.new))
                )
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                newer.history_date,
                newer.history_user,
                KINDS.get(newer.history_type, ""),
                newer.history_change_reason or "",
                changes,
            )
        )
    return entries


def report_history(report):
    return history_entries(report.history.select_related("history_user").order_by("-history_date", "-history_id"))


def assignment_history(assignment):
    return history_entries(assignment.history.select_related("history_user").order_by("-history_date", "-history_id"))
