from notifications.models import Notification
from units.roles import is_administrator, is_office, sees_whole_province, unit_roles


def unread_count(request):
    """The navigation's bell count and links, computed only when a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: Notification.objects.for_user(user).unread().count(),
        "nav_my_work": lambda: bool(unit_roles(user)),
        "nav_inbox": lambda: is_office(user) or is_administrator(user),
        "nav_dashboard": lambda: sees_whole_province(user),
    }
