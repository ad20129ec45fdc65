"""The benchmark's in-process work against the bench database, one command per
subprocess: ``python -m bench.probe <command> [json argument]``. Each prints one
line ``BENCH-JSON: {...}`` that the runner (``bench/run.py``) reads.

Commands: ``baseline`` (remember where the dataset ends), ``reset`` (delete what
earlier bench runs added), ``discover``, ``queries``, ``correctness``, ``sweep``.
"""

import datetime
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from dashboard.selection import period_choices, selection_from  # noqa: E402
from dashboard.tally_figures import tally_dashboard  # noqa: E402
from directives.models import Directive, DirectiveStatus  # noqa: E402
from notifications.models import Notification  # noqa: E402
from reminders.calendar import WorkingCalendar  # noqa: E402
from reminders.models import Reminder  # noqa: E402
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportTransition  # noqa: E402
from units.models import Membership, MembershipRole, Unit, UnitLevel, UnitSuccession  # noqa: E402

User = get_user_model()
LOAD_PREFIX = "load-"
RANGE_PERIODS = 12
# Rows the bench itself adds (load-test submissions, the sweep's ledger and
# notifications); ``reset`` deletes those above the baseline.
TRACKED = {"report": ProgressReport, "transition": ReportTransition, "reminder": Reminder, "notification": Notification}


def emit(payload):
    print("BENCH-JSON: " + json.dumps(payload, default=str, ensure_ascii=False))


# --- the dataset's baseline -------------------------------------------------------------------


def _baseline_table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (name text PRIMARY KEY, value text NOT NULL)")


def baseline(_arg):
    """Called once the dataset is complete: records the highest ids of the rows
    the bench adds, and marks the database reusable (BENCH_REUSE=1)."""
    _baseline_table()
    values = {name: str(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
              for name, model in TRACKED.items()}  # fmt: skip
    values["complete"] = timezone.now().isoformat()
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(
                "INSERT INTO bench_baseline (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                [name, value],
            )
    emit(values)


def reset(_arg):
    """Deletes what earlier runs added, so that load users owe their report
    again and the first sweep has reminders to queue. Reports' history rows
    (simple_history) are left: nothing counts them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_baseline')")
        if cursor.fetchone()[0] is None:
            emit({"reusable": False})
            return
        cursor.execute("SELECT name, value FROM bench_baseline")
        values = dict(cursor.fetchall())
    if "complete" not in values:
        emit({"reusable": False})
        return
    deleted = {}
    with transaction.atomic():
        for name in ("notification", "reminder", "transition", "report"):
            deleted[name] = TRACKED[name].objects.filter(pk__gt=int(values[name])).delete()[0]
    # The deleted rows stay in the tables and their indexes until vacuumed, and a server
    # may run without autovacuum (this machine's does): each reuse would leave the next
    # run a sweep's worth more of them (2.2 million reminders after ten sweeps, and the
    # late list by reminders 80 → 880 ms).
    with connection.cursor() as cursor:
        for name in ("notification", "reminder", "transition"):
            if deleted[name]:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(TRACKED[name]._meta.db_table)}")
    # Deleting reports leaves the dashboard's tallies stale: rebuilt here, as the nightly job would
    # (only then: at national size the rebuild takes minutes).
    from dashboard.tallies import tallies_rebuild
    from tracker.celery import app

    if deleted["report"] or deleted["transition"]:
        tallies_rebuild()
    # The deletions also queued a rebuild for the worker; it is done already, and would
    # otherwise run during the measurements.
    app.control.purge()
    emit({"reusable": True, "built_at": values["complete"], "deleted": deleted})


def _open_pairs(assignments, today, taken=()):
    """(assignment, period) pairs owed now and not started: the period has
    begun, is not yet due, the unit is open, and no report exists."""
    assignments = list(assignments.select_related("unit", "task").order_by("unit_id", "task__number", "pk"))
    periods = {}
    for period in ReportingPeriod.objects.filter(
        schedule_id__in={a.schedule_id for a in assignments}, starts_on__lte=today, due_on__gte=today
    ).order_by("due_on", "pk"):
        periods.setdefault(period.schedule_id, []).append(period)
    reported = set(
        ProgressReport.objects.filter(assignment__in=assignments, period__due_on__gte=today).values_list(
            "assignment_id", "period_id"
        )
    )
    pairs = []
    for assignment in assignments:
        if not assignment.unit.is_open_on(today):
            continue
        for period in periods.get(assignment.schedule_id, ()):
            key = (assignment.pk, period.pk)
            if key not in reported and key not in taken and assignment.unit.is_open_during(period.starts_on, today):
                pairs.append((assignment, period))
                break
    return pairs


# --- discovery ------------------------------------------------------------------------------------


def _directive():
    directives = Directive.objects.filter(status=DirectiveStatus.IN_FORCE).order_by("pk")
    directive = directives.first()
    if directive is None:
        raise SystemExit("no directive in force in the bench database")
    return directive


def _province_unit():
    """The level-1 unit with the largest subtree: a province (national data) or
    the Tỉnh ủy (the Hải Dương demo)."""
    parents = dict(Unit.objects.without_tree_fields().values_list("pk", "parent_id"))
    size = dict.fromkeys(parents, 1)
    for pk in parents:
        seen, parent = {pk}, parents[pk]
        while parent is not None and parent not in seen:
            size[parent] += 1
            seen.add(parent)
            parent = parents.get(parent)
    level1 = Unit.objects.without_tree_fields().filter(level=UnitLevel.PROVINCE).order_by("code", "pk")
    best = max(level1, key=lambda unit: size[unit.pk], default=None)
    if best is None:
        raise SystemExit("no level-1 unit in the bench database")
    return best, size[best.pk]


def _sweep_moment(due_on, calendar):
    """09:00 on the working day three days before ``due_on`` (or the working day before that)."""
    day = due_on - datetime.timedelta(days=3)
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def discover(arg):
    """What the measurements need, found in the data: the directive, the
    latest due period and a 12-period range, a province, the load plan, the
    sweep's moment, the dataset's size."""
    users_wanted = int(arg or 50)
    today = timezone.localdate()
    directive = _directive()
    choices = period_choices(directive, today)
    due = [c for c in choices if c.periods[0].due_on <= today]
    if not due:
        raise SystemExit("no period of the directive is due yet")
    latest = due[-1]
    window = due[-RANGE_PERIODS:]
    province, province_units = _province_unit()

    # Each load user submits one report of its own: the first open pair of its
    # units that no earlier user has taken.
    plan, taken = [], set()
    current_due = None
    for user in User.objects.filter(username__startswith=LOAD_PREFIX, is_active=True).order_by("username"):
        units = Membership.objects.filter(user=user, role=MembershipRole.REPORTER).values_list("unit_id", flat=True)
        pairs = _open_pairs(Assignment.objects.filter(task__directive=directive, unit_id__in=list(units)), today, taken)
        entry = {"username": user.username, "report_url": None}
        if pairs:
            assignment, period = pairs[0]
            taken.add((assignment.pk, period.pk))
            entry["report_url"] = f"/assignments/{assignment.pk}/periods/{period.pk}/report/"
            current_due = min(current_due or period.due_on, period.due_on)
        plan.append(entry)
        if sum(1 for e in plan if e["report_url"]) >= users_wanted:
            break
    if current_due is None:
        upcoming = (
            ReportingPeriod.objects.filter(schedule__assignments__task__directive=directive, due_on__gte=today)
            .order_by("due_on")
            .first()
        )
        current_due = upcoming.due_on if upcoming else today + datetime.timedelta(days=7)

    emit(
        {
            "today": today,
            "directive": {"pk": directive.pk, "number": directive.number, "title": directive.title[:80]},
            "latest": {"key": latest.key, "label": str(latest.label), "due_on": latest.periods[0].due_on},
            "range": {"start": window[0].key, "end": window[-1].key, "periods": len(window)},
            "province": {"pk": province.pk, "name": province.name, "units": province_units},
            "plan": plan,
            "current_due_on": current_due,
            "sweep_now": _sweep_moment(current_due, WorkingCalendar()).isoformat(),
            "dataset": {
                "units": Unit.objects.count(),
                "assignments": Assignment.objects.filter(task__directive=directive).count(),
                "periods": ReportingPeriod.objects.filter(schedule__assignments__task__directive=directive)
                .distinct()
                .count(),
                "reports": ProgressReport.objects.count(),
                "successions": UnitSuccession.objects.count(),
                "load_users": len(plan),
            },
        }
    )


# --- SQL query counts, in process ------------------------------------------------------------------


def queries(arg):
    """Queries per request for the dashboard and the three exports, as the
    committee, with Django's test client against the bench database. Each URL
    is requested twice and the second (warm) count is reported. Exports are
    built in the request whatever their size (the count is of the build, not of
    handing it to a worker)."""
    params = json.loads(arg)
    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username="committee"))
    base = f"directive={params['directive']}"
    latest = f"{base}&start={params['latest']}&end={params['latest']}"
    ranged = f"{base}&start={params['start']}&end={params['end']}"
    scoped = f"{latest}&unit={params['unit']}"
    urls = {
        "dashboard_latest": f"/dashboard/?{latest}",
        "dashboard_range": f"/dashboard/?{ranged}",
        "export_xlsx": f"/dashboard/export.xlsx?{scoped}",
        "summary_docx": f"/dashboard/summary.docx?{scoped}",
        "summary_pdf": f"/dashboard/summary.pdf?{scoped}",
    }
    counts = {}
    with override_settings(EXPORT_INLINE_MAX_ROWS=10**9):
        for name, url in urls.items():
            for _attempt in range(2):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            counts[name] = {"queries": len(captured), "url": url}
    # Whether ?unit= scopes the dashboard: the selection it reads carries the unit.
    query = {"directive": params["directive"], "start": params["latest"], "end": params["latest"]}
    selection = selection_from(RequestFactory().get("/dashboard/", {**query, "unit": params["unit"]}))
    scoped_to = getattr(selection, "unit", None)
    emit({"counts": counts, "unit_scoping": getattr(scoped_to, "pk", scoped_to) == params["unit"]})


# --- correctness: the headline figures against a plain SQL recount -------------------------------

# Expected reports: (assignment, period) pairs on the assignment's schedule whose
# unit was open during the period; a pair whose unit had closed by the period's
# end and has one successor is owed by that successor (followed along the chain),
# once per task, unit and period. Received: a report submitted or accepted. On
# time: received, first submitted (submitted_at, Asia/Ho_Chi_Minh) on or before
# the due date plus the schedule's grace days. Accepted: the report that counts
# (on time before late) is accepted. Overdue: not received and the on-time limit
# has passed on the day the figures are for.
RECOUNT_SQL = """
WITH RECURSIVE
chosen AS (
    SELECT p.id, p.schedule_id, p.starts_on, p.ends_on, p.due_on + s.grace_days AS limit_on
    FROM reports_reportingperiod p JOIN reports_reportingschedule s ON s.id = p.schedule_id
    WHERE p.id = ANY(%(periods)s)
),
pairs AS (
    SELECT a.id AS assignment_id, a.task_id, a.unit_id, c.id AS period_id, c.ends_on, c.limit_on
    FROM reports_assignment a
    JOIN directives_task t ON t.id = a.task_id
    JOIN units_unit u ON u.id = a.unit_id
    JOIN chosen c ON c.schedule_id = a.schedule_id
    WHERE t.directive_id = %(directive)s
      AND (u.valid_from IS NULL OR u.valid_from <= c.ends_on)
      AND (u.valid_to IS NULL OR u.valid_to >= c.starts_on)
),
single AS (
    SELECT predecessor_id, min(successor_id) AS successor_id
    FROM units_unitsuccession GROUP BY predecessor_id HAVING count(*) = 1
),
chain AS (
    SELECT unit_id AS start_id, ends_on, unit_id AS owing_id, 0 AS depth
    FROM (SELECT DISTINCT unit_id, ends_on FROM pairs) AS needed
    UNION ALL
    SELECT chain.start_id, chain.ends_on, single.successor_id, chain.depth + 1
    FROM chain
    JOIN units_unit u ON u.id = chain.owing_id
    JOIN single ON single.predecessor_id = u.id
    WHERE u.valid_to IS NOT NULL AND u.valid_to < chain.ends_on AND chain.depth < 50
),
owing AS (
    SELECT DISTINCT ON (start_id, ends_on) start_id, ends_on, owing_id
    FROM chain ORDER BY start_id, ends_on, depth DESC
),
filed AS (
    SELECT pairs.task_id, owing.owing_id, pairs.period_id, pairs.limit_on,
           r.state IN ('submitted', 'accepted') AS received,
           r.state IN ('submitted', 'accepted')
               AND (r.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= pairs.limit_on AS on_time,
           r.state = 'accepted' AS accepted
    FROM pairs
    JOIN owing ON owing.start_id = pairs.unit_id AND owing.ends_on = pairs.ends_on
    LEFT JOIN reports_progressreport r ON r.assignment_id = pairs.assignment_id AND r.period_id = pairs.period_id
),
owed AS (
    SELECT task_id, owing_id, period_id, min(limit_on) AS limit_on,
           coalesce(bool_or(received), false) AS received,
           coalesce(bool_or(on_time), false) AS on_time,
           CASE WHEN coalesce(bool_or(on_time), false) THEN coalesce(bool_or(on_time AND accepted), false)
                ELSE coalesce(bool_or(received AND accepted), false) END AS accepted
    FROM filed GROUP BY task_id, owing_id, period_id
)
SELECT count(*),
       count(*) FILTER (WHERE received),
       count(*) FILTER (WHERE on_time),
       count(*) FILTER (WHERE accepted),
       count(*) FILTER (WHERE NOT received AND %(as_of)s > limit_on)
FROM owed
"""
HEADLINE = ("expected", "received", "on_time", "accepted", "overdue")


def correctness(arg):
    params = json.loads(arg)
    cases = {"latest": (params["latest"], params["latest"]), "range": (params["start"], params["end"])}
    result = {"successions": UnitSuccession.objects.count(), "cases": {}}
    for name, (start, end) in cases.items():
        request = RequestFactory().get("/dashboard/", {"directive": params["directive"], "start": start, "end": end})
        selection = selection_from(request)
        if (selection.start, selection.end) != (start, end):
            raise SystemExit(f"the dashboard did not take the selection {start}..{end}")
        # What the dashboard shows: its tallies when they answer (always, on a fresh bench
        # database), otherwise the live figures.
        tallied = tally_dashboard(selection)
        counts = (tallied[0] if tallied else selection.figures()).total.counts
        result.setdefault("source", {})[name] = "tallies" if tallied else "live"
        dashboard = {field: getattr(counts, field) for field in HEADLINE}
        with connection.cursor() as cursor:
            cursor.execute(
                RECOUNT_SQL,
                {"periods": [p.pk for p in selection.periods], "directive": selection.directive.pk,
                 "as_of": selection.as_of},
            )  # fmt: skip
            recount = dict(zip(HEADLINE, cursor.fetchone(), strict=True))
        case = {"dashboard": dashboard, "sql": recount, "equal": dashboard == recount}
        if tallied and Assignment.objects.filter(task__directive=selection.directive).count() <= 20000:
            # Small enough to compute live as well: the live figures must agree too.
            live = selection.figures().total.counts
            case["live"] = {field: getattr(live, field) for field in HEADLINE}
            case["equal"] = case["equal"] and case["live"] == recount
        result["cases"][name] = case
    result["ok"] = all(case["equal"] for case in result["cases"].values())
    emit(result)


# --- the reminder sweep ------------------------------------------------------------------------------


def sweep(arg):
    from reminders.services import reminders_sweep

    now = datetime.datetime.fromisoformat(arg)
    before = Reminder.objects.count()
    started = time.perf_counter()
    result = reminders_sweep(now=now)
    seconds = time.perf_counter() - started
    emit(
        {
            "now": now.isoformat(),
            "seconds": round(seconds, 3),
            "queued": Reminder.objects.count() - before,
            "sent": result.sent,
            "planned": result.planned,
            "skipped": result.skipped,
            "waiting": result.waiting,
            "email_backend": settings.EMAIL_BACKEND,
        }
    )


# --- the tallies: the nightly full rebuild, and one assignment's re-tally ------------------------


def tallies(arg):
    """The full rebuild of every directive's tallies (the nightly job), then
    the re-tally an assignment's change makes (of its task in its top row of
    the matrix, as editing it in the admin does): ``arg`` is a unit's pk."""
    from dashboard.tallies import tallies_rebuild, tallies_retally

    started = time.perf_counter()
    rows = tallies_rebuild()
    rebuild_seconds = time.perf_counter() - started
    assignment = (Assignment.objects.filter(unit_id=int(arg)).order_by("pk").first()
                  or Assignment.objects.filter(unit__parent_id=int(arg)).order_by("pk").first())  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic():
        tallies_retally(pairs={(assignment.task_id, assignment.unit_id)})
    largest = max((Assignment.objects.filter(task__directive=d).count() for d in Directive.objects.in_force()),
                  default=0)  # fmt: skip
    processes = settings.TALLY_PROCESSES if largest >= settings.TALLY_PROCESSES_FROM else 1
    emit({"rows": rows, "seconds": round(rebuild_seconds, 2), "processes": processes,
          "retally_seconds": round(time.perf_counter() - started, 2)})  # fmt: skip


def pages_discover(arg):
    from bench import pages

    emit(pages.discover(json.loads(arg)))


def pages_check(arg):
    from bench import pages

    emit(pages.check(json.loads(arg)))


def emails(arg):
    """The e-mail outbox delivering the sweep's e-mails: up to ``arg`` of them
    (the oldest pending), through the configured backend (the bench's discards
    them: this is the application's side of the rate, not a mail server's)."""
    from notifications.emails import email_outbox_flush
    from notifications.models import EmailStatus

    limit = int(arg or 2000)
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING).count()
    started = time.perf_counter()
    sent = email_outbox_flush(limit=limit)
    seconds = time.perf_counter() - started
    rate = round(sent / seconds, 1) if seconds else None
    emit({"pending": pending, "sent": sent, "seconds": round(seconds, 2), "per_second": rate,
          "email_backend": settings.EMAIL_BACKEND})  # fmt: skip


COMMANDS = {
    "emails": emails,
    "pages_discover": pages_discover,
    "pages_check": pages_check,
    "baseline": baseline,
    "reset": reset,
    "discover": discover,
    "queries": queries,
    "correctness": correctness,
    "sweep": sweep,
    "tallies": tallies,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None)
