from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units")

    def ready(self):
        from django.contrib.auth import get_user_model

        from units.people import full_name

        # Họ và tên đệm, then tên, wherever a name is shown (see units.people).
        get_user_model().get_full_name = full_name
