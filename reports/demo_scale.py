"""Scale demo data for PostgreSQL: a whole province (~250 units) or the whole
country (~10,000 units, ~60,000 assignments, ~3.5 million reports) for load
tests and for seeing the dashboards at real size.

Wants an empty, migrated database: rows are written with COPY and explicit
ids (sequences put back afterwards), inside one transaction, so a failure
leaves the database as it was. No history, transition or notification rows
are written for the generated reports. Deterministic for a given seed and day
(see reports/demo_scale_reports.py).
"""

import datetime
import inspect
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from directives.models import Directive, Indicator, Task
from directives.seed import hai_duong as seed_data
from reminders.models import ReminderPolicy
from reports.demo import DEFAULT_SEED, DEMO_PASSWORD, EMAIL_DOMAIN
from reports.demo_scale_copy import copy_rows, copy_tuples, indexes_drop, indexes_restore, sequence_reset
from reports.demo_scale_names import (
    COMMUNE_BODIES,
    PROVINCES,
    PROVINCIAL_BODIES,
    REVIEWER_SUFFIX,
    SAMPLE_LABEL,
    commune_names,
    province_words,
    slugify_vi,
)
from reports.demo_scale_reports import REPORT_FIELDS, ReportGenerator, UnitRow, period_rows
from reports.models import (
    Assignment,
    AssignmentRole,
    IndicatorValue,
    ProgressReport,
    ReportingSchedule,
)
from reports.services import schedule_extend_periods
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel
from units.roles import ADMIN_GROUP, COMMITTEE_GROUP, OFFICE_GROUP

PERIOD_COUNT = 60
CUTOFF_DAY = 14
DUE_DAYS = 5
LOAD_USERS = 200
SCHEDULE_CODE = "hang-thang-quy-mo-lon"
# One lead per task in each area (Assignment.clean): the area's Party committee.
LEAD_KINDS = {UnitKind.PARTY_COMMITTEE}
PROVINCE_USERS = [
    ("admin", "Đỗ Minh", "Tuấn", ADMIN_GROUP),
    ("committee", "Trần Văn", "Hùng", COMMITTEE_GROUP),
    ("office", "Nguyễn Thị", "Hương", OFFICE_GROUP),
]
UNIT_FIELDS = ["id", "parent", "code", "name", "short_name", "kind", "level", "email"]
UNIT_FIELDS += ["requires_signoff", "heads_read_descendants", "is_sample"]
ASSIGNMENT_FIELDS = ["id", "task", "unit", "role", "responsible_person", "work", "deadline", "expected_result"]
ASSIGNMENT_FIELDS += ["accountable_official", "reviewing_unit", "schedule", "created_at", "updated_at"]


@dataclass(frozen=True)
class Scale:
    provinces: int
    communes: int  # commune Party committees per province, each with its three bodies


SCALES = {"province": Scale(provinces=1, communes=57), "national": Scale(provinces=len(PROVINCES), communes=68)}


class DemoScaleRefused(Exception):
    """The database cannot take the scale data (not PostgreSQL, or not empty)."""


@dataclass
class ScaleSummary:
    counts: Counter = field(default_factory=Counter)
    reports: Counter = field(default_factory=Counter)  # by state
    seconds: dict = field(default_factory=dict)  # by phase, in order


def demo_scale_check():
    """Raises DemoScaleRefused unless the database is an empty PostgreSQL one."""
    if connection.vendor != "postgresql":
        raise DemoScaleRefused(
            _("The scale demo data needs PostgreSQL (it loads rows with COPY); this database is %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    units = Unit.objects.count()
    if units:
        raise DemoScaleRefused(
            _(
                "The database already holds %(count)d units. The scale demo data needs an empty, migrated "
                "database: drop and re-create it, run migrate, then run this command again."
            )
            % {"count": units}
        )


@contextmanager
def _phase(summary, name, total, show):
    """One progress bar on stderr per phase, and the phase's duration."""
    started = time.monotonic()
    with tqdm(total=total, desc=name, file=sys.stderr, disable=not show, leave=True, dynamic_ncols=True) as bar:
        yield bar
    summary.seconds[name] = time.monotonic() - started


def _unit_tree(scale, seed):
    """(COPY tuples, UnitRows, {unit id: reviewing unit id}) of the generated tree,
    parents before children, ids from 1."""
    tuples, units, reviewers = [], [], {}

    def add(code, name, short_name, kind, level, parent_id, reviewer_id=None):
        unit_id = len(tuples) + 1
        signoff = level != UnitLevel.COMMUNE  # communes file directly, as in the small demo
        tuples.append((unit_id, parent_id, code, name, short_name, kind, level, "", signoff, False, True))
        units.append(UnitRow(unit_id, code, kind, level, parent_id, first_assignment_id=0))
        reviewers[unit_id] = reviewer_id or unit_id + 1  # a committee's Văn phòng comes right after it
        return unit_id

    for place, is_city in PROVINCES[: scale.provinces]:
        words, slug = province_words(place, is_city), slugify_vi(place)
        full_place = f"Thành phố {place}" if place == "Hồ Chí Minh" else place
        name = f"{words['tu']} {full_place}"
        committee = add(slug, name, f"{words['tu']} {place}", UnitKind.PARTY_COMMITTEE, 1, None)
        reviewer = committee + 1
        for suffix, name, short_name, kind in PROVINCIAL_BODIES:
            assert suffix != REVIEWER_SUFFIX or len(tuples) + 1 == reviewer
            # Short names carry the province: national lists show 34 of each body.
            short_name = f"{short_name.format(**words)} ({place})"
            add(f"{slug}-{suffix}", name.format(**words), short_name, kind, 1, committee, reviewer)
        names = commune_names(random.Random(f"{seed}:communes:{slug}"), scale.communes)
        for number, commune in enumerate(names, start=1):
            # Cities are mostly wards (phường), provinces mostly communes (xã).
            word = "phường" if (number % 4 != 0 if is_city else number % 6 == 0) else "xã"
            code, label = f"{slug}-x{number:02d}", f"{word} {commune} ({place}, {SAMPLE_LABEL})"
            parent = add(
                code, f"Đảng ủy {label}", f"ĐU {word} {commune}", UnitKind.PARTY_COMMITTEE, 3, committee, reviewer
            )
            for suffix, prefix, short_prefix, kind in COMMUNE_BODIES:
                add(
                    f"{code}-{suffix}",
                    f"{prefix} {label}",
                    f"{short_prefix} {word} {commune}",
                    kind,
                    3,
                    parent,
                    reviewer,
                )
    return tuples, units, reviewers


def _schedule_start(today):
    """First day of the schedule so that it has PERIOD_COUNT monthly periods, the
    last being the one whose data window contains ``today``."""
    last = today.replace(day=1) + relativedelta(months=1 if today.day > CUTOFF_DAY else 0)
    first = last - relativedelta(months=PERIOD_COUNT - 1)
    return first.replace(day=CUTOFF_DAY) - relativedelta(months=1) + datetime.timedelta(days=1)


def _directive(issuing_unit_id, today):
    """The seed directive's text and tasks, its reminder policy and a monthly schedule with its periods."""
    directive = Directive.objects.create(
        code=seed_data.DIRECTIVE_CODE, issuing_unit_id=issuing_unit_id, **seed_data.DIRECTIVE
    )
    tasks = Task.objects.bulk_create(Task(directive=directive, **task) for task in seed_data.TASKS)
    by_number = {task.number: task for task in tasks}
    Indicator.objects.bulk_create(
        Indicator(
            task=by_number[number],
            code=code,
            name=name,
            unit_of_measure=measure,
            kind=kind,
            aggregation=aggregation,
            position=i,
        )
        for i, (number, code, name, measure, kind, aggregation) in enumerate(seed_data.INDICATORS)
    )
    ReminderPolicy.objects.create(directive=directive)
    schedule = ReportingSchedule.objects.create(
        code=SCHEDULE_CODE,
        name="Báo cáo hằng tháng (dữ liệu mẫu quy mô lớn)",
        monthly=True,
        cutoff_day=CUTOFF_DAY,
        due_days_after_cutoff=DUE_DAYS,
        move_to_working_day=False,
        starts_on=_schedule_start(today),
    )
    schedule_extend_periods(schedule=schedule, through=today)
    return tasks, schedule, list(schedule.periods.all())


def _assignment_tuples(units, reviewers, tasks, schedule, deadline):
    created = f"{schedule.starts_on.isoformat()} 08:00:00+07"
    for unit in units:
        role = (AssignmentRole.LEAD if unit.kind in LEAD_KINDS else AssignmentRole.COORDINATING).value
        reviewer = reviewers[unit.id]
        for offset, task in enumerate(tasks):
            assignment_id = unit.first_assignment_id + offset
            yield (
                assignment_id,
                task.pk,
                unit.id,
                role,
                "",
                "",
                deadline,
                "",
                "",
                reviewer,
                schedule.pk,
                created,
                created,
            )


def _load_units(units):
    """Commune-level bodies (not committees) for the load-test reporters, spread evenly over the tree."""
    candidates = [u for u in units if u.level == UnitLevel.COMMUNE and u.kind != UnitKind.PARTY_COMMITTEE]
    count = min(LOAD_USERS, len(candidates))
    return [candidates[i * len(candidates) // count] for i in range(count)] if count else []


def _users(summary, load_units, bar):
    """The three province-wide users and the load-test reporters; users that
    already exist keep their password."""
    user_model = get_user_model()
    hashed = make_password(DEMO_PASSWORD)  # once: PBKDF2 is slow on purpose
    people = {username: (family, given) for username, family, given, _group in PROVINCE_USERS}
    for number in range(1, len(load_units) + 1):
        people[f"load-{number:03d}"] = ("Tải thử", f"{number:03d}")
    existing = set(user_model.objects.filter(username__in=people).values_list("username", flat=True))
    user_model.objects.bulk_create(
        user_model(
            username=username,
            last_name=family,
            first_name=given,
            email=f"{username}@{EMAIL_DOMAIN}",
            password=hashed,
            is_staff=username == "admin",
            is_superuser=username == "admin",
        )
        for username, (family, given) in people.items()
        if username not in existing
    )
    summary.counts["users"] = len(people) - len(existing)
    users = user_model.objects.in_bulk(list(people), field_name="username")
    bar.update(1)
    for username, _first, _last, group in PROVINCE_USERS:
        Group.objects.get_or_create(name=group)[0].user_set.add(users[username])
    memberships = Membership.objects.bulk_create(
        Membership(user=users[f"load-{number:03d}"], unit_id=unit.id, role=MembershipRole.REPORTER)
        for number, unit in enumerate(load_units, start=1)
    )
    summary.counts["memberships"] = len(memberships)
    bar.update(1)


def demo_scale_create(
    *, scale: Scale, today: datetime.date, seed: int = DEFAULT_SEED, progress: bool = True
) -> ScaleSummary:
    """Fills an empty PostgreSQL database with the scale demo data for ``today``."""
    demo_scale_check()
    summary = ScaleSummary()
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        tuples, units, reviewers = _unit_tree(scale, seed)
        with _phase(summary, _("units"), len(tuples), progress) as bar:
            copy_tuples(cursor, Unit, UNIT_FIELDS, tuples)
            sequence_reset(cursor, Unit)
            bar.update(len(tuples))
        summary.counts["units"] = len(tuples)

        with _phase(summary, _("directive and periods"), 1, progress) as bar:
            tasks, schedule, periods = _directive(units[0].id, today)
            bar.update(1)
        summary.counts["periods"] = len(periods)
        units = [
            UnitRow(u.id, u.code, u.kind, u.level, u.parent_id, first_assignment_id=i * len(tasks) + 1)
            for i, u in enumerate(units)
        ]

        with _phase(summary, _("assignments"), len(units) * len(tasks), progress) as bar:
            deadline = max(p.ends_on for p in periods).isoformat()
            copy_tuples(
                cursor, Assignment, ASSIGNMENT_FIELDS, _assignment_tuples(units, reviewers, tasks, schedule, deadline)
            )
            sequence_reset(cursor, Assignment)
            bar.update(len(units) * len(tasks))
        summary.counts["assignments"] = len(units) * len(tasks)

        load_units = _load_units(units)
        indicators = {}
        for pk, task_id, kind in Indicator.objects.filter(task__in=tasks).values_list("pk", "task_id", "kind"):
            indicators.setdefault(task_id, []).append((pk, kind))
        generator = ReportGenerator(
            tasks=[(task.number, indicators.get(task.pk, [])) for task in tasks],
            periods=period_rows(periods, today),
            today=today,
            seed=seed,
            first_id=1,
            no_current_reports={unit.id for unit in load_units},
        )
        with _phase(summary, _("reports"), len(units), progress) as bar:
            set_aside = indexes_drop(cursor, ProgressReport)
            copy_rows(cursor, ProgressReport, REPORT_FIELDS, generator.lines(units, on_unit=lambda: bar.update(1)))
            sequence_reset(cursor, ProgressReport)
        with _phase(summary, _("report indexes"), len(set_aside), progress) as bar:
            indexes_restore(cursor, ProgressReport, set_aside, on_each=lambda: bar.update(1))
        summary.reports = generator.counts
        with _phase(summary, _("indicator values"), len(generator.indicator_values), progress) as bar:
            copy_tuples(cursor, IndicatorValue, ["report", "indicator", "value"], generator.indicator_values)
            bar.update(len(generator.indicator_values))
        summary.counts["indicator values"] = len(generator.indicator_values)

        with _phase(summary, _("users"), 2, progress) as bar:
            _users(summary, load_units, bar)

        with _phase(summary, _("follow-up items"), 1, progress) as bar:
            from followups.scale import followups_scale_create  # the follow-up register (issue #15)

            found = followups_scale_create(cursor, units=units, today=today, seed=seed)
            summary.counts["follow-up items"] = sum(found.values()) - found["documents"] - found["addressees"]
            bar.update(1)

        with _phase(summary, _("Party cells and dissemination"), 1, progress) as bar:
            from dissemination.scale import dissemination_scale_create

            summary.counts.update(dissemination_scale_create(
                cursor=cursor, units=units, directive=tasks[0].directive, today=today, seed=seed))  # fmt: skip
            bar.update(1)

        with _phase(summary, _("analyze"), 1, progress) as bar:
            # Every table, the small ones too: without statistics for the directive's
            # six tasks the planner reads every assignment for the late list.
            cursor.execute("ANALYZE")
            bar.update(1)
    _tallies_rebuild(summary, today, progress)
    summary.seconds[_("total")] = time.monotonic() - started
    return summary


def _tallies_rebuild(summary, today, progress):
    """Rebuilds the dashboard's tallies, as of ``today``, when the dashboard has them."""
    try:
        from dashboard import tallies
    except ImportError:
        return
    rebuild = getattr(tallies, "tallies_rebuild", None)
    if rebuild is None:
        return
    accepts_today = "today" in inspect.signature(rebuild).parameters
    with _phase(summary, _("dashboard tallies"), 1, progress) as bar:
        if accepts_today:
            rebuild(today=today)
        else:
            rebuild()
        bar.update(1)
