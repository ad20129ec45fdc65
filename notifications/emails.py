"""E-mails for notifications: one per notification, or one daily digest.

Sending claims the notification with a conditional update, records every
attempt, retries transient SMTP errors with backoff and gives up on permanent
ones (a refused address), which administrators see in the admin."""

import contextlib
import datetime
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models import Case, F, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import EmailAttempt, EmailStatus, Notification

# E-mails sent over one mail-server connection, claimed and recorded together.
EMAIL_BATCH = 200
RELATED = ["recipient", "actor", "report", "assignment__unit", "assignment__task__directive", "period"]


class TransientEmailError(Exception):
    """The mail server could not take the message now; try again later."""


def _is_permanent(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def _context(notification):
    period = notification.period
    days_left = (period.due_on - timezone.localdate()).days if period else None
    return {
        "notification": notification,
        "url": settings.SITE_URL + notification.get_absolute_url(),
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else None,
        "site_url": settings.SITE_URL,
    }


def _message(recipient, template, context):
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"notifications/email/{template}_subject.txt", context).split())
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def _finish(ids, error, now):
    """Records the outcome of one send for the notifications in ``ids``."""
    items = Notification.objects.filter(pk__in=ids)
    if error is None:
        items.update(email_status=EmailStatus.SENT, emailed_at=now, email_error="")
        EmailAttempt.objects.bulk_create(EmailAttempt(notification_id=pk, succeeded=True) for pk in ids)
        return "sent"
    attempts = max(items.values_list("email_attempts", flat=True), default=0)
    permanent = _is_permanent(error) or attempts >= settings.EMAIL_MAX_ATTEMPTS
    backoff = datetime.timedelta(minutes=min(2**attempts, 60))
    items.update(
        email_status=EmailStatus.FAILED
        if permanent
        else Case(When(in_digest=True, then=Value(EmailStatus.DIGEST)), default=Value(EmailStatus.PENDING)),
        email_error=str(error)[:1000],
        email_next_attempt_at=None if permanent else now + backoff,
    )
    EmailAttempt.objects.bulk_create(
        EmailAttempt(notification_id=pk, succeeded=False, permanent=permanent, error=str(error)[:1000]) for pk in ids
    )
    if permanent:
        return "failed"
    raise TransientEmailError(str(error)) from error


def notification_email_send(*, notification_id: int, now=None) -> str:
    """Sends one notification's e-mail: "sent", "failed" (permanently) or
    "taken" (not due, or another worker has it); TransientEmailError to retry."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return "taken"
    notification = Notification.objects.select_related(*RELATED).get(pk=notification_id)
    try:
        _message(notification.recipient, "notification", _context(notification)).send()
    except Exception as error:  # any failure is recorded; _finish decides whether to retry
        return _finish([notification.pk], error, now)
    return _finish([notification.pk], None, now)


def _claim(ids, now):
    """Claims the notifications among ``ids`` whose e-mail is pending (one
    conditional UPDATE) and answers their ids: the others are sent, or another
    worker has them."""
    if not ids:
        return []
    table = connection.ops.quote_name(Notification._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET email_status = %s, email_claimed_at = %s, "  # noqa: S608
            f"email_attempts = email_attempts + 1 WHERE id IN ({marks}) AND email_status = %s RETURNING id",
            [EmailStatus.SENDING, now, *ids, EmailStatus.PENDING],
        )
        return sorted(row[0] for row in cursor.fetchall())


def notification_emails_send(*, notification_ids, now=None) -> dict:
    """Sends many notifications' e-mails over one mail-server connection: two
    queries for the lot (claim, read) and two per message sent (its record,
    written as soon as the server took it) or failed. Answers {"sent": n, "failed": n, "taken": n, "retry": [ids]}: the
    ids to try again later (transient errors, recorded with their backoff)."""
    now = now or timezone.now()
    claimed = _claim(list(notification_ids), now)
    outcome = {"sent": 0, "failed": 0, "taken": len(set(notification_ids)) - len(claimed), "retry": []}
    if not claimed:
        return outcome
    items = list(Notification.objects.select_related(*RELATED).filter(pk__in=claimed).order_by("pk"))
    sent = []
    mail = get_connection()
    try:
        mail.open()
    except Exception as error:  # the server cannot be reached: every claimed e-mail waits for its backoff
        try:
            outcome[_finish(claimed, error, now)] += len(claimed)
        except TransientEmailError:
            outcome["retry"] = claimed
        return outcome
    try:
        for notification in items:
            try:
                mail.send_messages([_message(notification.recipient, "notification", _context(notification))])
            except Exception as error:  # recorded for this one; the others go on
                try:
                    outcome[_finish([notification.pk], error, now)] += 1
                except TransientEmailError:
                    outcome["retry"].append(notification.pk)
                continue
            # Recorded at once, not with the batch: a worker killed half-way leaves at most
            # the message it was writing to be sent again, never the ones before it.
            _finish([notification.pk], None, now)
            sent.append(notification.pk)
    finally:
        mail.close()
    outcome["sent"] = len(sent)
    return outcome


def digest_send(*, user, now=None) -> int:
    """One e-mail with everything waiting for the user's daily digest."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(recipient=user, email_status=EmailStatus.DIGEST).update(
        email_status=EmailStatus.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1
    )
    if not claimed:
        return 0
    items = list(
        Notification.objects.filter(recipient=user, email_status=EmailStatus.SENDING, email_claimed_at=now)
        .select_related(*RELATED)
        .order_by("created_at")
    )
    context = {"user": user, "items": [_context(item) for item in items], "site_url": settings.SITE_URL}
    try:
        _message(user, "digest", context).send()
    except Exception as error:
        with contextlib.suppress(TransientEmailError):  # the digest waits for the next run
            _finish([item.pk for item in items], error, now)
        return 0
    _finish([item.pk for item in items], None, now)
    return len(items)


def email_outbox_flush(*, now=None, limit: int = 500) -> int:
    """Sends what is due: e-mails never queued (the broker was down), retries
    whose backoff has passed, and claims left by a worker that died."""
    now = now or timezone.now()
    lease = now - datetime.timedelta(minutes=settings.EMAIL_CLAIM_MINUTES)
    Notification.objects.filter(email_status=EmailStatus.SENDING, email_claimed_at__lt=lease).update(
        email_status=Case(When(in_digest=True, then=Value(EmailStatus.DIGEST)), default=Value(EmailStatus.PENDING))
    )
    due = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING)
        .exclude(email_next_attempt_at__gt=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for start in range(0, len(due), EMAIL_BATCH):
        sent += notification_emails_send(notification_ids=due[start : start + EMAIL_BATCH], now=now)["sent"]
    return sent


def digests_send(*, now=None) -> int:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(notifications__email_status=EmailStatus.DIGEST).distinct()
    return sum(digest_send(user=user, now=now) for user in users)
