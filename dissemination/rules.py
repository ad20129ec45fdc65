"""Object permissions for dissemination (django-rules), on the same role
helpers as reports: every check takes a unit (the committee or the cell) and
goes through ``access.unit_or_404``, which answers 404 when it fails.

- reading: the province-wide roles (administrators, office, Standing
  Committee) read everything; any member of a unit reads that unit and its
  whole subtree (a committee sees its subtree; a cell secretary, whose only
  unit is the cell, sees the cell alone);
- recording a plan or a session: the committee's reporters and heads (and
  administrators), for a committee of ``scope.PLAN_KINDS``;
- confirming a Party cell: the cell's secretary (head or reporter membership),
  the staff of its grassroots committee (the cell's parent, "on behalf"), and
  administrators.
"""

import rules

from dissemination.scope import PLAN_KINDS, SECRETARY_ROLES, STAFF_ROLES
from reports.rules import is_admin, sees_everything
from units.models import UnitKind
from units.roles import unit_roles

ANCESTORS_SQL = """
WITH RECURSIVE up(id, parent_id) AS (
  SELECT id, parent_id FROM units_unit WHERE id = %s
  UNION
  SELECT u.id, u.parent_id FROM units_unit u JOIN up ON u.id = up.parent_id
)
SELECT id FROM up
"""


def unit_and_ancestors(unit_id):
    """``unit_id`` and every unit above it (stored parents): one indexed
    query, as deep as the tree, whatever its size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(ANCESTORS_SQL, [unit_id])
        return {row[0] for row in cursor.fetchall()}


def subtree_unit_ids(user):
    """Units the user reads here, for filtering a list (the API's): each unit
    they belong to and all below it, read once per request. A single object's
    check walks up instead (``reads_unit``)."""
    if not hasattr(user, "_dissemination_units"):
        from units.models import Unit

        own = set(unit_roles(user))
        found = own | Unit.objects.subtree_ids(own)
        user._dissemination_units = found
    return user._dissemination_units


def reads_unit(user, unit_id):
    """Whether ``unit_id`` is one of the user's units or below one: its chain of
    parents is walked up (a few rows) rather than the user's subtrees down
    (tens of thousands of Party cells under a province). Answered once per
    unit and request."""
    own = unit_roles(user)
    if not own:
        return False
    if unit_id in own:
        return True
    cache = user.__dict__.setdefault("_dissemination_reads", {})
    if unit_id not in cache:
        cache[unit_id] = not unit_and_ancestors(unit_id).isdisjoint(own)
    return cache[unit_id]


def _has_role(user, unit_id, roles):
    return bool(unit_roles(user).get(unit_id, set()) & set(roles))


@rules.predicate
def reads_subtree(user, unit):
    return unit is not None and reads_unit(user, unit.pk)


@rules.predicate
def is_committee_kind(user, unit):
    return unit is not None and unit.kind in PLAN_KINDS


@rules.predicate
def is_cell(user, unit):
    return unit is not None and unit.kind == UnitKind.PARTY_CELL


@rules.predicate
def is_committee_staff(user, unit):
    return unit is not None and _has_role(user, unit.pk, STAFF_ROLES)


@rules.predicate
def is_cell_secretary(user, unit):
    return unit is not None and _has_role(user, unit.pk, SECRETARY_ROLES)


@rules.predicate
def is_grassroots_staff(user, unit):
    """Staff of the cell's grassroots committee, who may confirm on its behalf."""
    return unit is not None and unit.parent_id is not None and _has_role(user, unit.parent_id, STAFF_ROLES)


rules.add_perm("dissemination.read_unit", sees_everything | reads_subtree)
rules.add_perm("dissemination.record_for_unit", is_committee_kind & (is_admin | is_committee_staff))
rules.add_perm("dissemination.confirm_cell", is_cell & (is_admin | is_cell_secretary | is_grassroots_staff))


def confirms_on_behalf(user, cell):
    """Whether a confirmation by ``user`` is made for the cell by its committee
    (the user is not one of the cell's own secretaries)."""
    return not _has_role(user, cell.pk, SECRETARY_ROLES)
