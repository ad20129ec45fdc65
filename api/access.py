"""What a list may hold: the list twins of reports/rules.py.

A detail goes through reports.access (object_or_404 with the rule itself); a
list cannot ask the rule row by row, so these filters say the same thing as
the rules in SQL: the province-wide roles read everything; unit staff their
own units (and the units below a unit they head when it allows it,
units.roles.readable_unit_ids); the reviewing unit's staff the assignments
they review. tests/test_api_walk.py checks each list against the rules."""

from django.db.models import Q

from units.roles import readable_unit_ids, sees_whole_province, unit_roles


def _assignment_q(user, prefix=""):
    if sees_whole_province(user):
        return Q()
    return Q(**{f"{prefix}unit_id__in": readable_unit_ids(user)}) | Q(
        **{f"{prefix}reviewing_unit_id__in": list(unit_roles(user))}
    )


def readable_assignments(user, queryset):
    """``reports.read_assignment`` as a filter."""
    return queryset.filter(_assignment_q(user))


def readable_reports(user, queryset):
    """``reports.read_report`` as a filter."""
    return queryset.filter(_assignment_q(user, "assignment__"))


def readable_units(user, queryset):
    """Units the user reads: every unit for the province-wide roles; otherwise
    the units whose reports they read and those they review."""
    if sees_whole_province(user):
        return queryset
    return queryset.filter(pk__in=readable_unit_ids(user) | set(unit_roles(user)))
