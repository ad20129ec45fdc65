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
