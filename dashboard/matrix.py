"""The unit × task matrix: each unit's figures rolled up over the units below
it, grouped by level and kind, one level of the tree at a time."""

from dataclasses import dataclass, field
from itertools import groupby

from dashboard.measures import Block

KIND_ORDER = [
    "party_committee",
    "party_delegation",
    "party_personnel_committee",
    "advisory_body",
    "peoples_council",
    "council_board",
    "delegate_group",
    "peoples_committee",
    "fatherland_front",
    "mass_organisation",
    "department",
    "party_cell",
    "other",
]


@dataclass
class MatrixRow:
    unit: object
    tasks: list
    blocks: list  # Block per task, in task order (None where nothing is assigned below)
    total: Block
    own_cells: list  # Cell per task (None where the unit itself has no assignment)
    has_children: bool
    merged: list = field(default_factory=list)
    own_only: bool = False  # the row of a parent's own assignments, shown when it is expanded

    @property
    def columns(self):
        return list(zip(self.tasks, self.blocks, self.own_cells, strict=True))


@dataclass
class MatrixGroup:
    level: str
    kind: str
    rows: list


def rollups(figures):
    """{unit pk: {task pk: Block}} over each unit's subtree, computed bottom-up
    once (the tree is walked, never queried)."""
    sums = {}
    order, stack = [], [pk for pk, unit in figures.units.items() if unit.parent_id not in figures.units]
    while stack:
        pk = stack.pop()
        order.append(pk)
        stack.extend(figures.units[pk].child_ids)
    own = {}
    for (unit_pk, task_pk), cell in figures.cells.items():
        own.setdefault(unit_pk, {})[task_pk] = cell
    for pk in reversed(order):  # children before parents
        blocks = {}
        for task_pk, cell in own.get(pk, {}).items():
            blocks[task_pk] = Block().add_cell(cell)
        for child in figures.units[pk].child_ids:
            for task_pk, block in sums.get(child, {}).items():
                blocks.setdefault(task_pk, Block()).add(block)
        if blocks:
            sums[pk] = blocks
    return sums, own


def _total(blocks):
    total = Block()
    for block in blocks.values():
        total.add(block)
    return total


def _row(figures, sums, own, pk, *, own_only=False):
    unit = figures.units[pk]
    cells = own.get(pk, {})
    blocks = {task_pk: Block().add_cell(cell) for task_pk, cell in cells.items()} if own_only else sums[pk]
    has_children = not own_only and any(child in sums for child in unit.child_ids)
    return MatrixRow(
        unit=unit,
        tasks=figures.tasks,
        blocks=[blocks.get(task.pk) for task in figures.tasks],
        total=_total(blocks),
        own_cells=[cells.get(task.pk) for task in figures.tasks],
        has_children=has_children,
        merged=figures.merged_into.get(pk, []),
        own_only=own_only,
    )


def top_unit_ids(figures, sums):
    """The units the matrix opens with: the roots of the tree, or, when one
    root holds everything (a province), the units directly below it."""
    roots = [pk for pk, unit in figures.units.items() if unit.parent_id not in figures.units and pk in sums]
    if len(roots) == 1:
        return roots[0], [child for child in figures.units[roots[0]].child_ids if child in sums]
    return None, roots


def matrix_groups(figures, parent_pk=None, sums=None, own=None):
    """The rows directly below ``parent_pk`` (or the top rows), each rolled up
    over its subtree, grouped by level and kind. A parent with assignments of
    its own gets an extra row for them."""
    if sums is None:
        sums, own = rollups(figures)
    if parent_pk is None:
        parent_pk, child_ids = top_unit_ids(figures, sums)
    else:
        child_ids = [child for child in figures.units[parent_pk].child_ids if child in sums]
    rows = [_row(figures, sums, own, pk) for pk in child_ids]
    if parent_pk is not None and parent_pk in own:
        rows.insert(0, _row(figures, sums, own, parent_pk, own_only=True))
    return group_rows(rows)


def group_rows(rows):
    """Rows by level, then kind (the order of the kinds list), then name; a
    parent's own row first."""

    def key(row):
        unit = row.unit
        kind = KIND_ORDER.index(unit.kind) if unit.kind in KIND_ORDER else len(KIND_ORDER)
        return (unit.level, kind)

    rows.sort(key=lambda row: (*key(row), not row.own_only, row.unit.name))
    return [
        MatrixGroup(level=group[0].unit.get_level_display(), kind=group[0].unit.get_kind_display(), rows=group)
        for _key, members in groupby(rows, key=key)
        for group in [list(members)]
    ]
