"""The maintained roll-ups behind the whole-directive dashboard.

One ``Tally`` row per (task, period, top row of the matrix) holds the counts of
expected, received, on-time, accepted and returned reports of that period and
the categories and weighted progress of the (unit, task) pairs *at* that
period, all from ``dashboard.states`` so that they equal what the live figures
compute. A full rebuild walks the data one top row at a time; afterwards every
report save applies the difference it makes to the rows it touches, inside
its own transaction (the assignment row is locked so that two saves of one
assignment's reports apply their differences one after the other).

Anything else that changes the shape of the data (units, assignments,
periods, successions, the progress rule) marks the tallies stale: the
dashboard then computes live until a rebuild (queued on commit, and nightly)
has run."""

import datetime
import logging
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import billiard
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from dashboard.measures import RECEIVED, Category, Rule
from dashboard.models import Tally, TallyState
from dashboard.states import Successions, Walk, on_time_limit, progress_of, report_counts, report_rows
from directives.models import Directive
from reports.models import Assignment, AssignmentRole, ProgressReport, ReportingPeriod, ReportState
from units.models import Unit, UnitSuccession
from units.placement import moved_since, open_roots_on

logger = logging.getLogger(__name__)
COUNT_FIELDS = ("expected", "received", "on_time", "accepted", "returned")
CATEGORY_FIELDS = {
    Category.COMPLETED_ON_TIME: "completed_on_time",
    Category.COMPLETED_LATE: "completed_late",
    Category.IN_PROGRESS_ON_TIME: "in_progress_on_time",
    Category.IN_PROGRESS_OVERDUE: "in_progress_overdue",
    Category.NOT_YET_DUE: "not_yet_due",
}
# Only received reports (and returned ones, counted as such) show in the tallies.
TALLIED_STATES = (*RECEIVED, ReportState.RETURNED)
FIELDS = (*COUNT_FIELDS, *CATEGORY_FIELDS.values(), "progress_weighted", "progress_weight")


@dataclass
class Sums:
    values: dict = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def add_state(self, state):
        row = state.row
        self.add(report_counts(row.report and row.report.state, row.status), state.category, state.progress)

    def add(self, counts, category, progress, times=1):
        """``times`` expected reports with the same ``counts`` (received, on
        time, accepted, returned), category and progress."""
        values = self.values
        values["expected"] += times
        values["received"] += counts[0] * times
        values["on_time"] += counts[1] * times
        values["accepted"] += counts[2] * times
        values["returned"] += counts[3] * times
        values[CATEGORY_FIELDS[category]] += times
        values["progress_weighted"] += progress.weighted * times
        values["progress_weight"] += progress.weight * times

    def merge(self, other):
        for name in FIELDS:
            self.values[name] += other.values[name]

    def minus(self, other):
        return {name: self.values[name] - other.values[name] for name in FIELDS}


def top_units(units, day=None, moved=None):
    """{unit pk: pk of the matrix's top row it falls under}: the root, or
    when the whole tree hangs from one root, the root's child on its path
    (the root itself for the root's own assignments). With ``day``, on the
    tree as it stood then (``moved``: {pk: parent on that day} of the units
    that have moved since, see ``units.placement``); roots not open that day
    do not count."""
    moved = moved or {}

    def parent_of(pk):
        return moved[pk] if pk in moved else units[pk].parent_id

    roots = [pk for pk in units if parent_of(pk) is None and (day is None or units[pk].is_open_on(day))]
    single = roots[0] if len(roots) == 1 else None
    found = {}

    def top(pk):
        if pk not in found:
            parent = parent_of(pk)
            if parent is None or parent not in units or parent == single:
                found[pk] = pk
            else:
                found[pk] = top(parent)
        return found[pk]

    return {pk: top(pk) for pk in units}


def tallied_periods(schedule_ids, today):
    """The periods the dashboard can show: those that have started."""
    return list(
        ReportingPeriod.objects.filter(schedule_id__in=schedule_ids, starts_on__lte=today)
        .select_related("schedule")
        .order_by("due_on", "pk")
    )


def tallies_rebuild(*, directive=None, today=None) -> int:
    """Rebuilds the tallies of ``directive`` (every directive in force when
    None); the number of rows written."""
    directives = [directive] if directive is not None else list(Directive.objects.in_force())
    return sum(_rebuild(d, today or timezone.localdate()) for d in directives)


class _Shape:
    """What a rebuild walks: the directive's units, top rows, successions,
    assignments (by top row) and periods."""

    def __init__(self, directive, today):
        self.directive, self.today, self.rule = directive, today, Rule.of(directive)
        units = {u.pk: u for u in Unit.objects.without_tree_fields().only(
            "pk", "parent_id", "valid_from", "valid_to", "level", "kind", "name")}  # fmt: skip
        self.units = units
        self.tops = top_units(units)
        self._dated_tops, self._tops_by_day = {}, {}
        self._roots = [unit for unit in units.values() if unit.parent_id is None]
        self.successions = Successions(units, UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
        assignments = list(
            Assignment.objects.filter(task__directive=directive).only(
                "pk", "task_id", "unit_id", "role", "deadline", "schedule_id"
            )
        )
        self.periods = tallied_periods({a.schedule_id for a in assignments}, today)
        self.by_top = defaultdict(list)
        for assignment in assignments:
            assignment.unit = units[assignment.unit_id]
            self.by_top[self.top_of(assignment.unit)].append(assignment)

    def top_of(self, unit):
        # By the final successor's row, so that a merger is walked in one piece.
        return self.tops[self.successions.resolve(unit, datetime.date.max).pk]

    def tops_on(self, day):
        """``top_units`` on the tree as it stood on ``day`` (one per distinct
        set of moves, so a handful per rebuild; worked out once per day, not
        once per day and top row)."""
        if day not in self._tops_by_day:
            moved = moved_since(day)
            roots = [unit.pk for unit in self._roots if unit.is_open_on(day)]
            key = (tuple(sorted(moved.items(), key=lambda item: item[0])), tuple(roots))
            if key not in self._dated_tops:
                self._dated_tops[key] = top_units(self.units, day, moved)
            self._tops_by_day[day] = self._dated_tops[key]
        return self._tops_by_day[day]

    def sums(self, tops=None, tasks=None):
        sums = defaultdict(Sums)
        for top, members in self.by_top.items():
            if tops is not None and top not in tops:
                continue
            if tasks is not None:
                members = [a for a in members if a.task_id in tasks]
            reports = report_rows(
                ProgressReport.objects.filter(assignment_id__in=[a.pk for a in members], period__in=self.periods),
                chunked=True,
            )
            walk = Walk(assignments=members, successions=self.successions, periods=self.periods, reports=reports,
                        rule=self.rule, as_of=self.today)  # fmt: skip
            # Past their on-time limit, the assignments that stand alone are walked
            # one by one along their periods (most states); everything else period by period.
            lone = walk.lone()
            alone = {a.pk for a in lone}
            others = defaultdict(list)
            for assignment in members:
                if assignment.pk not in alone:
                    others[assignment.schedule_id].append(assignment)
            for period in self.periods:
                dated = self.tops_on(period.ends_on)
                among = others[period.schedule_id] if walk.limit[period.pk] < self.today else None
                for state in walk.states_at(period, among=among):
                    sums[(state.task_id, period.pk, dated[state.unit.pk])].add_state(state)
            # Counted by what decides their sums (millions of states, a few thousand kinds).
            dated, kinds = {period.pk: self.tops_on(period.ends_on) for period in self.periods}, Counter()
            for assignment in lone:
                task, unit, is_lead = assignment.task_id, assignment.unit_id, assignment.role == AssignmentRole.LEAD
                for period, report, status, category, latest in walk.lone_states(assignment):
                    kinds[(task, period, dated[period][unit], report and report.state, status, category, is_lead,
                           latest and latest.percent_complete)] += 1  # fmt: skip
            for (task, period, top, state, status, category, is_lead, percent), times in kinds.items():
                sums[(task, period, top)].add(report_counts(state, status), category,
                                              progress_of(percent, is_lead, self.rule), times)  # fmt: skip
        return sums

    def parts(self, count):
        """The top rows in ``count`` parts of about as many assignments each."""
        parts = [[] for _part in range(count)]
        sizes = [0] * count
        for top, members in sorted(self.by_top.items(), key=lambda item: -len(item[1])):
            lightest = sizes.index(min(sizes))
            parts[lightest].append(top)
            sizes[lightest] += len(members)
        return [part for part in parts if part]

    def rows(self, sums):
        return [
            Tally(directive=self.directive, task_id=task, period_id=period, top_unit_id=top, **values.values)
            for (task, period, top), values in sums.items()
        ]


def _rebuild(directive, today):
    started, since = time.monotonic(), timezone.now()
    shape = _Shape(directive, today)
    rows = shape.rows(_sums_in_processes(shape) or shape.sums())
    with transaction.atomic():
        Tally.objects.filter(directive=directive).delete()
        Tally.objects.bulk_create(rows, batch_size=5000)
        _bump_on_commit(directive.pk)
        TallyState.objects.update_or_create(
            directive=directive,
            defaults={"built_on": today, "built_at": timezone.now(), "is_stale": False,
                      "seconds": time.monotonic() - started},
        )  # fmt: skip
    _catch_up(shape, since)
    return len(rows)


# --- a large rebuild in several processes ---------------------------------------------------------
# A national rebuild walks 3.6 million states in Python; the top rows are independent, so
# each process walks a part of them and the parent adds the parts up. Started by billiard
# (Celery's multiprocessing), which a worker's own process may start; forked, they inherit
# the shape (``_walked``) and open their own database connections.

_walked = None
# Connections a forked process found open in its parent's place: kept, never used nor
# closed (closing one ends the parent's session on the socket they share). A process
# of the pool ends with os._exit, so nothing closes them on the way out either.
_inherited = []


def _detach_inherited_connections():
    """In each forked process, before its first query: the database connections it
    inherited open are set aside, so that it opens its own rather than talk on its
    parent's (or its siblings') socket."""
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _inherited.append(wrapper.connection)
            wrapper.connection = None


def _part_sums(tops):
    try:
        return dict(_walked.sums(tops=set(tops)))
    finally:
        connections.close_all()


def _sums_in_processes(shape):
    """The sums of every top row walked in ``TALLY_PROCESSES`` processes, or
    None when the rebuild is better done in this one: a directive under
    ``TALLY_PROCESSES_FROM`` assignments, a database other processes cannot
    read (SQLite's, or this transaction's uncommitted rows)."""
    global _walked
    count = min(settings.TALLY_PROCESSES, len(shape.by_top))
    size = sum(len(members) for members in shape.by_top.values())
    if count < 2 or size < settings.TALLY_PROCESSES_FROM or connection.vendor != "postgresql":
        return None
    if connection.in_atomic_block:
        return None
    connections.close_all()  # a forked process must not share this one's connection
    _walked, sums = shape, defaultdict(Sums)
    try:
        with billiard.Pool(count, initializer=_detach_inherited_connections) as pool:
            parts = pool.map(_part_sums, shape.parts(count), chunksize=1)
            pool.close()
            pool.join()  # each has closed its connections and exited, rather than being killed
        for part in parts:
            for key, value in part.items():
                sums[key].merge(value)  # a unit moved between top rows adds to both parts' rows
    finally:
        _walked = None
    return sums


def _catch_up(shape, since, rounds=3):
    """Reports saved while the rebuild read (their own updates were skipped,
    the tallies being stale): their (task, top row) slices are walked again."""
    for _round in range(rounds):
        changed = set(
            ProgressReport.objects.filter(assignment__task__directive=shape.directive, updated_at__gte=since)
            .values_list("assignment__task_id", "assignment__unit_id")
            .distinct()
        )
        if not changed:
            return
        since = timezone.now()
        units = {pk: unit for members in shape.by_top.values() for a in members for pk, unit in [(a.unit_id, a.unit)]}
        _retally(shape, {(task, shape.top_of(units[unit])) for task, unit in changed if unit in units})


def _retally(shape, slices):
    """Walks the (task pk, top row pk) ``slices`` again and replaces their rows."""
    tasks, tops = {task for task, _top in slices}, {top for _task, top in slices}
    sums = {key: value for key, value in shape.sums(tops=tops, tasks=tasks).items() if (key[0], key[2]) in slices}
    with transaction.atomic():
        for task, top in slices:
            Tally.objects.filter(directive=shape.directive, task_id=task, top_unit_id=top).delete()
        Tally.objects.bulk_create(shape.rows(sums), batch_size=5000)
        _bump_on_commit(shape.directive.pk)


def tallies_retally(*, pairs):
    """Re-tallies, in the caller's transaction, what an assignment's or a
    unit's change touches: the (task, unit) ``pairs`` (task and unit pks),
    each in the top row of the matrix its unit falls under. Seconds for a
    province nationally, instead of a rebuild of everything (minutes) and a
    dashboard "being recalculated" meanwhile. Nothing to do when the tallies
    are stale (a rebuild is due)."""
    from directives.models import Task

    today = timezone.localdate()
    fresh = TallyState.objects.filter(is_stale=False, built_on=today).values_list("directive_id", flat=True)
    if not pairs or not (fresh := set(fresh)):
        if pairs and TallyState.objects.filter(is_stale=False).exists():
            tallies_mark_stale()  # built on an earlier day: the nightly rebuild has not run yet
        return
    tasks = dict(Task.objects.filter(directive_id__in=fresh).values_list("pk", "directive_id"))
    wanted = {}
    for task, unit in pairs:
        if task in tasks:
            wanted.setdefault(tasks[task], set()).add((task, unit))
    for directive in Directive.objects.filter(pk__in=wanted):
        shape = _Shape(directive, today)
        slices = {(task, shape.top_of(shape.units[unit])) for task, unit in wanted[directive.pk] if unit in shape.units}
        _retally(shape, slices)


def tallies_mark_stale():
    """Something that shapes every figure changed: read live until rebuilt."""
    changed = TallyState.objects.filter(is_stale=False).update(is_stale=True)
    if changed:
        for directive_pk in TallyState.objects.values_list("directive_id", flat=True):
            _bump_on_commit(directive_pk)
        transaction.on_commit(_queue_rebuild)


# --- the cache of tallied dashboards -------------------------------------------------------------
# The tallies' version is a random token in the cache, replaced after every
# commit that changes them; a tallied dashboard is kept under it. A cache that
# is down only makes every request compute.

CACHE_SECONDS = 600


def _version_key(directive_pk):
    return f"dashboard:tallies:{directive_pk}"


def _bump_on_commit(directive_pk):
    transaction.on_commit(lambda: cache_set(_version_key(directive_pk), uuid.uuid4().hex, timeout=None))


def tallies_cache_forget(*, directive_pks):
    """Cached dashboards of these directives are never read again (after a
    restore replaced the database under the cache)."""
    for directive_pk in directive_pks:
        cache_set(_version_key(directive_pk), uuid.uuid4().hex, timeout=None)


def cache_get(key):
    try:
        return cache.get(key)
    except Exception:
        logger.warning("The cache cannot be read.", exc_info=True)
        return None


def cache_set(key, value, timeout=CACHE_SECONDS):
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("The cache cannot be written.", exc_info=True)


def tally_cache_key(selection, language, variant):
    """The cache key of a tallied dashboard for this selection, language and
    page variant; None for a unit's subtree (computed live)."""
    if selection.unit is not None:
        return None
    version = cache_get(_version_key(selection.directive.pk))
    if version is None:
        version = uuid.uuid4().hex
        try:
            if not cache.add(_version_key(selection.directive.pk), version, timeout=None):
                version = cache.get(_version_key(selection.directive.pk))
        except Exception:
            return None
    parts = [selection.directive.pk, version, selection.as_of, selection.start, selection.end, language, variant]
    return "dashboard:body:" + ":".join(str(part) for part in parts)


def _queue_rebuild():
    from dashboard.tasks import rebuild_tallies

    try:
        rebuild_tallies.delay()
    except Exception:  # the broker is down: the nightly rebuild catches up; the dashboard reads live meanwhile
        logger.warning("Could not queue the dashboard tally rebuild.", exc_info=True)


def answers_for(state, periods, today):
    """Whether tallies built on ``state.built_on`` hold for ``periods`` today:
    a period not yet past due when they were built has states that depend on
    the day."""
    return state.built_on == today or all(on_time_limit(p) < state.built_on for p in periods)


# --- keeping the tallies right on every report save ----------------------------------------------


class Contribution:
    """What one assignment's (unit, task) adds to the tallies from a period
    on. The rows that do not change with the save are read once, for the
    before and the after."""

    def __init__(self, assignment_id, period_ids, today):
        self.today = today
        assignment = Assignment.objects.select_related("task__directive", "unit").get(pk=assignment_id)
        self.directive = assignment.task.directive
        self.stale = not TallyState.objects.filter(directive=self.directive, is_stale=False).exists()
        if self.stale:
            return
        pairs = list(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
        family = _family(assignment.unit_id, pairs)
        units = {u.pk: u for u in Unit.objects.without_tree_fields().filter(pk__in=family)}
        self.members = list(
            Assignment.objects.filter(
                task_id=assignment.task_id, unit_id__in=family, schedule_id=assignment.schedule_id
            )
        )
        for member in self.members:
            member.unit = units[member.unit_id]
        self.successions = Successions(units, pairs)
        self.periods = tallied_periods([assignment.schedule_id], today)
        dues = [p.due_on for p in self.periods if p.pk in period_ids]
        self.from_due = min(dues) if dues else None
        self.top_of = {}

    def compute(self):
        if self.stale or self.from_due is None:
            return None
        reports = report_rows(ProgressReport.objects.filter(assignment__in=self.members, period__in=self.periods))
        walk = Walk(assignments=self.members, successions=self.successions, periods=self.periods, reports=reports,
                    rule=Rule.of(self.directive), as_of=self.today)  # fmt: skip
        sums = defaultdict(Sums)
        for period in self.periods:
            if period.due_on < self.from_due:
                continue
            for state in walk.states_at(period):
                key = (state.unit.pk, period.ends_on)
                if key not in self.top_of:
                    self.top_of[key] = _top_unit(state.unit, period.ends_on)
                sums[(state.task_id, period.pk, self.top_of[key])].add_state(state)
        return self.directive, sums


def _family(unit_id, pairs):
    """The unit and every unit linked to it by successions, transitively."""
    linked = defaultdict(set)
    for predecessor, successor in pairs:
        linked[predecessor].add(successor)
        linked[successor].add(predecessor)
    found, stack = set(), [unit_id]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(linked[pk])
    return found


def _top_unit(unit, day):
    """``top_units`` for one unit on the tree of ``day``, by walking up its
    parents (a few rows; the tree's recursive query would read every unit)."""
    moved = moved_since(day)
    path = [unit.pk]
    parent = moved.get(unit.pk, unit.parent_id)
    while parent is not None:
        path.append(parent)
        if parent in moved:
            parent = moved[parent]
        else:
            parent = Unit.objects.without_tree_fields().filter(pk=parent).values_list("parent_id", flat=True).first()
    path.reverse()  # root first
    if len(path) > 1 and open_roots_on(day) == 1:
        return path[1]
    return path[0]


def tally_before(report):
    """Called before a report is saved: its (unit, task)'s contribution as the
    database still has it, or None when the save cannot change the tallies."""
    if not TallyState.objects.filter(is_stale=False).exists():
        return None
    if report.pk is None:
        old = None
    else:
        old = (
            ProgressReport.objects.filter(pk=report.pk)
            .values("state", "submitted_at", "implementation_status", "percent_complete", "period_id", "assignment_id")
            .first()
        )
    new = (report.state, report.submitted_at, report.implementation_status, report.percent_complete,
           report.period_id, report.assignment_id)  # fmt: skip
    if old is not None and tuple(old.values()) == new:
        return None
    if report.state not in TALLIED_STATES and (old is None or old["state"] not in TALLIED_STATES):
        return None  # a draft, or a report awaiting sign-off, counts nowhere
    if transaction.get_connection().in_atomic_block:
        # One save of this assignment's reports at a time applies its difference.
        Assignment.objects.select_for_update().filter(pk=report.assignment_id).exists()
    contribution = Contribution(
        report.assignment_id, {report.period_id, old and old["period_id"]}, timezone.localdate()
    )
    return contribution, contribution.compute()


def tally_after(pending):
    """Called after the save: applies the difference to the tally rows."""
    contribution, before = pending
    after = contribution.compute()
    if before is None or after is None:
        return
    directive, old = before
    _directive, new = after
    _bump_on_commit(directive.pk)
    for key in old.keys() | new.keys():
        delta = new.get(key, Sums()).minus(old.get(key, Sums()))
        changes = {name: F(name) + value for name, value in delta.items() if value}
        if not changes:
            continue
        task, period, top = key
        if not Tally.objects.filter(task_id=task, period_id=period, top_unit_id=top).update(**changes):
            Tally.objects.create(directive=directive, task_id=task, period_id=period, top_unit_id=top, **delta)
