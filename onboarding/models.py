import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.storage import private_storage
from tracker.text import NormalizedCharField, NormalizedTextField


class ImportState(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    REFUSED = "refused", _("Has errors, nothing imported")
    APPLYING = "applying", _("Being imported")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One upload of the organisation workbook: who sent which file, what the
    check found, and whether it was imported. The audit trail of imports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="imports/", max_length=255)
    filename = NormalizedCharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    state = NormalizedCharField(_("state"), max_length=10, choices=ImportState.choices, default=ImportState.CHECKING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = NormalizedTextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_busy(self):
        return self.state in (ImportState.CHECKING, ImportState.APPLYING)
