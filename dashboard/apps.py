from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard and summary reports")

    def ready(self):
        from dashboard import signals  # noqa: F401 - connects the receivers
