"""The follow-up items on a unit's "Việc của tôi" (my-work page)."""

from django.db.models import Case, IntegerField, Prefetch, Value, When

from followups.models import OPEN_STATUSES, FollowUpAddressee, FollowUpItem, FollowUpStatus
from units.roles import unit_roles

MY_ITEMS_LIMIT = 30


def my_followups(user, today):
    """(items, count): the open items addressed to the user's units, those
    waiting on the unit first (returned, then overdue, then by due date), at
    most MY_ITEMS_LIMIT of them, each with ``overdue_now`` set. A fixed
    number of queries whatever the number of items."""
    unit_ids = list(unit_roles(user))
    if not unit_ids:
        return [], 0
    items = FollowUpItem.objects.addressed_to(unit_ids).filter(status__in=OPEN_STATUSES)
    count = items.count()
    if not count:
        return [], 0
    ordered = (
        items.annotate(
            waiting=Case(
                When(status=FollowUpStatus.RETURNED, then=Value(0)),
                When(status=FollowUpStatus.REPORTED, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("document__issuing_unit", "verifying_unit", "task")
        .prefetch_related(
            Prefetch(
                "addressees", queryset=FollowUpAddressee.objects.select_related("unit").order_by("-role", "unit__name")
            )
        )
        .order_by("waiting", "due_on", "pk")[:MY_ITEMS_LIMIT]
    )
    rows = list(ordered)
    for item in rows:
        item.overdue_now = item.is_overdue(today)
    return rows, count
