from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.models import Notification


def notification_send(*, recipients, kind: str, report=None, actor=None, reason: str = "") -> list[Notification]:
    """Puts one item in each recipient's in-app inbox (the actor is skipped)."""
    items = [
        Notification(recipient=user, kind=kind, report=report, actor=actor, reason=reason)
        for user in recipients
        if actor is None or user.pk != actor.pk
    ]
    return Notification.objects.bulk_create(items)


def notifications_mark_read(*, user, ids=None) -> int:
    """Marks the user's unread items (all, or those in ``ids``) as read."""
    items = Notification.objects.for_user(user).unread()
    if ids is not None:
        items = items.filter(pk__in=ids)
    return items.update(read_at=timezone.now())


def unit_members(unit_id, roles):
    return (
        get_user_model()
        .objects.filter(memberships__unit_id=unit_id, memberships__role__in=roles, is_active=True)
        .distinct()
    )
