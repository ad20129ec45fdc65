"""Every failed sign-in is logged (with the address and whether it is now
locked out); every sign-in starts the session's clock for its lifetime."""

import logging

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.lockout import client_ip
from accounts.middleware import session_start

logger = logging.getLogger("accounts.signin")


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # django-axes (an earlier app) has already counted this failure on the request.
    address = getattr(request, "axes_ip_address", None) or (client_ip(request) if request else None)
    logger.warning(
        "Sign-in failed: username=%r address=%s path=%s failures=%s locked_out=%s",
        credentials.get("username"),
        address,
        getattr(request, "path", None),
        getattr(request, "axes_failures_since_start", None),
        bool(getattr(request, "axes_locked_out", False)),
    )


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request.session)
