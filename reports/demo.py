"""Demonstration data for a development database: a user for every role, a few
clearly labelled sample communes, and progress reports in every state,
generated relative to a given day.

Deterministic: every decision draws from a ``random.Random`` seeded with the
seed and the natural keys of the row it decides (never the global generator),
so the outcome does not depend on the order rows are visited or on what exists.
Idempotent: rows are looked up by natural keys and only missing ones are
created; existing rows, reports included, are never changed.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from directives.models import Directive, IndicatorKind, Task
from directives.seed import hai_duong as seed_data
from directives.seed.loader import PERIODS_AHEAD, seed_load
from reports.demo_text import (
    COMPLETED_DIFFICULTIES,
    COMPLETED_NEXT_STEPS,
    COMPLETED_PROPOSALS,
    DIFFICULTIES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    MIDDLE_NAMES,
    NEXT_STEPS,
    NOT_STARTED_RESULT,
    PROPOSALS,
    RESULTS,
)
from reports.models import (
    Assignment,
    AssignmentRole,
    ImplementationStatus,
    IndicatorValue,
    PeriodKind,
    ProgressReport,
    ReportingPeriod,
    ReportingSchedule,
    ReportState,
    ReportTransition,
    TransitionAction,
)
from reports.services import period_due_on, schedule_extend_periods
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel
from units.roles import ADMIN_GROUP, COMMITTEE_GROUP, OFFICE_GROUP

DEMO_PASSWORD = "demo"  # noqa: S105 - deliberately weak; the command refuses to run without DEBUG.
EMAIL_DOMAIN = "demo.invalid"
DEFAULT_SEED = 2021
DUE_SOON = datetime.timedelta(days=7)
TERM = datetime.timedelta(days=5 * 365)  # an HĐND term: progress is measured against it

# (username, họ và tên đệm, tên, ...): last_name holds họ và tên đệm and first_name
# the given name, and the full name reads "Nguyễn Văn An" (units.people).
PROVINCE_USERS = [
    ("admin", "Đỗ Minh", "Tuấn", ADMIN_GROUP, "administrator (superuser, Django admin)"),
    ("committee", "Trần Văn", "Hùng", COMMITTEE_GROUP, "Standing Committee viewer"),
    ("office", "Nguyễn Thị", "Hương", OFFICE_GROUP, "provincial office reviewer"),
]

# Sample communes: (district committee code, district name); three under each.
SAMPLE_DISTRICTS = [("hu-gia-loc", "Gia Lộc"), ("hu-tu-ky", "Tứ Kỳ")]
SAMPLE_COMMUNES_PER_DISTRICT = 3
SAMPLE_COMMUNE_TASKS = [1, 4]

# Chances of each outcome by how many past-due periods ago a period was due (None: no report).
OLD_PERIOD_ODDS = [(ReportState.ACCEPTED, 93), (None, 7)]
PREVIOUS_PERIOD_ODDS = [(ReportState.ACCEPTED, 80), (ReportState.SUBMITTED, 7), (ReportState.RETURNED, 3), (None, 10)]
UPCOMING_ODDS = [(ReportState.DRAFT, 30), (ReportState.SUBMITTED, 15), (None, 55)]


def _rng(seed, *parts):
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _aware(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _ensure_directive(counts, today):
    """Loads the seed directive when missing and makes sure its periods reach today."""
    loaded = Directive.objects.filter(code=seed_data.DIRECTIVE_CODE).exists()
    if not loaded or not ReportingSchedule.objects.filter(code=seed_data.SCHEDULE["code"]).exists():
        counts.update(seed_load(today=today))
    schedule = ReportingSchedule.objects.get(code=seed_data.SCHEDULE["code"])
    created = schedule_extend_periods(schedule=schedule, through=today + PERIODS_AHEAD)
    counts["reportingperiod created"] += len(created)
    return Directive.objects.get(code=seed_data.DIRECTIVE_CODE), schedule


def _ensure_sample_communes(counts, directive, schedule):
    tasks = Task.objects.filter(directive=directive, number__in=SAMPLE_COMMUNE_TASKS)
    reviewer = Unit.objects.filter(code=seed_data.REVIEWING_UNIT).first()
    for district in Unit.objects.filter(code__in=[code for code, _name in SAMPLE_DISTRICTS]):
        place = dict(SAMPLE_DISTRICTS)[district.code]
        for number in range(1, SAMPLE_COMMUNES_PER_DISTRICT + 1):
            commune, created = Unit.objects.get_or_create(
                code=f"xa-mau-{district.code.removeprefix('hu-')}-{number}",
                defaults={
                    "name": f"Đảng ủy xã Mẫu {number}, huyện {place} (dữ liệu mẫu)",
                    "short_name": f"ĐU xã Mẫu {number} ({place})",
                    "kind": UnitKind.PARTY_COMMITTEE,
                    "level": UnitLevel.COMMUNE,
                    "parent": district,
                    "is_sample": True,
                    # Communes file directly, showing the path without a head's sign-off.
                    "requires_signoff": False,
                },
            )
            counts["unit created"] += created
            for task in tasks:
                _assignment, created = Assignment.objects.get_or_create(
                    task=task,
                    unit=commune,
                    defaults={"role": AssignmentRole.LEAD, "schedule": schedule, "reviewing_unit": reviewer},
                )
                counts["assignment created"] += created


def _ensure_due_soon_period(counts, schedule, today):
    """The six-monthly schedule's next due date may be weeks away; an ad hoc
    period makes sure the "due this week" views have something to show."""
    if schedule.periods.due_between(today, today + DUE_SOON).exists():
        return
    _period, created = ReportingPeriod.objects.get_or_create(
        schedule=schedule,
        key=f"demo-{today.isoformat()}",
        defaults={
            "kind": PeriodKind.AD_HOC,
            "title": f"Báo cáo nhanh (dữ liệu mẫu) đến ngày {today:%d/%m/%Y}",
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today - datetime.timedelta(days=1),
            "due_on": period_due_on(schedule, today + datetime.timedelta(days=5)),
            "nominal_due_on": today + datetime.timedelta(days=5),
        },
    )
    counts["reportingperiod created"] += created


def _person_name(seed, username):
    rng = _rng(seed, "name", username)
    sex = "f" if rng.random() < 0.45 else "m"
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[sex])}", rng.choice(GIVEN_NAMES[sex])


def _units_with_assignments():
    return Unit.objects.filter(assignments__isnull=False).distinct().order_by("level", "code")


def _ensure_users(counts, seed):
    """Creates the missing demo users and memberships; returns users by username."""
    user_model = get_user_model()
    names = {username: (first, last) for username, first, last, _group, _role in PROVINCE_USERS}
    roles = []
    for unit in _units_with_assignments():
        for prefix, role in (("r", MembershipRole.REPORTER), ("h", MembershipRole.HEAD)):
            username = f"{prefix}-{unit.code}"
            names[username] = _person_name(seed, username)
            roles.append((username, unit.pk, role))
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [username for username in names if username not in existing]
    if missing:
        # Hashed once and shared: PBKDF2 is deliberately slow and there are ~100 users.
        # set_password skips the validators, which would reject "demo".
        hashed = user_model()
        hashed.set_password(DEMO_PASSWORD)
        user_model.objects.bulk_create(
            user_model(
                username=username,
                last_name=names[username][0],
                first_name=names[username][1],
                email=f"{username}@{EMAIL_DOMAIN}",
                password=hashed.password,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            for username in missing
        )
        counts["user created"] += len(missing)
    users = user_model.objects.in_bulk(list(names), field_name="username")
    for username, _first, _last, group_name, _role in PROVINCE_USERS:
        Group.objects.get_or_create(name=group_name)[0].user_set.add(users[username])
    have = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "unit_id", "role"))
    new = [
        Membership(user=users[username], unit_id=unit_id, role=role)
        for username, unit_id, role in roles
        if (users[username].pk, unit_id, role) not in have
    ]
    Membership.objects.bulk_create(new)
    counts["membership created"] += len(new)
    return users


def _pick(rng, odds):
    outcomes, weights = zip(*odds, strict=True)
    return rng.choices(outcomes, weights)[0]


def _latest_period_states(owing, period, seed):
    """A shuffled deck, so the latest past-due period surely shows every state
    and some missing reports, whatever the number of assignments."""
    n = len(owing)
    quota = {
        ReportState.DRAFT: 12,
        ReportState.PENDING_SIGNOFF: 8,
        ReportState.RETURNED: 10,
        ReportState.SUBMITTED: 20,
        None: 15,
    }
    deck = [state for state, share in quota.items() for _ in range(max(2, n * share // 100))]
    deck += [ReportState.ACCEPTED] * max(0, n - len(deck))
    _rng(seed, "deck", period.key).shuffle(deck)
    return deck[:n]


def _period_states(owing, period, *, age, today, seed):
    """One state (or None for no report) per assignment owing ``period``; age is
    0 for the latest past-due period, 1 for the one before, None if not yet due."""
    if age == 0:
        return _latest_period_states(owing, period, seed)
    odds = UPCOMING_ODDS if age is None else PREVIOUS_PERIOD_ODDS if age == 1 else OLD_PERIOD_ODDS
    states = [_pick(_rng(seed, "state", period.key, a.unit.code, a.task.number), odds) for a in owing]
    if period.ends_on >= today:
        # Nothing is submitted before the data window closes.
        states = [ReportState.DRAFT if state == ReportState.SUBMITTED else state for state in states]
    return states


def _progress(assignment, period, seed):
    """Status and percent from the share of the term elapsed at the period's
    cut-off, at a pace of the assignment's own, so progress never goes back."""
    rng = _rng(seed, "pace", assignment.unit.code, assignment.task.number)
    pace, lean = rng.uniform(0.8, 1.25), rng.randint(-10, 10)
    percent = round(100 * pace * (period.ends_on - assignment.schedule.starts_on) / TERM) + lean
    if percent >= 96:
        return ImplementationStatus.COMPLETED, 100
    if percent <= 2:
        return ImplementationStatus.NOT_STARTED, 0
    return ImplementationStatus.IN_PROGRESS, percent


def _texts(assignment, status, rng):
    unit = assignment.unit.name
    if status == ImplementationStatus.NOT_STARTED:
        results = NOT_STARTED_RESULT.format(unit=unit)
    else:
        results = rng.choice(RESULTS.get(assignment.task.number, RESULTS[1])).format(unit=unit)
    if status == ImplementationStatus.COMPLETED:
        return {
            "results": results,
            "difficulties": COMPLETED_DIFFICULTIES,
            "proposals": COMPLETED_PROPOSALS,
            "next_steps": COMPLETED_NEXT_STEPS,
        }
    return {
        "results": results,
        "difficulties": rng.choice(DIFFICULTIES),
        "proposals": rng.choice(PROPOSALS),
        "next_steps": " ".join(rng.sample(NEXT_STEPS, 2)),
    }


def _submission_day(period, unit, rng, *, late, today):
    overdue_days = (today - period.due_on).days
    if late and overdue_days >= 1:
        day = period.due_on + datetime.timedelta(days=rng.randint(1, min(20, overdue_days)))
    else:
        day = period.due_on - datetime.timedelta(days=rng.randint(0, max(0, (period.due_on - period.ends_on).days)))
    day = min(day, today)
    # A unit closed mid-period filed its last report before closing.
    return min(day, unit.valid_to) if unit.valid_to else day


def _history(assignment, period, state, rng, today):
    """(created_at, submitted_at, accepted_at) consistent with ``state``."""
    submitted_at = accepted_at = None
    if state in (ReportState.DRAFT, ReportState.PENDING_SIGNOFF):
        anchor = min(today, period.due_on)
    else:
        late = rng.random() < 0.25
        anchor = _submission_day(period, assignment.unit, rng, late=late, today=today)
        submitted_at = _aware(anchor, rng.randint(8, 11), rng.randint(0, 59))
        if state == ReportState.ACCEPTED:
            accepted_on = min(today, anchor + datetime.timedelta(days=rng.randint(1, 10)))
            accepted_at = _aware(accepted_on, rng.randint(14, 17), rng.randint(0, 59))
    started_on = max(period.starts_on, anchor - datetime.timedelta(days=rng.randint(2, 14)))
    if assignment.unit.valid_from:
        started_on = max(started_on, assignment.unit.valid_from)
    return _aware(min(started_on, anchor), 7, rng.randint(30, 59)), submitted_at, accepted_at


def _indicator_value(indicator, unit, rng):
    if indicator.kind == IndicatorKind.YES_NO:
        return Decimal(1 if rng.random() < 0.85 else 0)
    if indicator.kind == IndicatorKind.PERCENT:
        return Decimal(rng.randint(55, 100))
    scale = {UnitLevel.PROVINCE: 24, UnitLevel.DISTRICT: 12}.get(unit.level, 5)
    if indicator.kind == IndicatorKind.COUNT:
        return Decimal(rng.randint(0, scale))
    return Decimal(rng.randint(0, scale * 10)) / 10


@dataclass
class _Planned:
    report: ProgressReport
    created_at: datetime.datetime
    updated_at: datetime.datetime
    values: list  # (indicator, value) pairs
    steps: list  # (action, from state, to state, username, at, reason)


RETURN_REASONS = [
    "Đề nghị bổ sung số liệu cụ thể về kết quả thực hiện trong kỳ.",
    "Báo cáo chưa nêu rõ khó khăn, vướng mắc và đề xuất; đề nghị hoàn thiện.",
    "Đề nghị bổ sung giá trị các chỉ tiêu và tài liệu kèm theo.",
]


def _sender(assignment):
    """Who sends a unit's reports: its head, or its reporter where no sign-off is needed."""
    return "h" if assignment.unit.requires_signoff else "r"


def _steps(assignment, state, created_at, submitted_at, accepted_at, rng):
    """The workflow steps that lead to ``state``, for the report's timeline."""
    reporter, unit = f"r-{assignment.unit.code}", assignment.unit
    if state == ReportState.DRAFT:
        return []
    if state == ReportState.PENDING_SIGNOFF:
        sent = min(created_at + datetime.timedelta(days=rng.randint(1, 3)), timezone.now())
        return [(TransitionAction.SEND_TO_HEAD, ReportState.DRAFT, state, reporter, sent, "")]
    sender = f"{_sender(assignment)}-{unit.code}"
    steps = [(TransitionAction.SUBMIT, ReportState.DRAFT, ReportState.SUBMITTED, sender, submitted_at, "")]
    if state == ReportState.ACCEPTED:
        steps.append((TransitionAction.ACCEPT, ReportState.SUBMITTED, state, "office", accepted_at, ""))
    if state == ReportState.RETURNED:
        returned = submitted_at + datetime.timedelta(days=rng.randint(1, 3))
        steps.append(
            (TransitionAction.RETURN, ReportState.SUBMITTED, state, "office", returned, rng.choice(RETURN_REASONS))
        )
    return steps


def _build_report(assignment, period, state, *, users, today, seed):
    rng = _rng(seed, "report", period.key, assignment.unit.code, assignment.task.number)
    status, percent = _progress(assignment, period, seed)
    created_at, submitted_at, accepted_at = _history(assignment, period, state, rng, today)
    report = ProgressReport(
        assignment=assignment,
        period=period,
        state=state,
        implementation_status=status,
        percent_complete=percent,
        created_by=users.get(f"r-{assignment.unit.code}"),
        submitted_by=users.get(f"{_sender(assignment)}-{assignment.unit.code}") if submitted_at else None,
        submitted_at=submitted_at,
        accepted_at=accepted_at,
        **_texts(assignment, status, rng),
    )
    values = []
    if state not in (ReportState.DRAFT, ReportState.PENDING_SIGNOFF):
        values = [(i, _indicator_value(i, assignment.unit, rng)) for i in assignment.task.indicators.all()]
    steps = _steps(assignment, state, created_at, submitted_at, accepted_at, rng)
    report.state_changed_at = steps[-1][4] if steps else created_at
    report.version = 1 + len(steps)
    return _Planned(report, created_at, report.state_changed_at, values, steps)


def _plan_reports(directive, *, users, today, seed):
    """Yields the reports to create: for every period whose window has started,
    the assignments owing it (their unit open during the period) that have none."""
    assignments = list(
        Assignment.objects.filter(task__directive=directive)
        .select_related("unit", "task", "schedule")
        .prefetch_related("task__indicators")
        .order_by("unit__code", "task__number")
    )
    existing = set(ProgressReport.objects.filter(assignment__in=assignments).values_list("assignment_id", "period_id"))
    by_schedule = defaultdict(list)
    for assignment in assignments:
        by_schedule[assignment.schedule_id].append(assignment)
    for schedule_id, on_schedule in by_schedule.items():
        periods = ReportingPeriod.objects.filter(schedule_id=schedule_id, starts_on__lte=today).order_by("-due_on")
        past_due = 0
        for period in periods:
            age = past_due if period.due_on < today else None
            past_due += age is not None
            owing = [a for a in on_schedule if a.unit.is_open_during(period.starts_on, period.ends_on)]
            states = _period_states(owing, period, age=age, today=today, seed=seed)
            for assignment, state in zip(owing, states, strict=True):
                if state is not None and (assignment.pk, period.pk) not in existing:
                    yield _build_report(assignment, period, state, users=users, today=today, seed=seed)


def _create_reports(counts, directive, *, users, today, seed):
    planned = list(_plan_reports(directive, users=users, today=today, seed=seed))
    reports = ProgressReport.objects.bulk_create([p.report for p in planned], batch_size=500)
    # bulk_create stamps created_at/updated_at with the current time: put back the generated history.
    for p in planned:
        p.report.created_at, p.report.updated_at = p.created_at, p.updated_at
        counts[f"report {p.report.state}"] += 1
    ProgressReport.objects.bulk_update(reports, ["created_at", "updated_at"], batch_size=500)
    values = [IndicatorValue(report=p.report, indicator=i, value=v) for p in planned for i, v in p.values]
    IndicatorValue.objects.bulk_create(values, batch_size=500)
    steps = [
        (ReportTransition(report=p.report, action=a, from_state=f, to_state=t, by=users[who], reason=why), at)
        for p in planned
        for a, f, t, who, at, why in p.steps
        if who in users
    ]
    created = ReportTransition.objects.bulk_create([step for step, _at in steps], batch_size=500)
    # ``at`` is stamped with the current time on insert: put back the generated one.
    for (_step, at), row in zip(steps, created, strict=True):
        row.at = at
    ReportTransition.objects.bulk_update(created, ["at"], batch_size=500)
    counts["reporttransition created"] += len(created)
    counts["progressreport created"] += len(reports)
    counts["indicatorvalue created"] += len(values)


@transaction.atomic
def demo_data_create(*, today: datetime.date, seed: int = DEFAULT_SEED) -> Counter:
    """Fills the database with demo data relative to ``today``; returns counts of
    the rows created (empty when everything already exists)."""
    counts = Counter()
    directive, schedule = _ensure_directive(counts, today)
    _ensure_sample_communes(counts, directive, schedule)
    _ensure_due_soon_period(counts, schedule, today)
    users = _ensure_users(counts, seed)
    _create_reports(counts, directive, users=users, today=today, seed=seed)
    from followups.demo import followups_demo_create  # the follow-up register's demo (#15)

    followups_demo_create(today=today, seed=seed, users=users, counts=counts)
    return +counts


def demo_logins() -> list[tuple[str, str]]:
    """(username, role) of every demo login, for the command to print."""
    logins = [(username, role) for username, _first, _last, _group, role in PROVINCE_USERS]
    for unit in _units_with_assignments():
        logins.append((f"r-{unit.code} / h-{unit.code}", f"reporter / head of {unit.name}"))
    from followups.demo import followups_demo_logins

    known = {login for login, _role in logins}
    return logins + [row for row in followups_demo_logins() if row[0] not in known]
