from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self):
        from accounts import signals  # noqa: F401 (connects the receivers)


class SignInLockoutConfig(AxesAppConfig):
    """django-axes, under a Vietnamese name in the admin."""

    verbose_name = _("Sign-in attempts and lockouts")
