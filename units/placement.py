"""The tree as it stood on a day.

``Unit.parent`` is a unit's place after its latest move; ``UnitPlacement``
rows keep where it stood before. Only the units that moved after ``day`` stand
elsewhere on ``day``, so a dated tree is the current one with those few rows
applied: one small query, never a walk per unit."""

from units.models import Unit, UnitPlacement


def moved_since(day):
    """{unit pk: parent pk on ``day``} of the units whose parent on ``day`` is
    not their current one (their placement with the earliest end on or after
    ``day``)."""
    found = {}
    rows = UnitPlacement.objects.filter(ends_on__gte=day).order_by("-ends_on").values_list("unit_id", "parent_id")
    for unit_id, parent_id in rows:
        found[unit_id] = parent_id  # latest end first: the earliest one is kept
    return found


def place_on(units, day, moved=None):
    """Sets ``parent_id`` of the loaded ``units`` ({pk: Unit}) to where each
    stood on ``day``; the units that moved, {pk: current parent pk}."""
    moved = moved_since(day) if moved is None else moved
    current = {}
    for pk, parent in moved.items():
        unit = units.get(pk)
        if unit is not None:
            current[pk] = unit.parent_id
            unit.parent_id = parent
    return current


def subtree_on(root_pk, day, moved=None):
    """Pks of ``root_pk`` and every unit below it on ``day``."""
    moved = moved_since(day) if moved is None else moved
    if not moved:
        return Unit.objects.subtree_ids(root_pk)
    children = {}
    for pk, parent in Unit.objects.without_tree_fields().values_list("pk", "parent_id"):
        children.setdefault(moved.get(pk, parent), []).append(pk)
    found, stack = set(), [root_pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return found


def open_roots_on(day):
    """How many units without a parent were open on ``day`` (the matrix opens
    on the root's children when there is one)."""
    moved = moved_since(day)
    units = Unit.objects.without_tree_fields().open_on(day)
    count = units.filter(parent__isnull=True).exclude(pk__in=moved).count()
    were_roots = [pk for pk, parent in moved.items() if parent is None]
    return count + (units.filter(pk__in=were_roots).count() if were_roots else 0)
