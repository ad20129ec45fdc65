from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.text import NormalizedCharField, NormalizedTextField


class NotificationKind(models.TextChoices):
    REPORT_SENT_TO_HEAD = "report_sent_to_head", _("A report awaits your sign-off")
    REPORT_SENT_BACK = "report_sent_back", _("A report was sent back to you")
    REPORT_SUBMITTED = "report_submitted", _("A report was submitted for review")
    REPORT_RETURNED = "report_returned", _("A report was returned")
    REPORT_ACCEPTED = "report_accepted", _("A report was accepted")
    REPORT_REOPENED = "report_reopened", _("A report was reopened")
    REMINDER_DUE_SOON = "reminder_due_soon", _("A report is due soon")
    REMINDER_OVERDUE = "reminder_overdue", _("A report is overdue")
    REMINDER_ESCALATION = "reminder_escalation", _("A unit keeps ignoring reminders")
    REMINDER_REVIEW_WAITING = "reminder_review_waiting", _("A report waits for review")
    # The follow-up register (followups/): the item is reached through ``link``.
    FOLLOWUP_ADDRESSED = "followup_addressed", _("A follow-up item was addressed to your unit")
    FOLLOWUP_DIRECTION = "followup_direction", _("A direction was addressed to your unit")
    FOLLOWUP_SENT_TO_HEAD = "followup_sent_to_head", _("A follow-up response awaits your sign-off")
    FOLLOWUP_SENT_BACK = "followup_sent_back", _("A follow-up response was sent back to you")
    FOLLOWUP_REPORTED = "followup_reported", _("A follow-up item awaits your verification")
    FOLLOWUP_RETURNED = "followup_returned", _("A follow-up item was returned")
    FOLLOWUP_ACCEPTED = "followup_accepted", _("A follow-up item was accepted")
    FOLLOWUP_DUE_SOON = "followup_due_soon", _("A follow-up item is due soon")
    FOLLOWUP_OVERDUE = "followup_overdue", _("A follow-up item is overdue")
    FOLLOWUP_ESCALATION = "followup_escalation", _("A unit keeps ignoring a follow-up item")
    # Dissemination (dissemination/): the plan or the cell's page is reached through ``link``.
    DISSEMINATION_DUE = "dissemination_due", _("A directive's implementing plan or dissemination is due")
    DISSEMINATION_ESCALATION = "dissemination_escalation", _("A unit has not yet disseminated a directive")


# Escalations reach heads and the office however they chose to receive e-mail.
ALWAYS_INDIVIDUAL = {
    NotificationKind.REMINDER_ESCALATION,
    NotificationKind.FOLLOWUP_ESCALATION,
    NotificationKind.DISSEMINATION_ESCALATION,
}


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    DIGEST = "digest", _("In the next daily digest")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be delivered")
    NONE = "none", _("No e-mail")


class EmailMode(models.TextChoices):
    INDIVIDUAL = "individual", _("One e-mail per notification")
    DIGEST = "digest", _("One daily digest")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Notification(models.Model):
    """An item in a user's in-app inbox."""

    # No index of its own: the (recipient, read at) index leads with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    kind = NormalizedCharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    report = models.ForeignKey(
        "reports.ProgressReport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("report"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    assignment = models.ForeignKey(
        "reports.Assignment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("assignment"),
    )
    period = models.ForeignKey(
        "reports.ReportingPeriod",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("period"),
    )
    # Where the item leads when it is about something other than a report
    # (a dissemination plan, a cell's confirmation, a follow-up item): a path.
    link = NormalizedCharField(_("link"), max_length=300, blank=True)
    reason = NormalizedTextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when what the item asked for was done, by its recipient or anyone else.
    done_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    email_status = NormalizedCharField(
        _("e-mail"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_next_attempt_at = models.DateTimeField(_("next e-mail attempt"), null=True, blank=True)
    in_digest = models.BooleanField(_("in the daily digest"), default=False)
    email_error = NormalizedTextField(_("last e-mail error"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_status", "created_at"]),
        ]

    def __str__(self):
        return str(self.get_kind_display())

    def get_absolute_url(self):
        if self.link:
            return self.link
        if self.report_id:
            return reverse("report_detail", args=[self.report_id])
        if self.assignment_id and self.period_id:
            return reverse("report_for_period", args=[self.assignment_id, self.period_id])
        return reverse("notification_list")

    @property
    def reason_label(self):
        """What the ``reason`` text is to its reader: a new follow-up item or
        direction carries the item's own text, anything else the actor's reason."""
        if self.kind in (NotificationKind.FOLLOWUP_ADDRESSED, NotificationKind.FOLLOWUP_DIRECTION):
            return _("Content")
        return _("Reason")


class EmailAttempt(models.Model):
    """Every try to e-mail a notification, with the error if it failed."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="email_attempt_log", verbose_name=_("notification")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"))
    permanent = models.BooleanField(_("permanent failure"), default=False)
    error = NormalizedTextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("e-mail attempt")
        verbose_name_plural = _("e-mail attempts")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.notification} · {self.at:%d/%m/%Y %H:%M}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_mode = NormalizedCharField(
        _("how to receive e-mails"), max_length=16, choices=EmailMode.choices, default=EmailMode.INDIVIDUAL
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user} · {self.get_email_mode_display()}"
