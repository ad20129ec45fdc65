"""The follow-up register's reminder ledger and its import audit trail
(issue #15 items 4 and 5), imported by followups/models.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reminders.models import LedgerRow
from reports.storage import private_storage
from tracker.text import NormalizedCharField, NormalizedTextField


class FollowUpReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Follow-up item due soon")
    OVERDUE = "overdue", _("Follow-up item overdue")
    ESCALATION = "escalation", _("Unit keeps ignoring a follow-up item")


class FollowUpReminder(LedgerRow):
    """The ledger: one row per (item, kind, offset) whatever the retries,
    restarts or parallel sweeps; sent by a conditional update from pending to
    sent in the same transaction as its notifications (reminders.ledger)."""

    item = models.ForeignKey(
        "followups.FollowUpItem", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("item")
    )
    kind = NormalizedCharField(_("kind"), max_length=16, choices=FollowUpReminderKind.choices)
    offset = models.IntegerField(_("offset in days"), help_text=_("Days before the due date, or days overdue."))

    class Meta:
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "offset"], name="unique_followup_reminder"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="followup_reminder_pending")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.item_id}"


class ItemImportState(models.TextChoices):
    CHECKED = "checked", _("Checked, waiting for confirmation")
    REFUSED = "refused", _("Has errors, nothing imported")
    APPLIED = "applied", _("Imported")


class ItemImport(models.Model):
    """One upload of a follow-up items workbook: who sent which file, what the
    check found and whether it was imported. The audit trail of imports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="followups/imports/", max_length=255)
    filename = NormalizedCharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    state = NormalizedCharField(_("state"), max_length=10, choices=ItemImportState.choices)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = NormalizedTextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up items import")
        verbose_name_plural = _("follow-up items imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} · {self.created_at:%d/%m/%Y %H:%M}"
