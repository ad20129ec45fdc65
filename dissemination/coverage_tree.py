"""The current tree the dissemination figures roll up through: every unit open
today under the parent it has today. A unit whose parent has closed (a commune
merged in 2025) hangs under the parent's successor, followed as far as it
goes, so each cell is counted once, under its current committee.

Everything that needs "the parent today" (coverage, reminders' escalation)
asks ``tree_today``; when units get dated parents, this is the one place that
changes."""

from dataclasses import dataclass, field

from units.models import Unit, UnitSuccession

# Columns every reader needs; cells are not loaded here (there are tens of thousands).
UNIT_COLUMNS = ("pk", "parent_id", "code", "name", "short_name", "kind", "level", "email", "valid_from", "valid_to")


@dataclass
class TreeUnit:
    pk: int
    parent_id: int | None  # the parent today (after successions)
    code: str
    name: str
    short_name: str
    kind: str
    level: int
    email: str
    is_open: bool
    child_ids: list = field(default_factory=list)

    @property
    def display_name(self):
        return self.short_name or self.name


@dataclass
class TreeToday:
    units: dict  # pk -> TreeUnit, open units only
    successor_of: dict  # closed unit pk -> the open unit that carries it today (or None)

    def current(self, pk):
        """The unit that stands for ``pk`` today: itself when open, else its successor."""
        if pk in self.units:
            return pk
        return self.successor_of.get(pk)

    def ancestors(self, pk):
        """Parents of ``pk`` today, nearest first."""
        found, seen = [], {pk}
        parent = self.units[pk].parent_id if pk in self.units else None
        while parent is not None and parent not in seen:
            found.append(parent)
            seen.add(parent)
            parent = self.units[parent].parent_id
        return found

    def subtree(self, pk):
        """``pk`` and every unit below it today."""
        found, stack = [], [pk]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.units[current].child_ids)
        return found


def _is_open(valid_from, valid_to, day):
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def tree_today(day, *, exclude_kinds=()) -> TreeToday:
    """The tree on ``day`` (two queries): open units (of kinds other than
    ``exclude_kinds``) under their parent of that day."""
    rows = Unit.objects.without_tree_fields().exclude(kind__in=exclude_kinds).values_list(*UNIT_COLUMNS)
    raw = {row[0]: row for row in rows}
    links = {}
    for predecessor, successor in UnitSuccession.objects.order_by("effective_on", "pk").values_list(
        "predecessor_id", "successor_id"
    ):
        links[predecessor] = successor  # the latest change wins
    open_pks = {pk for pk, row in raw.items() if _is_open(row[8], row[9], day)}
    successor_of = {}

    def carried_by(pk):
        """The open unit that carries closed ``pk`` today (None: none does)."""
        seen = set()
        while pk is not None and pk not in open_pks and pk not in seen:
            seen.add(pk)
            if pk in links:
                pk = links[pk]
            else:
                row = raw.get(pk)  # no successor: its duties went up to its own parent
                pk = row[1] if row else None
        return pk if pk in open_pks else None

    units = {}
    for pk in open_pks:
        _pk, parent, code, name, short_name, kind, level, email, _from, _to = raw[pk]
        if parent is not None and parent not in open_pks:
            parent = successor_of.setdefault(parent, carried_by(parent))
        units[pk] = TreeUnit(pk, parent, code, name, short_name, kind, level, email, True)
    for unit in units.values():
        if unit.parent_id is not None and unit.parent_id in units:
            units[unit.parent_id].child_ids.append(unit.pk)
        elif unit.parent_id is not None:
            unit.parent_id = None
    for pk in set(raw) - open_pks:
        successor_of.setdefault(pk, carried_by(pk))
    for unit in units.values():
        unit.child_ids.sort(key=lambda child: (units[child].level, units[child].name))
    return TreeToday(units, successor_of)


def parent_today(tree, parent_id):
    """The parent a cell hangs under today, given its stored ``parent_id``."""
    return tree.current(parent_id) if parent_id is not None else None
