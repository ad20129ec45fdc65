"""Province-wide roles are Django groups; unit roles are Memberships.

Group names are data shown in the admin, so they are in Vietnamese; code refers
to them only through these constants. The groups are created by a migration.
"""

COMMITTEE_GROUP = "Ban Thường vụ Tỉnh ủy"
OFFICE_GROUP = "Văn phòng Tỉnh ủy"
ADMIN_GROUP = "Quản trị hệ thống"
PROVINCE_GROUPS = (COMMITTEE_GROUP, OFFICE_GROUP, ADMIN_GROUP)


def _group_names(user):
    if not hasattr(user, "_tracker_group_names"):
        user._tracker_group_names = set(user.groups.values_list("name", flat=True))
    return user._tracker_group_names


def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or ADMIN_GROUP in _group_names(user))


def is_office(user):
    return user.is_authenticated and OFFICE_GROUP in _group_names(user)


def is_committee(user):
    return user.is_authenticated and COMMITTEE_GROUP in _group_names(user)


def sees_whole_province(user):
    return is_administrator(user) or is_office(user) or is_committee(user)


def unit_roles(user):
    """{unit id: {roles}} of the user's memberships, read once per request."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_tracker_unit_roles"):
        from units.models import Membership

        roles = {}
        for unit_id, role in Membership.objects.filter(user=user).values_list("unit_id", "role"):
            roles.setdefault(unit_id, set()).add(role)
        user._tracker_unit_roles = roles
    return user._tracker_unit_roles


def readable_unit_ids(user):
    """Units whose reports the user may read: their own units, and every unit
    below a unit they head when that unit lets its heads read subordinates."""
    if not hasattr(user, "_tracker_readable_units"):
        from units.models import Unit

        roles = unit_roles(user)
        readable = set(roles)
        headed = [unit_id for unit_id, unit_roles_ in roles.items() if "head" in unit_roles_]
        heads_read = Unit.objects.without_tree_fields().filter(pk__in=headed, heads_read_descendants=True)
        readable.update(Unit.objects.subtree_ids(heads_read.values_list("pk", flat=True)))
        user._tracker_readable_units = readable
    return user._tracker_readable_units
