"""The follow-up register's part of the benchmark (issue #15), called by
bench/run.py: the register filtered and sorted, one unit's items and the
dashboard (with its follow-up section) as the committee opens them, p95 of
the server's time under 250 ms nationally; the section's own time in the
process; and its figures against an independent SQL recount.

The in-process commands run in a subprocess like bench/probe.py's:
``python -m bench.followups discover|check``, each printing one
``BENCH-JSON: {...}`` line.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MS = 250
SECTION_SAMPLES = 30
COLD_SAMPLES = 5

# What the section counts, recounted from the tables alone (no ORM, no model method).
RECOUNT_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE i.status NOT IN ('settled', 'not_feasible')),
       count(*) FILTER (WHERE i.status NOT IN ('settled', 'not_feasible') AND i.due_on < %(today)s),
       count(*) FILTER (WHERE i.status = 'settled'),
       count(*) FILTER (WHERE i.status = 'settled' AND i.completed_on <= i.due_on),
       count(*) FILTER (WHERE i.status = 'not_feasible')
FROM followups_followupitem i
"""
RECOUNT_BY_KIND_SQL = """
SELECT d.kind, count(*) FILTER (WHERE i.status = 'settled' AND i.completed_on <= i.due_on), count(*) FILTER
       (WHERE i.status = 'settled')
FROM followups_followupitem i JOIN followups_sourcedocument d ON d.id = i.document_id GROUP BY d.kind
"""
RECOUNT_TOP_LEAD_SQL = """
SELECT a.unit_id, count(*) FILTER (WHERE i.status NOT IN ('settled', 'not_feasible') AND i.due_on < %(today)s) AS o
FROM followups_followupaddressee a JOIN followups_followupitem i ON i.id = a.item_id
WHERE a.role = 'lead' GROUP BY a.unit_id ORDER BY o DESC LIMIT 1
"""
TALLY = ("total", "open", "overdue", "settled", "settled_on_time", "not_feasible")


def emit(payload):
    print("BENCH-JSON: " + json.dumps(payload, default=str, ensure_ascii=False))


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def discover(_arg=None):
    """The URLs to measure: the register filtered and sorted, and the unit with the most items's items."""
    _setup()
    from django.db.models import Count
    from django.urls import reverse

    from followups.models import FollowUpAddressee, FollowUpItem

    busiest = (
        FollowUpAddressee.objects.filter(role="lead").values("unit_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    register = reverse("followup_register")
    emit(
        {
            "items": FollowUpItem.objects.count(),
            "register": f"{register}?kind=supervision&status=open&sort=-due",
            "unit": f"{register}?addressee={busiest['unit_id']}&sort=due" if busiest else None,
            "unit_items": busiest["n"] if busiest else 0,
        }
    )


def check(_arg=None):
    """The section's figures against the SQL recount, and its time in the process."""
    _setup()
    from django.db import connection
    from django.utils import timezone

    from followups.dashboard import dashboard_section, followup_figures

    today = timezone.localdate()
    cold = []
    for _ in range(COLD_SAMPLES):  # computed from the tables, as after every change to the register
        started = time.perf_counter()
        figures = followup_figures(today=today)
        cold.append((time.perf_counter() - started) * 1000)
    selection = SimpleNamespace(unit=None, as_of=today)
    dashboard_section(selection)
    timings = []
    for _ in range(SECTION_SAMPLES):  # as the dashboard reads it: from the cache until the register changes
        started = time.perf_counter()
        dashboard_section(selection)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    cold.sort()
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_SQL, {"today": today})
        recount = dict(zip(TALLY, cursor.fetchone(), strict=True))
        cursor.execute(RECOUNT_BY_KIND_SQL)
        by_kind = {kind: [on_time, settled] for kind, on_time, settled in cursor.fetchall()}
        cursor.execute(RECOUNT_TOP_LEAD_SQL, {"today": today})
        top = cursor.fetchone()
    section = {name: getattr(figures.total, name) for name in TALLY}
    section_kinds = {
        row.kind: [row.tally.settled_on_time, row.tally.settled] for row in figures.by_source if row.tally.total
    }
    top_equal = top is None or (figures.by_addressee and figures.by_addressee[0].tally.overdue == top[1])
    emit(
        {
            "section": section,
            "sql": recount,
            "by_kind_equal": section_kinds == by_kind,
            "top_lead_equal": bool(top_equal),
            "ok": section == recount and section_kinds == by_kind and bool(top_equal),
            "section_computed_ms": {"p50": round(cold[len(cold) // 2], 1), "max": round(cold[-1], 1)},
            "section_ms": {
                "p50": round(timings[len(timings) // 2], 1),
                "p95": round(timings[int(len(timings) * 0.95) - 1], 1),
            },
        }
    )


def _run(env, command):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.followups", command], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=1800,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH-JSON: ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bench.followups {command} failed: {(done.stderr or done.stdout)[-3000:]}")
    return json.loads(lines[-1].removeprefix("BENCH-JSON: "))


def measure(env, session, base, sample, *, count):
    """The register's measurements (``sample`` is bench.run.sample), for run.py."""
    found = _run(env, "discover")
    result = {"items": found["items"], "unit_items": found["unit_items"]}
    result["register"] = sample(session, base + found["register"], count=count)
    if found["unit"]:
        result["unit"] = sample(session, base + found["unit"], count=count)
    return result


def correctness(env):
    return _run(env, "check")


def target_rows(m):
    """Rows for bench.run.targets_of: (name, value, limit, "le" | "eq")."""
    f = m.get("followups")
    if not f:
        return []
    rows = [
        ("follow-up register filtered, sorted p95 (ms)", f["register"]["p95_ms"], LIMIT_MS, "le"),
        ("follow-up items of one unit p95 (ms)", f.get("unit", {}).get("p95_ms"), LIMIT_MS, "le"),
        ("follow-up dashboard section p95 (ms)", f["check"]["section_ms"]["p95"], LIMIT_MS, "le"),
        ("follow-up section computed, max of 5 (ms)", f["check"]["section_computed_ms"]["max"], 1000, "le"),
        ("follow-up figures = SQL recount", f["check"]["ok"], True, "eq"),
    ]
    return rows


COMMANDS = {"discover": discover, "check": check}

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    COMMANDS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None)
