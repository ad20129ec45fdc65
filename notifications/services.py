import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.models import ALWAYS_INDIVIDUAL, EmailMode, EmailStatus, Notification, NotificationPreference
from tracker.database import rows_insert

logger = logging.getLogger(__name__)


def _email_status(user, kind, modes):
    if not user.email:
        return EmailStatus.NONE
    if kind not in ALWAYS_INDIVIDUAL and modes.get(user.pk) == EmailMode.DIGEST:
        return EmailStatus.DIGEST
    return EmailStatus.PENDING


def notification_send(
    *, recipients, kind: str, report=None, actor=None, reason: str = "", assignment=None, period=None, link: str = ""
) -> list[Notification]:
    """Puts one item in each recipient's in-app inbox (the actor is skipped) and
    marks its e-mail as due, now or in the daily digest. The e-mails are queued
    after the transaction commits; if the broker is down they wait in the
    database for the next outbox flush, so nothing is lost."""
    users = [user for user in recipients if actor is None or user.pk != actor.pk]
    modes = dict(NotificationPreference.objects.filter(user__in=users).values_list("user_id", "email_mode"))
    items = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            report=report,
            assignment=assignment or (report.assignment if report else None),
            period=period or (report.period if report else None),
            actor=actor,
            reason=reason,
            link=link,
            email_status=_email_status(user, kind, modes),
            in_digest=_email_status(user, kind, modes) == EmailStatus.DIGEST,
        )
        for user in users
    )
    due = [item.pk for item in items if item.email_status == EmailStatus.PENDING]
    if due:
        transaction.on_commit(lambda: queue_emails(due))
    return items


NOTIFICATION_COLUMNS = ("recipient_id", "kind", "report_id", "assignment_id", "period_id", "actor_id", "reason",
                        "link", "email_status", "in_digest", "created_at", "email_attempts", "email_error")  # fmt: skip


def notifications_send_many(entries) -> list[int]:
    """``notification_send`` for many items at once (the reminder sweep):
    ``entries`` are dicts of its keyword arguments (or ``report_id`` for
    ``report``); the ids of the items made. Three queries whatever their
    number (rows as plain values, ``tracker.database.rows_insert``: a model
    instance for each of a country's hundred thousand rows took half the
    sweep's delivery)."""
    users = {user.pk: user for entry in entries for user in entry["recipients"]}
    modes = dict(NotificationPreference.objects.filter(user__in=list(users)).values_list("user_id", "email_mode"))
    now = timezone.now()
    rows = []
    for entry in entries:
        report, actor = entry.get("report"), entry.get("actor")
        report_id = report.pk if report is not None else entry.get("report_id")
        assignment = entry.get("assignment")
        assignment_id = assignment.pk if assignment is not None else (report.assignment_id if report else None)
        period = entry.get("period")
        period_id = period.pk if period is not None else (report.period_id if report else None)
        for user in entry["recipients"]:
            if actor is not None and user.pk == actor.pk:
                continue
            status = _email_status(user, entry["kind"], modes)
            rows.append((user.pk, entry["kind"], report_id, assignment_id, period_id,
                         actor.pk if actor is not None else None, entry.get("reason", ""), entry.get("link", ""),
                         status, status == EmailStatus.DIGEST, now, 0, ""))  # fmt: skip
    made = _insert_notifications(rows)
    due = [pk for pk, status in made if status == EmailStatus.PENDING]
    if due:
        transaction.on_commit(lambda: queue_emails(due))
    return [pk for pk, _status in made]


def _insert_notifications(rows):
    """[(id, e-mail status)] of the rows inserted (``NOTIFICATION_COLUMNS``)."""
    return rows_insert(Notification, NOTIFICATION_COLUMNS, rows, returning=("id", "email_status"))


def queue_emails(ids):
    """Hands the e-mails to Celery; a broker outage only delays them."""
    from notifications.tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # the broker is unreachable: the outbox flush will send them
        logger.warning("Could not queue %d e-mails; they stay in the outbox.", len(ids), exc_info=True)


def notifications_mark_read(*, user, ids=None) -> int:
    """Marks the user's unread items (all, or those in ``ids``) as read."""
    items = Notification.objects.for_user(user).unread()
    if ids is not None:
        items = items.filter(pk__in=ids)
    return items.update(read_at=timezone.now())


def notifications_mark_done(*, report, kinds) -> int:
    """Marks everyone's open items of ``kinds`` about the report (or about its
    assignment and period, as reminders are) as done: someone has handled
    it, so the bell stops counting them and the daily digest leaves them out.
    Returns how many."""
    now = timezone.now()
    items = Notification.objects.filter(
        assignment_id=report.assignment_id, period_id=report.period_id, kind__in=kinds, done_at__isnull=True
    )
    # Nor does the daily digest bring up what is already settled.
    items.filter(email_status=EmailStatus.DIGEST).update(email_status=EmailStatus.NONE)
    done = items.filter(read_at__isnull=True).update(read_at=now, done_at=now)
    return done + items.update(done_at=now)


def unit_members(unit_id, roles):
    return (
        get_user_model()
        .objects.filter(memberships__unit_id=unit_id, memberships__role__in=roles, is_active=True)
        .distinct()
    )


def office_members():
    from units.roles import OFFICE_GROUP

    return list(get_user_model().objects.filter(groups__name=OFFICE_GROUP, is_active=True).distinct())
