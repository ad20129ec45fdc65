"""The quantities the dashboard adds up: counts of expected reports, the
Government Office taxonomy of assignments, weighted progress, and the rule
that weighs it. Each adds exactly, so roll-ups over units are sums."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import ReportState

RECEIVED = (ReportState.SUBMITTED, ReportState.ACCEPTED)


class ReportStatus(models.TextChoices):
    """Where one expected report stands."""

    ON_TIME = "on_time", _("Received on time")
    LATE = "late", _("Received late")
    OVERDUE = "overdue", _("Overdue, not received")
    AWAITING = "awaiting", _("Not yet due")


class Category(models.TextChoices):
    """An assignment's status, as the Government Office counts it."""

    COMPLETED_ON_TIME = "completed_on_time", _("Completed on time")
    COMPLETED_LATE = "completed_late", _("Completed late")
    IN_PROGRESS_ON_TIME = "in_progress_on_time", _("In progress, within deadline")
    IN_PROGRESS_OVERDUE = "in_progress_overdue", _("In progress, overdue")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


MEASURES = ("expected", "received", "on_time", "late", "overdue", "awaiting", "accepted", "returned")


def percent(part, whole):
    """``part`` of ``whole`` as a percentage with one decimal, capped at 100;
    None when nothing is expected."""
    if not whole:
        return None
    value = Decimal(100 * part) / Decimal(whole)
    return min(value, Decimal(100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    awaiting: int = 0
    accepted: int = 0
    returned: int = 0

    def add(self, other):
        # Spelled out: called for every cell of a province's page, where a loop
        # over MEASURES with getattr/setattr was a tenth of its time.
        self.expected += other.expected
        self.received += other.received
        self.on_time += other.on_time
        self.late += other.late
        self.overdue += other.overdue
        self.awaiting += other.awaiting
        self.accepted += other.accepted
        self.returned += other.returned
        return self

    @property
    def reporting_rate(self):
        return percent(self.received, self.expected)

    @property
    def on_time_rate(self):
        return percent(self.on_time, self.expected)


# Read once: ``Category.values`` builds the choices, labels and all, on every call.
CATEGORY_VALUES = tuple(Category.values)


@dataclass
class Taxonomy:
    counts: dict = field(default_factory=lambda: dict.fromkeys(CATEGORY_VALUES, 0))

    def add_one(self, category):
        self.counts[category] += 1

    def add(self, other):
        for key, value in other.counts.items():
            self.counts[key] += value
        return self

    @property
    def total(self):
        return sum(self.counts.values())

    def items(self):
        """(value, label, count) in the Government Office's order."""
        return [(value, label, self.counts[value]) for value, label in Category.choices]


@dataclass
class Progress:
    """A weighted sum of percentages, so that averages roll up exactly."""

    weighted: int = 0
    weight: int = 0

    def add(self, other):
        self.weighted += other.weighted
        self.weight += other.weight
        return self

    @property
    def value(self):
        if not self.weight:
            return None
        return (Decimal(self.weighted) / Decimal(self.weight)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Block:
    """Figures summed over a set of cells: a task, a unit's subtree, or all."""

    counts: Counts = field(default_factory=Counts)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)
    progress: Progress = field(default_factory=Progress)

    def add(self, other):
        self.counts.add(other.counts)
        self.taxonomy.add(other.taxonomy)
        self.progress.add(other.progress)
        return self

    def add_cell(self, cell):
        self.counts.add(cell.counts)
        if cell.category is not None:  # a unit with a status at the end of the range
            self.taxonomy.add_one(cell.category)
            self.progress.add(cell.progress)
        return self


@dataclass
class Rule:
    """How a task's progress is averaged (set on the directive)."""

    lead_weight: int = 2
    coordinating_weight: int = 1
    missing_as_zero: bool = True

    @classmethod
    def of(cls, directive):
        return cls(
            lead_weight=directive.progress_lead_weight,
            coordinating_weight=directive.progress_coordinating_weight,
            missing_as_zero=directive.progress_missing_as_zero,
        )
