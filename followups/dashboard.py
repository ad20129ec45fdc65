"""The follow-up register's figures on the Standing Committee's dashboard:
counts by status (with the overdue ones), the settled-on-time rate by source
and by addressed (lead) unit, and the oldest unsettled items. Also the rows of
the compiled report's appendix: the items due in the report's range that are
still unsettled or were settled late.

Overdue and on time follow followups/models.py: an open item is overdue from
the day after its due date (the deadline moved to a working day); a settled
item was settled on time when the report the verifier accepted was sent on
or before that date. The settled-on-time rate is settled on time / settled.
Four queries for the section (kept in the cache, see ``dashboard_section``),
one for the appendix, whatever the number of
items."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery

from followups.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    AddresseeRole,
    FollowUpAddressee,
    FollowUpItem,
    FollowUpStatus,
    SourceKind,
)
from units.models import Unit

OLDEST_SIZE = 10
ADDRESSEE_ROWS = 15
APPENDIX_MAX_ROWS = 500


def rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    total: int = 0
    open: int = 0
    overdue: int = 0
    settled: int = 0
    settled_on_time: int = 0
    not_feasible: int = 0

    @property
    def settled_late(self):
        return self.settled - self.settled_on_time

    @property
    def on_time_rate(self):
        return rate(self.settled_on_time, self.settled)


@dataclass
class SourceRow:
    kind: str
    label: str
    tally: Tally


@dataclass
class AddresseeRow:
    unit_id: int
    name: str
    tally: Tally


@dataclass
class FollowUpFigures:
    as_of: datetime.date
    by_status: list = field(default_factory=list)  # (status, label, count)
    total: Tally = field(default_factory=Tally)
    by_source: list = field(default_factory=list)  # SourceRow, every kind
    by_addressee: list = field(default_factory=list)  # AddresseeRow, most overdue first
    oldest: list = field(default_factory=list)  # FollowUpItem, open, oldest due date first


def _tally_aggregates(today, prefix=""):
    """Conditional counts over items (``prefix`` reaches the item from another model)."""
    status, due_on, completed_on = f"{prefix}status", f"{prefix}due_on", f"{prefix}completed_on"
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(**{f"{status}__in": OPEN_STATUSES})),
        "overdue": Count("pk", filter=Q(**{f"{status}__in": OPEN_STATUSES, f"{due_on}__lt": today})),
        "settled": Count("pk", filter=Q(**{status: FollowUpStatus.SETTLED})),
        "settled_on_time": Count("pk", filter=Q(**{status: FollowUpStatus.SETTLED, f"{completed_on}__lte": F(due_on)})),
        "not_feasible": Count("pk", filter=Q(**{status: FollowUpStatus.NOT_FEASIBLE})),
    }


def _tally(row):
    return Tally(**{name: row[name] for name in Tally.__dataclass_fields__})


def _scoped(items, unit_ids):
    if unit_ids is None:
        return items
    return items.filter(pk__in=FollowUpAddressee.objects.filter(unit_id__in=unit_ids).values("item_id"))


def followup_figures(*, today: datetime.date, unit_ids=None) -> FollowUpFigures:
    """The section's figures on ``today``, for every item or for the items
    addressed (as lead or co-ordinating) to one of ``unit_ids``. Four
    queries: the tallies by source and status, the lead units with the most
    overdue items and their names, the oldest open items."""
    items = _scoped(FollowUpItem.objects.all(), unit_ids)
    figures = FollowUpFigures(as_of=today)
    by_status, by_kind = {}, {}
    for row in items.order_by().values("document__kind", "status").annotate(**_tally_aggregates(today)):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["total"]
        tally = by_kind.setdefault(row["document__kind"], Tally())
        for name in Tally.__dataclass_fields__:
            setattr(tally, name, getattr(tally, name) + row[name])
    figures.by_status = [(value, label, by_status.get(value, 0)) for value, label in FollowUpStatus.choices]
    figures.by_source = [SourceRow(value, label, by_kind.get(value, Tally())) for value, label in SourceKind.choices]
    for row in figures.by_source:
        for name in Tally.__dataclass_fields__:
            setattr(figures.total, name, getattr(figures.total, name) + getattr(row.tally, name))
    leads = FollowUpAddressee.objects.filter(role=AddresseeRole.LEAD)
    if unit_ids is not None:
        leads = leads.filter(item__in=items)
    # Grouped by the unit's id alone (a hash aggregate); the few names are read after.
    top = list(
        leads.order_by()
        .values("unit_id")
        .annotate(**_tally_aggregates(today, "item__"))
        .order_by("-overdue", "-open", "unit_id")[:ADDRESSEE_ROWS]
    )
    names = dict(Unit.objects.filter(pk__in=[row["unit_id"] for row in top]).values_list("pk", "name"))
    figures.by_addressee = [AddresseeRow(row["unit_id"], names.get(row["unit_id"], ""), _tally(row)) for row in top]
    figures.oldest = list(
        _with_lead_name(items.filter(status__in=OPEN_STATUSES))
        .select_related("document__issuing_unit")
        .order_by("due_on", "pk")[:OLDEST_SIZE]
    )
    for item in figures.oldest:
        item.days_overdue = max(0, (today - item.due_on).days)
    return figures


def _with_lead_name(items):
    """``lead_name`` on each item, read in the same query."""
    lead = FollowUpAddressee.objects.filter(item=OuterRef("pk"), role=AddresseeRole.LEAD).order_by("pk")
    return items.annotate(lead_name=Subquery(lead.values("unit__name")[:1]))


# --- the compiled report's appendix ------------------------------------------------------------


@dataclass
class AppendixRow:
    position: int  # its number in the appendix's table
    document: str  # "12/BC-HĐND, 01/3/2025"
    number: str
    text: str
    lead: str
    due_on: datetime.date
    due: str  # the due date as the document writes it
    state: str  # "Chưa giải quyết, quá hạn 12 ngày", "Giải quyết quá hạn 5 ngày"
    days_late: int


def appendix_items(*, start: datetime.date, end: datetime.date, today: datetime.date, unit_ids=None):
    """(rows, more): the items due from ``start`` to ``end`` that are still
    open on ``today`` or were settled after their due date, oldest due first,
    at most APPENDIX_MAX_ROWS of them (``more``: how many are left out)."""
    items = _scoped(FollowUpItem.objects.filter(due_on__gte=start, due_on__lte=end), unit_ids)
    wanted = items.filter(
        Q(status__in=OPEN_STATUSES) | Q(status=FollowUpStatus.SETTLED, completed_on__gt=F("due_on"))
    ).order_by("due_on", "pk")
    rows = list(_with_lead_name(wanted).select_related("document")[: APPENDIX_MAX_ROWS + 1])
    more = wanted.count() - APPENDIX_MAX_ROWS if len(rows) > APPENDIX_MAX_ROWS else 0  # counted only when cut
    rows = rows[:APPENDIX_MAX_ROWS]
    return [_appendix_row(n, item, today) for n, item in enumerate(rows, start=1)], more


def _appendix_row(position, item, today):
    from dashboard.wording import text, vi_date, vi_number

    document = item.document
    if item.status in CLOSED_STATUSES:
        days = (item.completed_on - item.due_on).days
        state = f"Đã giải quyết, quá hạn {vi_number(days)} ngày"
    elif item.due_on < today:
        days = (today - item.due_on).days
        state = f"Chưa giải quyết, quá hạn {vi_number(days)} ngày"
    else:
        days = 0
        state = "Chưa giải quyết, còn trong hạn"
    label = text(document.number) or "Ý kiến chỉ đạo"
    return AppendixRow(
        position=position,
        document=f"{label}, {vi_date(document.issued_on)}",
        number=text(item.number),
        text=text(item.text),
        lead=text(item.lead_name),
        due_on=item.due_on,
        due=vi_date(item.due_on),
        state=state,
        days_late=days,
    )


CACHE_SECONDS = 600
VERSION_KEY = "followups:figures:version"


def figures_version():
    """The register's version: a new value after every change to an item,
    its addressed units or its document (followups/dashboard_cache.py)."""
    from dashboard.tallies import cache_get, cache_set

    version = cache_get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache_set(VERSION_KEY, version, timeout=None)
    return version


def figures_changed():
    """Called after a change is committed: the section's cached figures are stale."""
    from dashboard.tallies import cache_set

    cache_set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def dashboard_section(selection):
    """What the dashboard's follow-up section shows for ``selection``: every
    item, or those addressed to the selected unit's subtree, on its day. Kept
    in the cache under the register's version, so a change shows at once and
    the national figures are computed once per change, not per reader."""
    from dashboard.tallies import cache_get, cache_set

    scope = selection.unit.pk if selection.unit is not None else "all"
    key = f"followups:figures:{figures_version()}:{selection.as_of.isoformat()}:{scope}"
    figures = cache_get(key)
    if figures is None:
        unit_ids = None
        if selection.unit is not None:
            unit_ids = list(Unit.objects.subtree_ids(selection.unit))
        figures = followup_figures(today=selection.as_of, unit_ids=unit_ids)
        cache_set(key, figures, timeout=CACHE_SECONDS)
    return figures


def compiled_report_rows(figures, today):
    """(rows, note) for the compiled report's appendix on follow-up items: the
    items due within the report's periods (from the first one's start to the
    last one's end) still unsettled on ``today`` or settled late, for the
    figures' scope (the items addressed to its units) or every item."""
    from dashboard.wording import vi_date, vi_number

    start = min(period.starts_on for period in figures.periods)
    end = max(period.ends_on for period in figures.periods)
    unit_ids = figures.subtree_ids(figures.scope.pk) if figures.scope is not None else None
    rows, more = appendix_items(start=start, end=end, today=today, unit_ids=unit_ids)
    note = (
        f"Các việc có hạn giải quyết từ ngày {vi_date(start)} đến ngày {vi_date(end)}, tính đến ngày {vi_date(today)}."
    )
    if more:
        note += f" Ngoài {vi_number(len(rows))} việc nêu trên còn {vi_number(more)} việc khác (xem sổ theo dõi)."
    return rows, note
