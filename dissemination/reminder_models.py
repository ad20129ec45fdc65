"""The dissemination reminders' ledger: one row per (directive, unit, what is
owed, kind, offset), sent exactly once by ``reminders.ledger.ledger_claim``
like the report reminders (imported by ``dissemination.models``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from reminders.models import LedgerRow
from tracker.text import NormalizedCharField


class OwedThing(models.TextChoices):
    PLAN = "plan", _("Implementing plan")
    CELL = "cell", _("Party cell's confirmation")


class DisseminationReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalated to the committee above")
    ESCALATION_UP = "escalation_up", _("Escalated to the committee above that")


class DisseminationReminder(LedgerRow):
    """For a committee's plan (``unit`` is the committee) or a Party cell's
    confirmation (``unit`` is the cell). Reminders go to the unit itself (the
    cell's secretary, the committee's staff); escalations to the committee
    above (the grassroots committee of a cell) and then to the one above that
    (the district-level committee)."""

    directive = models.ForeignKey(
        "directives.Directive",
        on_delete=models.CASCADE,
        related_name="dissemination_reminders",
        verbose_name=_("directive"),
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="dissemination_reminders", verbose_name=_("unit")
    )
    owed = NormalizedCharField(_("what is owed"), max_length=8, choices=OwedThing.choices)
    kind = NormalizedCharField(_("kind"), max_length=16, choices=DisseminationReminderKind.choices)
    offset = models.IntegerField(_("offset in days"), help_text=_("Days before the due date, or days overdue."))

    class Meta:
        verbose_name = _("dissemination reminder")
        verbose_name_plural = _("dissemination reminders")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "unit", "owed", "kind", "offset"], name="unique_dissemination_reminder"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="diss_reminder_status_due")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_owed_display()} · {self.unit}"
