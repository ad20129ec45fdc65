"""Password e-mails: a link to set one's own password (after an administrator
created the account, or an import) or to reset a forgotten one.

The link is Django's password-reset link (user id + one-time token), valid for
``PASSWORD_LINK_HOURS`` and spent as soon as the password changes. The e-mails
are queued through Celery after the transaction commits; with the broker down
they are sent in the request instead, so none is lost."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)

WELCOME_EMAIL = "set_password"
RESET_EMAIL = "password_reset"


def users_send_set_password(*, users, reset: bool = False) -> list[int]:
    """Queues, once the current transaction commits, an e-mail with a link to
    set a password to each of ``users`` who is active and has an e-mail address
    (``reset``: worded as a password reset). Returns the ids of those users."""
    ids = [user.pk for user in users if user.is_active and user.email]
    if ids:
        kind = RESET_EMAIL if reset else WELCOME_EMAIL
        transaction.on_commit(lambda: _queue(ids, kind))
    return ids


def _queue(ids, kind):
    from accounts.tasks import send_password_emails

    try:
        send_password_emails.delay(ids, kind)
    except Exception:  # the broker is unreachable: send them now rather than never
        logger.warning("Could not queue %d password e-mails; sending them in the request.", len(ids), exc_info=True)
        for pk in ids:
            try:
                password_email_send(user_id=pk, kind=kind)
            except Exception:
                logger.exception("Could not send the password e-mail to user %s.", pk)


def password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


def password_email_send(*, user_id: int, kind: str = WELCOME_EMAIL) -> bool:
    """Sends one password e-mail now (SMTP errors propagate, for the task to
    retry). False when the user is gone, inactive or has no address."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {
        "user": user,
        "name": user.get_full_name() or user.get_username(),
        "username": user.get_username(),
        "url": password_link(user),
        "hours": settings.PASSWORD_LINK_HOURS,
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"accounts/email/{kind}_subject.txt", context).split())
        text = render_to_string(f"accounts/email/{kind}.txt", context)
        html = render_to_string(f"accounts/email/{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("Sent the %s e-mail to user %s.", kind, user_id)
    return True
