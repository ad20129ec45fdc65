from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """Backup and restore of the whole site: the database and the private files.

    An app of its own because it belongs to no domain app (it reads every
    app's tables and the private storage they share) and ``tracker/`` holds
    only wiring. It has no models."""

    name = "backups"
    verbose_name = _("Backup and restore")
