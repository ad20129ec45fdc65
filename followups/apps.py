from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up register")

    def ready(self):
        # The dashboard's follow-up section is cached until the register changes.
        from followups import dashboard_cache

        dashboard_cache.connect()
