"""The late list: every expected report of the range that is overdue, with
the reminders already sent for it and the heads of the unit that owes it."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from dashboard.measures import ReportStatus
from reminders.models import Reminder, ReminderStatus
from units.models import Membership, MembershipRole
from units.people import name_of

SORTS = {
    "days": lambda row: (-row.days_overdue, row.unit.name, row.task.number, row.assignment.pk, row.period.pk),
    "unit": lambda row: (row.unit.name, row.task.number, -row.days_overdue, row.assignment.pk, row.period.pk),
    "task": lambda row: (row.task.number, -row.days_overdue, row.unit.name, row.assignment.pk, row.period.pk),
    "reminders": lambda row: (-row.reminders_sent, -row.days_overdue, row.unit.name, row.task.number,
                              row.assignment.pk, row.period.pk),
}  # fmt: skip


@dataclass
class LateRow:
    unit: object
    task: object
    period: object
    assignment: object
    due_on: object
    days_overdue: int
    reminders_sent: int = 0
    heads: list = field(default_factory=list)


def late_rows(figures, sort="days"):
    """Two queries whatever the number of rows."""
    rows = [
        LateRow(row.owing_unit, cell.task, row.period, row.assignment, row.period.due_on, row.days_overdue)
        for cell, row in figures.expected_rows()
        if row.status == ReportStatus.OVERDUE
    ]
    return sorted(late_details(rows), key=SORTS.get(sort, SORTS["days"]))


def late_rows_page(rows, after=None, size=None):
    """A page of the sorted ``rows`` (the live figures' late list) after the
    row ``after`` = (assignment pk, period pk), as ``late_page`` gives it."""
    size = size or LATE_PAGE_SIZE
    start = 0
    if after is not None:
        keys = [(row.assignment.pk, row.period.pk) for row in rows]
        start = keys.index(after) + 1 if after in keys else len(rows)
    page = rows[start : start + size]
    more = start + size < len(rows)
    return LatePage(page, f"{page[-1].assignment.pk}-{page[-1].period.pk}" if more and page else NOTHING)


def late_details(rows):
    """The reminders already sent for each row and the heads of its unit: two
    queries, each a plain filter (no clause per row to build)."""
    if not rows:
        return rows
    pairs = {(row.assignment.pk, row.period.pk) for row in rows}
    # The rows' assignments in the rows' periods: the ledger's unique index
    # (assignment, period, …) answers; pairs not in the rows are dropped here.
    ledger = Reminder.objects.filter(
        assignment_id__in={assignment for assignment, _period in pairs},
        period_id__in={period for _assignment, period in pairs},
    ).values_list("assignment_id", "period_id", "status")
    sent = Counter(
        (assignment, period)
        for assignment, period, status in ledger
        # Counted here: the status index would only slow the lookup down.
        if status == ReminderStatus.SENT and (assignment, period) in pairs
    )
    heads = defaultdict(list)
    members = Membership.objects.filter(
        unit_id__in={row.unit.pk for row in rows}, role=MembershipRole.HEAD, user__is_active=True
    ).values_list("unit_id", "user__first_name", "user__last_name", "user__username")
    for unit_id, first_name, last_name, username in members:
        heads[unit_id].append(name_of(last_name, first_name) or username)  # as get_full_name(), else the user name
    for row in rows:
        row.reminders_sent = sent.get((row.assignment.pk, row.period.pk), 0)
        row.heads = sorted(heads[row.unit.pk])
    return rows


# --- the late list a page at a time, from the tables ------------------------------------------------
#
# Each sort walks the overdue (assignment, period) pairs in its order and stops
# after a page: the pairs come in groups (a period, a task and period, or all of
# them) whose rows the database lists by unit name from the units' name index,
# probing the reports' (assignment, period) index for each, so a page reads
# about as many pairs as it shows, never every missing report. The page after
# is found from the last row shown (keyset pagination): its assignment and
# period, whose sort key is read again.

LATE_PAGE_SIZE = 25

_MISSING_SQL = """
WITH per (id, schedule_id, ends_on, days) AS (VALUES {periods})
SELECT a.id, per.id, u.name, t.number, per.days, u.id, a.task_id
FROM units_unit u
JOIN reports_assignment a ON a.unit_id = u.id
JOIN directives_task t ON t.id = a.task_id
JOIN per ON per.schedule_id = a.schedule_id
WHERE t.directive_id = %s
  AND (u.valid_from IS NULL OR u.valid_from <= per.ends_on)
  AND (u.valid_to IS NULL OR u.valid_to >= per.ends_on)
  AND NOT EXISTS (SELECT 1 FROM reports_progressreport r
                  WHERE r.assignment_id = a.id AND r.period_id = per.id AND r.state IN ('submitted', 'accepted'))
  {where}
ORDER BY u.name, t.number, per.days DESC, a.id, per.id
LIMIT %s
"""

# The late list by reminders sent walks (count, days overdue) groups, most
# reminded and oldest first: the counts of the range's sent reminders per
# (assignment, period), grouped, from the partial index of sent reminders;
# then each group's missing pairs by unit name as the other orders do.
_SENT_GROUPS_SQL = """
WITH per (id, schedule_id, ends_on, days) AS (VALUES {periods})
SELECT DISTINCT s.sent, per.days
FROM (SELECT m.assignment_id, m.period_id, count(*) AS sent FROM reminders_reminder m
      WHERE m.status = 'sent' AND m.period_id IN (SELECT id FROM per)
      GROUP BY m.assignment_id, m.period_id) s
JOIN per ON per.id = s.period_id
ORDER BY s.sent DESC, per.days DESC
"""

# The periods are named twice, as a list and as ``per``: a CTE read twice is
# materialised, and the reports' index was then probed by assignment alone
# (every period's report read, then filtered: 0.2 s after a national sweep).
_SENT_SQL = """
WITH per (id, schedule_id, ends_on, days) AS (VALUES {periods}),
sent AS (SELECT m.assignment_id, m.period_id FROM reminders_reminder m
         WHERE m.status = 'sent' AND m.period_id IN ({period_ids})
         GROUP BY m.assignment_id, m.period_id HAVING count(*) = %s)
SELECT a.id, per.id, u.name, t.number, per.days, u.id, a.task_id
FROM units_unit u
JOIN reports_assignment a ON a.unit_id = u.id
JOIN directives_task t ON t.id = a.task_id
JOIN per ON per.schedule_id = a.schedule_id
JOIN sent ON sent.assignment_id = a.id AND sent.period_id = per.id
WHERE t.directive_id = %s
  AND (u.valid_from IS NULL OR u.valid_from <= per.ends_on)
  AND (u.valid_to IS NULL OR u.valid_to >= per.ends_on)
  AND NOT EXISTS (SELECT 1 FROM reports_progressreport r
                  WHERE r.assignment_id = a.id AND r.period_id = per.id AND r.state IN ('submitted', 'accepted'))
  {where}
ORDER BY u.name, t.number, a.id, per.id
LIMIT %s
"""

NOTHING = ""


@dataclass(frozen=True)
class LatePage:
    rows: list
    next_after: str  # the cursor of the page after ("" on the last page)


def _overdue_periods(selection):
    from dashboard.states import on_time_limit

    as_of = selection.as_of
    found = [(p, (as_of - on_time_limit(p)).days) for p in selection.periods if on_time_limit(p) < as_of]
    return sorted(found, key=lambda item: (-item[1], item[0].pk))


def _values(periods):
    """The periods as a VALUES list of placeholders, and its parameters."""
    params = [value for p, days in periods for value in (p.pk, p.schedule_id, p.ends_on, days)]
    return ", ".join(["(%s, %s, %s, %s)"] * len(periods)), params


def _missing(cursor, directive, periods, days, *, after=None, tasks=None, unsent=False, limit):
    """Missing pairs of ``periods`` (and ``tasks``) by unit name, task number,
    days overdue (descending), after the key ``after`` = (name, number, days, a, p)."""
    where, params = [], []
    if tasks is not None:
        where.append(f"AND a.task_id IN ({', '.join(['%s'] * len(tasks))})")
        params += list(tasks)
    if unsent:
        where.append("AND NOT EXISTS (SELECT 1 FROM reminders_reminder m WHERE m.assignment_id = a.id "
                     "AND m.period_id = per.id AND m.status = 'sent')")  # fmt: skip
    if after is not None:
        name, number, overdue, assignment, period = after
        # The index answers "u.name >= name"; the row comparison places the rest exactly.
        where.append("AND u.name >= %s AND (u.name, t.number, -per.days, a.id, per.id) > (%s, %s, %s, %s, %s)")
        params += [name, name, number, -overdue, assignment, period]
    values, value_params = _values([(p, days[p.pk]) for p in periods])
    cursor.execute(_MISSING_SQL.format(periods=values, where=" ".join(where)),
                   [*value_params, directive.pk, *params, limit])  # fmt: skip
    return cursor.fetchall()


def _groups(sort, periods, tasks):
    """The groups each sort walks in turn: (periods, task ids or None). Periods
    overdue by the same number of days share a group."""
    by_days = [[p for p, _d in same] for _days, same in groupby(periods, key=lambda item: item[1])]
    if sort == "unit":
        return [([p for p, _d in periods], None)]
    if sort == "task":
        return [(same, [task.pk]) for task in tasks for same in by_days]
    return [(same, None) for same in by_days]  # days (and the unreminded rest of "reminders")


def _group_of(groups, sort, key, tasks):
    """The index of the group the row with ``key`` = (name, number, days, a, p) is in."""
    _name, number, _days, _assignment, period = key
    for index, (periods, task_pks) in enumerate(groups):
        if any(p.pk == period for p in periods) and (
            task_pks is None or next(t.number for t in tasks if t.pk == task_pks[0]) == number
        ):
            return index
    return len(groups)


def _cursor_key(cursor, selection, days, after):
    """The sort key of the row the cursor ``a-p`` names and its reminders
    sent, or None (not an assignment of the directive, or not an overdue period)."""
    assignment_pk, period_pk = after
    if period_pk not in days:
        return None
    cursor.execute(
        "SELECT u.name, t.number FROM reports_assignment a JOIN units_unit u ON u.id = a.unit_id "
        "JOIN directives_task t ON t.id = a.task_id WHERE a.id = %s AND t.directive_id = %s",
        [assignment_pk, selection.directive.pk],
    )
    found = cursor.fetchone()
    if found is None:
        return None
    cursor.execute(
        "SELECT count(*) FROM reminders_reminder WHERE assignment_id = %s AND period_id = %s AND status = 'sent'",
        [assignment_pk, period_pk],
    )
    return (found[0], found[1], days[period_pk], assignment_pk, period_pk), cursor.fetchone()[0]


def parse_after(value):
    """``a-p`` (the assignment and period ids of the last row shown) or None."""
    from reports.params import parse_id

    first, _dash, second = (value or "").partition("-")
    pair = (parse_id(first), parse_id(second))
    return pair if None not in pair else None


def late_page(selection, sort="days", after=None, size=LATE_PAGE_SIZE):
    """One page of the overdue reports of the selection's periods in the chosen
    order, after the row ``after`` = (assignment pk, period pk); a few queries
    whatever the number of reports (more only when a period or task has fewer
    overdue reports than a page)."""
    from django.db import connection

    from directives.models import Task
    from reports.models import Assignment
    from units.models import Unit

    sort = sort if sort in SORTS else "days"
    periods = _overdue_periods(selection)
    if not periods:
        return LatePage([], NOTHING)
    tasks = list(Task.objects.filter(directive=selection.directive).order_by("number", "pk"))
    days = {p.pk: d for p, d in periods}
    found = []
    with connection.cursor() as cursor:
        key = sent = None
        if after is not None:
            key, sent = _cursor_key(cursor, selection, days, after) or (None, None)
            if key is None:
                return LatePage([], NOTHING)
        if sort == "reminders" and (key is None or sent > 0):
            found += _reminded(cursor, selection.directive, periods, key, sent, size + 1)
            key = None  # the unreminded rows come next, from their first
        if len(found) <= size:
            groups = _groups(sort, periods, tasks)
            first = _group_of(groups, sort, key, tasks) if key is not None else 0
            for index in range(first, len(groups)):
                group_periods, group_tasks = groups[index]
                found += _missing(cursor, selection.directive, group_periods, days, tasks=group_tasks,
                                  after=key if index == first else None, unsent=sort == "reminders",
                                  limit=size + 1 - len(found))  # fmt: skip
                if len(found) > size:
                    break
    more, found = len(found) > size, found[:size]
    # The rows' units and assignments come with the page's own rows: only the
    # columns a row shows are read (the others load on access, as deferred fields do).
    db = connection.alias
    units, by_pk = {}, {task.pk: task for task in tasks}
    period_of = {p.pk: p for p, _d in periods}
    rows = []
    for assignment_pk, period_pk, name, _number, days, unit_pk, task_pk in found:
        if unit_pk not in units:
            units[unit_pk] = Unit.from_db(db, ["id", "name"], [unit_pk, name])
        unit = units[unit_pk]
        assignment = Assignment.from_db(db, ["id", "unit_id", "task_id"], [assignment_pk, unit_pk, task_pk])
        assignment.unit, assignment.task = unit, by_pk[task_pk]
        period = period_of[period_pk]
        rows.append(LateRow(unit, assignment.task, period, assignment, period.due_on, days))
    late_details(rows)
    last = rows[-1] if rows else None
    return LatePage(rows, f"{last.assignment.pk}-{last.period.pk}" if more and last else NOTHING)


def _reminded(cursor, directive, periods, key, sent, limit):
    """The missing pairs with reminders sent, most reminded first, then most
    overdue, after the key (with its ``sent`` count): one query for the
    groups, then one per group until a page is full."""
    values, value_params = _values(periods)
    cursor.execute(_SENT_GROUPS_SQL.format(periods=values), value_params)
    groups = cursor.fetchall()
    if key is not None:
        groups = [(count, days) for count, days in groups if (-count, -days) >= (-sent, -key[2])]
    found = []
    for count, days in groups:
        same = [(p, d) for p, d in periods if d == days]
        where, params = "", []
        if key is not None and (count, days) == (sent, key[2]):
            name, number, _days, assignment, period = key
            where = "AND u.name >= %s AND (u.name, t.number, a.id, per.id) > (%s, %s, %s, %s)"
            params = [name, name, number, assignment, period]
        values, value_params = _values(same)
        period_ids = [p.pk for p, _d in same]
        cursor.execute(_SENT_SQL.format(periods=values, period_ids=", ".join(["%s"] * len(period_ids)), where=where),
                       [*value_params, *period_ids, count, directive.pk, *params, limit - len(found)])  # fmt: skip
        found += cursor.fetchall()
        if len(found) >= limit:
            break
    return found
