"""The pages a committee member or the office opens besides the dashboard,
measured at the bench's scale (``bench/run.py``) and checked against plain SQL
recounts (``python -m bench.probe pages_check``): the late list in every sort
order, first and second page; a province's unit page and its matrix expansion;
the office inbox unfiltered and filtered; the drill-down to a single
assignment. Also the growth table: national ÷ province for each page, from
``bench/results-<scale>.json``.

The HTTP side (``measure``) runs in the bench process; ``discover`` and
``check`` run in a probe subprocess with Django set up.
"""

import json
import re

SORTS = ("days", "unit", "task", "reminders")
HEADLINE = ("expected", "received", "on_time", "accepted", "overdue")
NEXT = re.compile(r"late_after=([0-9]+-[0-9]+)")
# Pages measured at both scales whose growth the ratio table reports.
KEY_PAGES = (
    "floor",
    "dashboard_latest",
    "dashboard_range",
    *(f"late_{sort}_{page}" for sort in SORTS for page in (1, 2)),
    "unit_province",
    "matrix_province",
    "inbox",
    "inbox_filtered",
    "assignment_rows",
    "task_whole",
    "task_province",
    "rows_whole",
    "rows_province",
)


# --- in the probe (Django set up) ------------------------------------------------------------------


def discover(params):
    """What the page URLs need: a commune with assignments in the province, one
    of its tasks, and inbox filters that match waiting reports."""
    from reports.models import Assignment, ProgressReport, ReportState

    province = params["province"]
    assignment = (
        Assignment.objects.filter(task__directive_id=params["directive"], unit__parent__parent_id=province)
        .order_by("unit__code", "task__number")
        .select_related("unit", "task")
        .first()
    ) or Assignment.objects.filter(task__directive_id=params["directive"]).order_by("pk").first()
    waiting = (
        ProgressReport.objects.filter(state=ReportState.SUBMITTED, assignment__task__directive_id=params["directive"])
        .select_related("assignment__unit", "period")
        .order_by("-period__due_on", "pk")
        .first()
    )
    inbox = {}
    if waiting is not None:
        inbox = {
            "directive": params["directive"],
            "task": waiting.assignment.task_id,
            "level": waiting.assignment.unit.level,
            "period": waiting.period.key,
        }
    return {"assignment": {"pk": assignment.pk, "unit": assignment.unit_id, "task": assignment.task_id},
            "inbox": inbox}  # fmt: skip


def urls(params, found):
    """{name: (user, path)} of every page measured."""
    latest = f"directive={params['directive']}&start={params['latest']}&end={params['latest']}"
    ranged = f"directive={params['directive']}&start={params['start']}&end={params['end']}"
    province = params["province"]
    pages = {f"late_{sort}_1": ("office", f"/dashboard/?{ranged}&late_sort={sort}") for sort in SORTS}
    pages["unit_province"] = ("committee", f"/dashboard/units/{province}/?{latest}")
    pages["matrix_province"] = ("committee", f"/dashboard/units/{province}/rows/?{latest}")
    pages["inbox"] = ("office", "/inbox/")
    if found["inbox"]:
        pages["inbox_filtered"] = ("office", "/inbox/?" + "&".join(f"{k}={v}" for k, v in found["inbox"].items()))
    one = found["assignment"]
    pages["assignment_rows"] = (
        "committee", f"/dashboard/figures/?{ranged}&unit={one['unit']}&scope=own&task={one['task']}")  # fmt: skip
    # A task's drill-down and the overdue reports behind its figure, for the whole directive and a province.
    task = one["task"]
    pages["task_whole"] = ("committee", f"/dashboard/tasks/{task}/?{latest}")
    pages["task_province"] = ("committee", f"/dashboard/tasks/{task}/?{latest}&unit={province}")
    pages["rows_whole"] = ("committee", f"/dashboard/figures/?{latest}&task={task}&measure=overdue")
    pages["rows_province"] = ("committee", f"/dashboard/figures/?{latest}&unit={province}&task={task}&measure=overdue")
    return pages


LATE_SQL = """
WITH per AS (
    SELECT p.id, p.schedule_id, p.ends_on, %(as_of)s - (p.due_on + s.grace_days) AS days
    FROM reports_reportingperiod p JOIN reports_reportingschedule s ON s.id = p.schedule_id
    WHERE p.id = ANY(%(periods)s) AND p.due_on + s.grace_days < %(as_of)s
)
SELECT a.id, per.id
FROM reports_assignment a
JOIN directives_task t ON t.id = a.task_id
JOIN units_unit u ON u.id = a.unit_id
JOIN per ON per.schedule_id = a.schedule_id
LEFT JOIN reports_progressreport r ON r.assignment_id = a.id AND r.period_id = per.id
LEFT JOIN LATERAL (SELECT count(*) AS sent FROM reminders_reminder m
                   WHERE m.assignment_id = a.id AND m.period_id = per.id AND m.status = 'sent') m ON true
WHERE t.directive_id = %(directive)s
  AND (u.valid_from IS NULL OR u.valid_from <= per.ends_on) AND (u.valid_to IS NULL OR u.valid_to >= per.ends_on)
  AND (r.id IS NULL OR r.state NOT IN ('submitted', 'accepted'))
ORDER BY {order}
LIMIT 50
"""
LATE_ORDER = {
    "days": "per.days DESC, u.name, t.number, a.id, per.id",
    "unit": "u.name, t.number, per.days DESC, a.id, per.id",
    "task": "t.number, per.days DESC, u.name, a.id, per.id",
    "reminders": "m.sent DESC, per.days DESC, u.name, t.number, a.id, per.id",
}


INBOX_SQL = """
SELECT count(*) FROM reports_progressreport r
JOIN reports_assignment a ON a.id = r.assignment_id JOIN directives_task t ON t.id = a.task_id
JOIN units_unit u ON u.id = a.unit_id JOIN reports_reportingperiod p ON p.id = r.period_id
WHERE r.state = 'submitted'
"""
INBOX_FILTERS = """
AND t.directive_id = %(directive)s AND t.id = %(task)s AND u.level = %(level)s AND p.key = %(period)s
"""


def check(params):
    """Each page's figures as the page shows them (Django's test client, the
    template context) against a plain SQL recount; the late list's first two
    pages against the whole sorted list."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.probe import RECOUNT_SQL
    from units.models import Unit

    setup_test_environment()  # the responses carry their template context
    users = {name: Client(SERVER_NAME="localhost") for name in ("committee", "office")}
    for name, client in users.items():
        client.force_login(get_user_model().objects.get(username=name))
    found, cases = params["found"], {}

    def get(user, path):
        response = users[user].get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    pages = urls(params, found)
    # The late list: first and second page of every order = the first 50 rows of a plain sort.
    for sort in SORTS:
        user, path = pages[f"late_{sort}_1"]
        first = get(user, path)
        shown = [(row.assignment.pk, row.period.pk) for row in first.context["late"]]
        if first.context["late_next"]:
            second = get(user, f"{path}&late_after={first.context['late_next']}")
            shown += [(row.assignment.pk, row.period.pk) for row in second.context["late"]]
        selection = first.context["selection"]
        with connection.cursor() as cursor:
            cursor.execute(LATE_SQL.format(order=LATE_ORDER[sort]),
                           {"periods": [p.pk for p in selection.periods], "as_of": selection.as_of,
                            "directive": selection.directive.pk})  # fmt: skip
            recount = [tuple(row) for row in cursor.fetchall()]
        cases[f"late_{sort}"] = {"rows": len(shown), "equal": shown == recount[: len(shown)] and len(shown) > 0}

    def recount(selection, units, task=None):
        sql = RECOUNT_SQL.replace("FROM owed\n", "FROM owed WHERE owing_id = ANY(%(units)s) "
                                  "AND (%(task)s::bigint IS NULL OR task_id = %(task)s::bigint)\n")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(sql, {"periods": [p.pk for p in selection.periods], "directive": selection.directive.pk,
                                 "as_of": selection.as_of, "units": list(units), "task": task})  # fmt: skip
            return dict(zip(HEADLINE, cursor.fetchone(), strict=True))

    # A province's unit page: its subtree's headline counts.
    unit_page = get(*pages["unit_province"])
    figures, subtree = unit_page.context["figures"], unit_page.context["subtree"]
    counts = {name: getattr(subtree.counts, name) for name in HEADLINE}
    sql = recount(unit_page.context["selection"], figures.subtree_ids(params["province"]))
    cases["unit_province"] = {"page": counts, "sql": sql, "equal": counts == sql}
    # The drill-down to one assignment: its expected rows, and how many were received.
    one = found["assignment"]
    rows_page = get(*pages["assignment_rows"])
    rows = rows_page.context["rows"]
    shown = {"expected": len(rows), "received": sum(1 for _cell, row in rows if row.counts.received)}
    sql = recount(rows_page.context["selection"], [one["unit"]], one["task"])
    cases["assignment_rows"] = {"page": shown, "sql": {k: sql[k] for k in shown}, "equal": shown == {
        k: sql[k] for k in shown}}  # fmt: skip
    # A task's drill-down: its figures, and (for the whole directive) its top rows adding up to them.
    everything = list(Unit.objects.without_tree_fields().values_list("pk", flat=True))
    for name, units in (("task_whole", everything), ("task_province", None)):
        page = get(*pages[name])
        block = page.context["task_figures"].block
        counts = {key: getattr(block.counts, key) for key in HEADLINE}
        if units is None:
            units = page.context["figures"].subtree_ids(params["province"])
        sql = recount(page.context["selection"], units, one["task"])
        rows = page.context["top_rows"]
        added = None if rows is None else {key: sum(getattr(r.block.counts, key) for r in rows) for key in HEADLINE}
        cases[name] = {"page": counts, "sql": sql, "equal": counts == sql and added in (None, counts)}
    # The overdue reports behind a task's figure: counted by top row, or listed.
    for name, units in (("rows_whole", everything), ("rows_province", None)):
        page = get(*pages[name])
        shown = page.context["top_total"] if "top_rows" in page.context else len(page.context["rows"])
        if units is None:
            units = page.context["figures"].subtree_ids(params["province"])
        sql = recount(page.context["selection"], units, one["task"])["overdue"]
        cases[name] = {"page": shown, "sql": sql, "equal": shown == sql}
    # The inbox: how many reports wait, unfiltered and filtered.
    for name in ("inbox", "inbox_filtered"):
        if name not in pages:
            continue
        page = get(*pages[name])
        sql = INBOX_SQL + (INBOX_FILTERS if name == "inbox_filtered" else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, found["inbox"] or {})
            expected = cursor.fetchone()[0]
        shown = page.context["page"].paginator.count
        cases[name] = {"page": shown, "sql": expected, "equal": shown == expected}
    return {"cases": cases, "ok": all(case["equal"] for case in cases.values())}


# --- in the bench process (HTTP) ----------------------------------------------------------------------


def measure(sessions, base, params, found, *, sample, count):
    """Server-side timings of every page (``sample`` from bench/run.py); the
    late list's second page follows the first page's "next" link."""
    results = {}
    for name, (user, path) in urls(params, found).items():
        results[name] = sample(sessions[user], base + path, count=count)
        if name.startswith("late_"):
            page = sessions[user].get(base + path, timeout=600)
            after = NEXT.search(page.text)
            if after:
                second = f"{path}&late_after={after.group(1)}"
                results[name.replace("_1", "_2")] = sample(sessions[user], base + second, count=count)
    return results


def measure_reminded(office, base, params, *, sample, count):
    """The late list by reminders sent, first and second page, measured again
    after the sweep has sent its reminders (before it, no row has any)."""
    ranged = f"directive={params['directive']}&start={params['start']}&end={params['end']}"
    path = f"/dashboard/?{ranged}&late_sort=reminders"
    results = {"late_reminders_swept_1": sample(office, base + path, count=count)}
    after = NEXT.search(office.get(base + path, timeout=600).text)
    if after:
        results["late_reminders_swept_2"] = sample(office, f"{base}{path}&late_after={after.group(1)}", count=count)
    return results


def targets(pages):
    """(name, value, limit, how) rows for bench/run.py's targets: p95 ≤ 250 ms each."""
    return [(f"{name} p95 (ms)", row["p95_ms"], 250, "le") for name, row in sorted(pages.items())]


# --- growth: national ÷ province --------------------------------------------------------------------


def _p50s(results):
    m = results.get("measurements", {})
    found = {name: m[name]["p50_ms"] for name in ("floor", "dashboard_latest", "dashboard_range") if name in m}
    found.update({name: row["p50_ms"] for name, row in m.get("pages", {}).items()})
    return found


def growth(province, national):
    """{page: {province, national, ratio}} of the server-side p50s, and the data's own growth."""
    small, large = _p50s(province), _p50s(national)
    rows = {}
    for name in KEY_PAGES:
        if small.get(name) and large.get(name):
            rows[name] = {"province_ms": small[name], "national_ms": large[name],
                          "ratio": round(large[name] / small[name], 2)}  # fmt: skip
    data = {}
    for key in ("units", "assignments", "reports"):
        a, b = province.get("dataset", {}).get(key), national.get("dataset", {}).get(key)
        if a and b:
            data[key] = round(b / a, 1)
    return {"pages": rows, "data": data}


def print_growth(table):
    print("growth, national ÷ province (server-side p50): data " + ", ".join(
        f"{key} × {value}" for key, value in table["data"].items()))  # fmt: skip
    print(f"{'page':<30}{'province ms':>14}{'national ms':>14}{'ratio':>8}")
    for name, row in table["pages"].items():
        print(f"{name:<30}{row['province_ms']:>14}{row['national_ms']:>14}{row['ratio']:>8}")
    print()


def load(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
