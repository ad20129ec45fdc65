from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.text import NormalizedCharField


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A personal key for the API: it acts as its user, never more, and a
    read-only key only reads. Only a SHA-256 digest of the key is stored; the
    key itself is shown once, when it is made (api/keys.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = NormalizedCharField(_("name"), max_length=80, help_text=_("What the key is for, e.g. the system using it."))
    prefix = NormalizedCharField(_("prefix"), max_length=16, unique=True, editable=False)
    digest = NormalizedCharField(_("SHA-256 of the key"), max_length=64, editable=False)
    read_only = models.BooleanField(_("read only"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
