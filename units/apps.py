from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from tracker.text import normalize_text_fields
        from units.people import full_name

        # Django's own user and group models cannot use our text fields
        # (tracker/text.py): people's names typed in the admin are normalised
        # when saved instead.
        for model in (get_user_model(), Group):
            pre_save.connect(normalize_text_fields, sender=model, dispatch_uid=f"normalize-text-{model._meta.label}")

        # Họ và tên đệm, then tên, wherever a name is shown (see units.people).
        get_user_model().get_full_name = full_name
