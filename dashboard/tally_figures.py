"""The whole-directive dashboard read from the tallies: the same figures as
``figures_build`` (the tests hold them equal), from a few thousand summed rows
instead of every report, so that a country's dashboard stays fast. Used when
the tallies are fresh for the chosen periods; otherwise the dashboard computes
live."""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q

from dashboard.figures import SERIES_MIN, Figures, SeriesPoint, TaskFigures
from dashboard.late import SORTS, LateRow, late_details
from dashboard.matrix import MatrixRow, group_rows
from dashboard.measures import RECEIVED, Block, Counts, Rule
from dashboard.models import Tally, TallyState
from dashboard.states import Successions, on_time_limit
from dashboard.tallies import CATEGORY_FIELDS, FIELDS, answers_for
from directives.models import Task
from reports.models import Assignment, ProgressReport, ReportingPeriod
from units.models import Unit, UnitSuccession
from units.placement import moved_since, open_roots_on, place_on

LATE_ROWS = 25


def _block(values, period, as_of, *, with_status):
    """A Block from one tally row's values: counts always, the categories and
    progress only from the range's last period."""
    block = Block()
    counts = block.counts
    counts.expected, counts.received = values["expected"], values["received"]
    counts.on_time, counts.accepted, counts.returned = values["on_time"], values["accepted"], values["returned"]
    counts.late = counts.received - counts.on_time
    missing = counts.expected - counts.received
    if as_of > on_time_limit(period):
        counts.overdue = missing
    else:
        counts.awaiting = missing
    if with_status:
        for category, name in CATEGORY_FIELDS.items():
            block.taxonomy.counts[category] = values[name]
        block.progress.weighted, block.progress.weight = values["progress_weighted"], values["progress_weight"]
    return block


def tally_dashboard(selection, *, state=None, allow_stale=False):
    """(figures, matrix groups) for the whole directive from the tallies, or
    None when they cannot answer (stale or built on an earlier day, unless
    ``allow_stale``). ``state`` is the directive's TallyState when already read."""
    if selection.unit is not None:
        return None
    directive, chosen, as_of = selection.directive, selection.periods, selection.as_of
    state = state or TallyState.objects.filter(directive=directive).first()
    if state is None or (state.is_stale and not allow_stale):
        return None
    end_due = max(p.due_on for p in chosen)
    schedules = Assignment.objects.filter(task__directive=directive).values("schedule_id")
    all_periods = list(
        ReportingPeriod.objects.filter(schedule_id__in=schedules, due_on__lte=end_due)
        .select_related("schedule")
        .order_by("due_on", "pk")
    )
    keys = list(dict.fromkeys(p.key for p in all_periods))
    series_keys = set(keys[-max(SERIES_MIN, len({p.key for p in chosen})) :])
    series_periods = [p for p in all_periods if p.key in series_keys]
    chosen_ids = {p.pk for p in chosen}
    if not allow_stale and not answers_for(state, [*chosen, *series_periods], as_of):
        return None
    periods_by_pk = {p.pk: p for p in all_periods}
    last_of_schedule = {p.schedule_id: p.pk for p in sorted(chosen, key=lambda p: (p.due_on, p.pk))}
    status_periods = set(last_of_schedule.values())
    fields = ["task_id", "period_id", "top_unit_id", *FIELDS]
    rows = list(
        Tally.objects.filter(directive=directive, period_id__in=chosen_ids | {p.pk for p in series_periods}).values(
            *fields
        )
    )
    tasks = list(Task.objects.filter(directive=directive).order_by("number"))
    total, by_task, by_top = Block(), defaultdict(Block), defaultdict(lambda: defaultdict(Block))
    series_counts = defaultdict(Counts)
    series_task = defaultdict(lambda: defaultdict(Counts))
    series_progress = defaultdict(Block)
    for values in rows:
        period = periods_by_pk[values["period_id"]]
        block = _block(values, period, as_of, with_status=True)
        if period.key in series_keys:
            series_counts[period.key].add(block.counts)
            series_task[period.key][values["task_id"]].add(block.counts)
            series_progress[period.key].progress.add(block.progress)
        if period.pk not in chosen_ids:
            continue
        in_range = _block(values, period, as_of, with_status=period.pk in status_periods)
        total.add(in_range)
        by_task[values["task_id"]].add(in_range)
        by_top[values["top_unit_id"]][values["task_id"]].add(in_range)
    figures = Figures(
        directive=directive,
        periods=sorted(chosen, key=lambda p: (p.due_on, p.pk)),
        series_periods=series_periods,
        as_of=as_of,
        rule=Rule.of(directive),
        tasks=tasks,
        units={},
        cells={},
        merged_into={},
        total=total,
    )
    trend = defaultdict(list)
    for key in [k for k in keys if k in series_keys]:
        counts = series_counts[key]
        first = next(p for p in series_periods if p.key == key)
        figures.series.append(
            SeriesPoint(first, counts.reporting_rate, counts.on_time_rate, series_progress[key].progress.value)
        )
        for task in tasks:
            trend[task.pk].append(series_task[key][task.pk].reporting_rate)
    figures.by_task = [TaskFigures(task, by_task[task.pk], trend[task.pk]) for task in tasks]
    range_end = max(p.ends_on for p in chosen)
    figures.tallied_at = state.built_at if state.is_stale or not answers_for(state, chosen, as_of) else None
    return figures, _groups(by_top, tasks, range_end)


def _groups(by_top, tasks, range_end):
    """The matrix's top rows; in a range that spans a top unit's closure its
    figures are under its successor's row ("includes …"), as when live."""
    pairs = list(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    wanted = set(by_top) | {pk for pair in pairs for pk in pair}
    units = {u.pk: u for u in Unit.objects.without_tree_fields().filter(pk__in=wanted).annotate(
        child_count=Count("children"))}  # fmt: skip
    successions = Successions(units, pairs)
    # The tree as it stood at the end of the range: units that moved since count
    # as children where they stood then.
    moved = moved_since(range_end)
    if moved:
        current = dict(Unit.objects.without_tree_fields().filter(pk__in=moved).values_list("pk", "parent_id"))
        for pk, parent in moved.items():
            if parent in units:
                units[parent].child_count += 1
            if current.get(pk) in units:
                units[current[pk]].child_count -= 1
        place_on(units, range_end, moved)
    shown, merged = defaultdict(lambda: defaultdict(Block)), defaultdict(list)
    for pk, blocks in by_top.items():
        display = successions.resolve(units[pk], range_end)
        if display.pk != pk:
            merged[display.pk].append(units[pk])
        for task_pk, block in blocks.items():
            shown[display.pk][task_pk].add(block)
    roots = open_roots_on(range_end)
    rows = []
    for pk, blocks in shown.items():
        unit = units[pk]
        row_total = Block()
        for block in blocks.values():
            row_total.add(block)
        own_only = roots == 1 and unit.parent_id is None
        rows.append(
            MatrixRow(
                unit=unit,
                tasks=tasks,
                blocks=[blocks.get(task.pk) for task in tasks],
                total=row_total,
                own_cells=[None] * len(tasks),
                has_children=bool(unit.child_count) and not own_only,
                merged=sorted(merged[pk], key=lambda u: u.name),
                own_only=own_only,
            )
        )
    return group_rows(rows)


def tally_late_rows(selection, sort):
    """The oldest overdue reports of the range (by the chosen sort, at most
    ``LATE_ROWS``) straight from the tables; the dashboard takes how many
    there are in all from the tallies. A merger's changeover period is listed
    under each assignment that has no received report."""
    directive, chosen, as_of = selection.directive, selection.periods, selection.as_of
    overdue_periods = [p for p in chosen if on_time_limit(p) < as_of]
    found = []
    # By days overdue (the default) the oldest period's missing reports come in the
    # assignments' order, so that the database stops after the first few; the
    # other orders have to look at every missing report of the range.
    order = {"unit": ["unit__name", "task__number"], "task": ["task__number", "unit__name"]}.get(sort, ["pk"])
    received = ProgressReport.objects.filter(assignment=OuterRef("pk"), state__in=RECEIVED)
    for period in sorted(overdue_periods, key=lambda p: (p.due_on, p.pk)):
        missing = (
            Assignment.objects.filter(task__directive=directive, schedule_id=period.schedule_id)
            .filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=period.ends_on))
            .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=period.ends_on))
            .filter(~Exists(received.filter(period=period)))
            .select_related("unit", "task")
        )
        if sort == "reminders":
            missing = missing.annotate(
                sent=Count("reminders", filter=Q(reminders__period=period, reminders__status="sent"))
            ).order_by("-sent", *order)
        else:
            missing = missing.order_by(*order)
        for assignment in missing[:LATE_ROWS]:
            days = (as_of - on_time_limit(period)).days
            found.append(LateRow(assignment.unit, assignment.task, period, assignment, period.due_on, days))
        if sort == "days" and len(found) >= LATE_ROWS:
            break
    return sorted(late_details(found), key=SORTS.get(sort, SORTS["days"]))[:LATE_ROWS]
