"""What the staff of a closed unit are shown: that it closed, when, and who
took over its duties."""

from dataclasses import dataclass

from units.models import UnitSuccession


@dataclass
class ClosedUnit:
    unit: object
    successors: list  # Unit, by name


def closed_units(units, today):
    """The units of ``units`` closed before ``today``, each with its
    successors (one query for them all)."""
    closed = {unit.pk: unit for unit in units if unit.closed_before(today)}
    if not closed:
        return []
    successors = {pk: [] for pk in closed}
    rows = UnitSuccession.objects.filter(predecessor_id__in=closed).select_related("successor")
    for row in rows.order_by("successor__name"):
        successors[row.predecessor_id].append(row.successor)
    return [ClosedUnit(unit, successors[pk]) for pk, unit in closed.items()]
