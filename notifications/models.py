from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REPORT_SENT_TO_HEAD = "report_sent_to_head", _("A report awaits your sign-off")
    REPORT_SENT_BACK = "report_sent_back", _("A report was sent back to you")
    REPORT_RETURNED = "report_returned", _("A report was returned")
    REPORT_ACCEPTED = "report_accepted", _("A report was accepted")
    REPORT_REOPENED = "report_reopened", _("A report was reopened")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Notification(models.Model):
    """An item in a user's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
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
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return str(self.get_kind_display())

    def get_absolute_url(self):
        return reverse("report_detail", args=[self.report_id]) if self.report_id else reverse("notification_list")
