"""The dissemination targets of ``make bench`` (issue #14): the dashboard's
coverage section and its drill-down (p95 ≤ 250 ms, sequential, server time),
the Party cell's confirmation page (p95 ≤ 150 ms) and confirm (p95 ≤ 250 ms)
under 50 secretaries' load (locust, ``bench/dissemination_locust.py``), and
the coverage figures against a plain SQL recount.

``bench/run.py`` calls ``measure`` with the app it started and ``probe``
runs inside Django (``python -m bench.dissemination recount``). On its own,
against a running app and its database:
``python -m bench.dissemination measure http://127.0.0.1:8105``."""

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RECOUNT_SQL = """
WITH cells AS (
  SELECT u.id, COALESCE(s.party_members, c.members_total, 0) AS members, c.id AS confirmed,
         c.members_present, c.confirmed_on, c.due_on
  FROM units_unit u
  LEFT JOIN dissemination_cellsize s ON s.cell_id = u.id
  LEFT JOIN dissemination_cellconfirmation c ON c.cell_id = u.id AND c.directive_id = %(directive)s
  WHERE u.kind = 'party_cell' AND (u.valid_from IS NULL OR u.valid_from <= %(today)s)
    AND (u.valid_to IS NULL OR u.valid_to >= %(today)s)
)
SELECT COUNT(*), COUNT(confirmed) FILTER (WHERE due_on IS NULL OR confirmed_on <= due_on),
       COUNT(confirmed) FILTER (WHERE confirmed_on > due_on), COALESCE(SUM(members), 0),
       COALESCE(SUM(members_present), 0)
FROM cells
"""
PLANS_SQL = """
SELECT COUNT(*), COUNT(p.id) FILTER (WHERE p.due_on IS NULL OR p.issued_on <= p.due_on),
       COUNT(p.id) FILTER (WHERE p.issued_on > p.due_on)
FROM units_unit u
LEFT JOIN dissemination_implementingplan p ON p.unit_id = u.id AND p.directive_id = %(directive)s
WHERE u.kind IN ('party_committee', 'party_delegation', 'party_personnel_committee') AND u.id <> %(issuing)s
  AND (u.valid_from IS NULL OR u.valid_from <= %(today)s) AND (u.valid_to IS NULL OR u.valid_to >= %(today)s)
"""


def recount():
    """Inside Django: the coverage of the scale directive and the same figures
    by plain SQL over the whole (unreorganised) scale tree."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from directives.models import Directive
    from dissemination.coverage import coverage_build

    directive = Directive.objects.in_force().order_by("pk").first()
    today = timezone.localdate()
    total = coverage_build(directive=directive, today=today).total
    params = {"directive": directive.pk, "today": today, "issuing": directive.issuing_unit_id or 0}
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_SQL, params)
        cells, on_time, late, members, reached = cursor.fetchone()
        cursor.execute(PLANS_SQL, params)
        committees, plans_on_time, plans_late = cursor.fetchone()
        cursor.execute(
            "SELECT u.username, c.unit_id FROM units_membership c JOIN auth_user u ON u.id = c.user_id "
            "WHERE u.username LIKE 'cb-%%' AND c.role = 'head' ORDER BY u.username"
        )
        secretaries = cursor.fetchall()
        cursor.execute(
            "SELECT u.parent_id FROM units_unit u WHERE u.kind = 'party_cell' GROUP BY u.parent_id "
            "ORDER BY COUNT(*) DESC LIMIT 1"
        )
        (commune,) = cursor.fetchone()
        cursor.execute("SELECT parent_id FROM units_unit WHERE id = %s", [commune])
        (province,) = cursor.fetchone()
    sql = [committees, plans_on_time, plans_late, cells, on_time, late, members, reached]
    ours = [total.committees, total.plans_on_time, total.plans_late, total.cells, total.cells_on_time,
            total.cells_late, total.members, total.members_reached]  # fmt: skip
    return {
        "directive": directive.pk, "equal": sql == ours, "coverage": ours, "sql": sql,
        "province": province, "commune": commune,
        "secretaries": [{"username": u, "cell": c} for u, c in secretaries],
    }  # fmt: skip


def recount_in(env):
    """``recount`` in a subprocess with the bench's environment."""
    done = subprocess.run([sys.executable, "-m", "bench.dissemination", "recount"], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=True, timeout=1800)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1].removeprefix("BENCH-JSON: "))


def load(base, plan_users, *, users, seconds, password, log_dir):
    """Headless locust: ``users`` secretaries for ``seconds`` after they have all signed in."""
    with tempfile.TemporaryDirectory(prefix="bench-diss-") as work:
        plan = Path(work) / "plan.json"
        plan.write_text(json.dumps({"users": plan_users, "password": password, "measure_seconds": seconds}))
        prefix = Path(work) / "locust"
        args = [
            str(BIN / "locust"), "-f", str(ROOT / "bench" / "dissemination_locust.py"), "--headless",
            "--users", str(users), "--spawn-rate", "10", "--run-time", f"{seconds + 120}s", "--host", base,
            "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        with (Path(log_dir) / "locust-dissemination.log").open("w") as handle:
            subprocess.run(args, cwd=ROOT, env={**os.environ, "BENCH_DISSEMINATION_PLAN": str(plan)},  # noqa: S603
                           stdout=handle, stderr=subprocess.STDOUT, timeout=seconds + 240, check=True)  # fmt: skip
        with Path(f"{prefix}_stats.csv").open() as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}

    def stats(name):
        row = rows.get(name) or {}
        number = lambda key: float(row[key]) if row.get(key) not in (None, "", "N/A") else None  # noqa: E731
        return {"requests": int(row.get("Request Count", 0)), "errors": int(row.get("Failure Count", 0)),
                "p50_ms": number("50%"), "p95_ms": number("95%")}  # fmt: skip

    return {"users": users, "seconds": seconds, "page": stats("confirmation page"), "confirm": stats("confirm")}


def measure(base, committee, found, *, requests=50, users=50, seconds=60, password="demo", log_dir="var/bench"):  # noqa: S107
    """Everything but the recount (``found``): sequential samples as the
    committee, then the secretaries' load."""
    from bench.run import sample

    directive = found["directive"]
    section = f"{base}/dashboard/dissemination/?directive={directive}"
    committee.headers["HX-Request"] = "true"
    results = {"section": sample(committee, section, count=requests)}
    del committee.headers["HX-Request"]
    results["drill_down_province"] = sample(
        committee, f"{base}/dashboard/dissemination/units/{found['province']}/?directive={directive}", count=requests
    )
    results["drill_down_commune"] = sample(
        committee, f"{base}/dashboard/dissemination/units/{found['commune']}/?directive={directive}", count=requests
    )
    results["drill_down_all_cells"] = sample(
        committee, f"{base}/dashboard/dissemination/cells/?directive={directive}&page=3", count=requests
    )
    plan_users = [{"username": s["username"], "url": f"/dissemination/{directive}/cells/{s['cell']}/"}
                  for s in found["secretaries"]]  # fmt: skip
    results["load"] = load(base, plan_users, users=users, seconds=seconds, password=password, log_dir=log_dir)
    return results


def targets(m):
    """Rows for ``bench/run.py``'s target table."""
    drill = max(m[k]["p95_ms"] for k in ("drill_down_province", "drill_down_commune", "drill_down_all_cells"))
    load_ = m["load"]
    return [
        ("dissemination section p95 (ms)", m["section"]["p95_ms"], 250, "le"),
        ("dissemination drill-down p95 (ms)", drill, 250, "le"),
        ("cell confirmation page p95 under load (ms)", load_["page"]["p95_ms"], 150, "le"),
        ("cell confirm p95 under load (ms)", load_["confirm"]["p95_ms"], 250, "le"),
        ("cell confirm errors", load_["confirm"]["errors"] + load_["page"]["errors"], 0, "le"),
        ("coverage = SQL recount", m["recount"]["equal"], True, "eq"),
    ]


def main(argv):
    if argv[:1] == ["recount"]:
        print("BENCH-JSON: " + json.dumps(recount(), default=str))
        return 0
    if argv[:1] == ["measure"]:
        from bench.run import signed_in

        base = argv[1]
        found = recount_in(os.environ)
        m = measure(base, signed_in(base, "committee"), found, seconds=int(os.environ.get("LOAD_SECONDS", "60")))
        m["recount"] = {k: found[k] for k in ("equal", "coverage", "sql")}
        m["targets"] = [{"name": n, "value": v, "limit": lim, "pass": v is not None and (
            v <= lim if how == "le" else v == lim)} for n, v, lim, how in targets(m)]  # fmt: skip
        print(json.dumps(m, indent=2, default=str))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
