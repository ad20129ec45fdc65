"""Who owes what for a directive's dissemination: the committees that issue an
implementing plan, the Party cells that confirm, and the cells' secretaries.
Read by the pages here and by the roll-up, reminders and exports."""

from units.models import Membership, MembershipRole, Unit, UnitKind

# Kinds of unit that issue an implementing plan and hold sessions.
PLAN_KINDS = (UnitKind.PARTY_COMMITTEE, UnitKind.PARTY_DELEGATION, UnitKind.PARTY_PERSONNEL_COMMITTEE)
# Memberships of a cell that may confirm for it (the secretary heads the cell).
SECRETARY_ROLES = (MembershipRole.HEAD, MembershipRole.REPORTER)
# Memberships of a committee that record its plan and sessions and confirm on behalf of its cells.
STAFF_ROLES = (MembershipRole.HEAD, MembershipRole.REPORTER)


def plan_units(directive, day):
    """Committees that owe ``directive`` an implementing plan on ``day``: the
    open units of ``PLAN_KINDS`` below its issuing unit (every such unit when
    the directive names none)."""
    units = Unit.objects.open_on(day).filter(kind__in=PLAN_KINDS)
    if directive.issuing_unit_id:
        units = units.in_subtree(directive.issuing_unit_id, include_self=False)
    return units


def cells(day, *, under=None):
    """Party cells open on ``day`` (below ``under`` when given)."""
    units = Unit.objects.open_on(day).filter(kind=UnitKind.PARTY_CELL)
    if under is not None:
        units = units.in_subtree(under, include_self=False)
    return units


def cell_secretaries(cell_ids):
    """{cell id: [users]} of the members who confirm for each cell."""
    found = {}
    memberships = Membership.objects.filter(unit_id__in=cell_ids, role__in=SECRETARY_ROLES).select_related("user")
    for membership in memberships.order_by("unit_id", "role", "user__last_name", "user__first_name"):
        users = found.setdefault(membership.unit_id, [])
        if membership.user not in users and membership.user.is_active:
            users.append(membership.user)
    return found
