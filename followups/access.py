"""The one way a follow-up view gets an item: 404 for anything the user may not see."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from followups.models import FollowUpAddressee, FollowUpAttachment, FollowUpItem
from reports.access import object_or_404
from units.roles import readable_unit_ids, sees_whole_province, unit_roles


def items_visible_to(user, queryset=None):
    """The items ``user`` may read: every one for the province-wide roles;
    otherwise those addressed to, issued by or verified by one of their units
    (the set the ``followups.read_item`` rule allows, as one query)."""
    queryset = FollowUpItem.objects.all() if queryset is None else queryset
    if sees_whole_province(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    addressed = FollowUpAddressee.objects.filter(unit_id__in=readable_unit_ids(user)).values("item_id")
    own = list(unit_roles(user))
    return queryset.filter(Q(pk__in=addressed) | Q(document__issuing_unit_id__in=own) | Q(verifying_unit_id__in=own))


def item_or_404(user, pk, perm="followups.read_item"):
    queryset = FollowUpItem.objects.select_related(
        "document__issuing_unit", "verifying_unit", "task__directive", "previous", "about_report"
    )
    return object_or_404(user, queryset, perm, pk=pk)


def evidence_or_404(user, item_pk, pk):
    evidence = get_object_or_404(FollowUpAttachment.objects.select_related("item"), pk=pk, item_id=item_pk)
    if not user.has_perm("followups.read_item", evidence.item):
        raise Http404
    return evidence
