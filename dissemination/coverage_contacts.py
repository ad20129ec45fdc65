"""Who to call about a cell that has not disseminated: its committee's e-mail
and the committee's heads and reporters (one query for a page of cells)."""

from dataclasses import dataclass, field

from dissemination.scope import STAFF_ROLES
from units.models import Membership


@dataclass
class Contact:
    unit: object  # coverage_tree.TreeUnit
    people: list = field(default_factory=list)  # (full name, e-mail, role label)


def committee_contacts(coverage, committee_pks):
    """{committee pk: Contact} for ``committee_pks`` (units of today's tree)."""
    contacts = {pk: Contact(coverage.tree.units[pk]) for pk in committee_pks if pk in coverage.tree.units}
    memberships = (
        Membership.objects.filter(unit_id__in=list(contacts), role__in=STAFF_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("unit_id", "role", "user__last_name", "user__first_name")
    )
    for membership in memberships:
        user = membership.user
        name = user.get_full_name() or user.get_username()
        contacts[membership.unit_id].people.append((name, user.email, membership.get_role_display()))
    return contacts
