"""The benchmark: ``python -m bench.run --scale province|national`` (``make bench``).

Against PostgreSQL and Redis it (re)builds the scale dataset, starts the app
with gunicorn in production configuration, and measures the dashboard against a
trivial view, "my work" and report submission under concurrent load (locust),
the reminder sweep, the summary exports for one province, SQL query counts and
the dashboard's figures against an independent SQL recount. It prints a table,
writes ``bench/results.json`` and exits non-zero when the harness or a
correctness check fails; missed speed targets are reported, not fatal.

Environment: ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/tracker_bench_<scale>``; the database is
dropped and created), ``REDIS_URL`` (default ``redis://127.0.0.1:6379/3``; that
Redis database is flushed: the bench owns it), ``BENCH_REUSE=1`` (keep a
complete dataset from an earlier run), ``VAR_DIR`` (default ``var/bench``).
"""

import argparse
import csv
import datetime
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis
import requests

from bench import followups as followups_bench
from bench import importing, pages

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
SCALES = {"province": {"load_seconds": 60}, "national": {"load_seconds": 120}}
TIMING = re.compile(r"app;dur=([0-9.]+)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "demo"  # noqa: S105 (the demo accounts' documented password)


class HarnessError(Exception):
    """The bench could not measure something (as opposed to a slow answer)."""


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment and subprocesses -------------------------------------------------------------


def environments(database_url, redis_url, var_dir):
    common = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "EMAIL_URL": "dummymail://",
        "PYTHONUNBUFFERED": "1",
    }
    # demo_data only runs with DEBUG on; everything measured runs as in production.
    build = {**common, "DEBUG": "1"}
    production = {
        **common,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no TLS redirect, cookies without Secure.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "60",
        # Server-Timing is what the dashboard measurements read (off by default).
        "SERVER_TIMING": "1",
        "LOG_LEVEL": "WARNING",
        **api_bench().ENVIRONMENT,
    }
    return build, production


def api_bench():
    """bench/api.py (imported late: it uses this module's helpers)."""
    from bench import api

    return api


def manage(env, *args, capture=False, timeout=None):
    command = [PYTHON, "manage.py", *args]
    log("$ " + " ".join(["manage.py", *args]))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=capture, text=True, timeout=timeout)  # noqa: S603
    if done.returncode != 0:
        raise HarnessError(
            f"manage.py {' '.join(args)} failed ({done.returncode}): {(done.stderr or 'see above')[-2000:]}"
        )
    return done.stdout


def probe(env, command, argument=None, timeout=3600):
    args = [PYTHON, "-m", "bench.probe", command] + ([argument] if argument is not None else [])
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH-JSON: ")]
    if done.returncode != 0 or not lines:
        raise HarnessError(f"probe {command} failed ({done.returncode}): {(done.stderr or done.stdout)[-3000:]}")
    return json.loads(lines[-1].removeprefix("BENCH-JSON: "))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """The processes the bench starts, each in its own process group, stopped
    (by their own ids) whatever happens."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.running = []

    def start(self, name, args, env):
        handle = (self.log_dir / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process, handle))
        return process

    def stop(self, name=None):
        for entry in [e for e in self.running if name in (None, e[0])]:
            _name, process, handle = entry
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            handle.close()
            self.running.remove(entry)


# --- the database -----------------------------------------------------------------------------


def _admin_connection(database_url):
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    return connection, name


def check_targets(database_url, redis_url):
    """The bench drops its database and flushes its Redis database: refuse
    anything that looks like a development or production one."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise HarnessError("the benchmark runs on PostgreSQL: DATABASE_URL must be postgres://…")
    if "bench" not in urlsplit(database_url).path:
        raise HarnessError("the bench drops and recreates its database: its name must contain 'bench'")
    if urlsplit(redis_url).path.strip("/") in ("", "0"):
        raise HarnessError("the bench flushes its Redis database: use one of its own (default /3), not /0")


def database_reusable(database_url):
    connection, name = _admin_connection(database_url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
    connection.close()
    if not exists:
        return False
    url = urlunsplit(urlsplit(database_url)._replace(scheme="postgresql"))
    with psycopg2.connect(url) as bench, bench.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_baseline')")
        if cursor.fetchone()[0] is None:
            return False
        cursor.execute("SELECT 1 FROM bench_baseline WHERE name = 'complete'")
        return cursor.fetchone() is not None


def database_recreate(database_url):
    connection, name = _admin_connection(database_url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise HarnessError(f"refusing an unusual database name {name!r}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def static_collect(env, var_dir):
    """collectstatic (the manifest DEBUG off needs), skipped when the manifest is
    newer than our static files and the npm packages: compressing them takes a minute."""
    manifest = var_dir / "static" / "staticfiles.json"
    sources = [ROOT / "package-lock.json", *(path for path in (ROOT / "static").rglob("*") if path.is_file())]
    if manifest.exists() and all(path.stat().st_mtime < manifest.stat().st_mtime for path in sources):
        return
    manage(env, "collectstatic", "--noinput", "-v", "0")


def dataset_build(scale, build_env, seed):
    manage(build_env, "migrate", "--noinput", "-v", "0")
    manage(build_env, "demo_data", "--scale", scale, "--seed", str(seed))
    return f"demo_data --scale {scale} --seed {seed}"


# --- HTTP helpers -----------------------------------------------------------------------------


def signed_in(base, username):
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=30)
    match = CSRF.search(page.text)
    if page.status_code != 200 or not match:
        raise HarnessError(f"login page answered {page.status_code}")
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise HarnessError(f"{username} could not sign in ({answer.status_code})")
    return session


def server_ms(response):
    match = TIMING.search(response.headers.get("Server-Timing", ""))
    if not match:
        raise HarnessError(f"{response.url} has no Server-Timing header")
    return float(match.group(1))


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = (len(ordered) - 1) * fraction
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (index - low), 1)


def sample(session, url, *, count, warmup=3, budget_seconds=180):
    """Sequential requests after a warm-up: server-side and wall milliseconds.
    Stops early (at least 5 samples) when the budget is spent, for very slow pages."""
    for _ in range(warmup):
        answer = session.get(url, timeout=600)
        if answer.status_code != 200:
            raise HarnessError(f"{url} answered {answer.status_code}")
    server, wall, started = [], [], time.monotonic()
    while len(server) < count and (len(server) < 5 or time.monotonic() - started < budget_seconds):
        before = time.perf_counter()
        answer = session.get(url, timeout=600)
        wall.append((time.perf_counter() - before) * 1000)
        if answer.status_code != 200:
            raise HarnessError(f"{url} answered {answer.status_code}")
        server.append(server_ms(answer))
    return {
        "url": url.split("//", 1)[1].split("/", 1)[1] if "//" in url else url,
        "n": len(server),
        "p50_ms": percentile(server, 0.5),
        "p95_ms": percentile(server, 0.95),
        "mean_ms": round(statistics.fmean(server), 1),
        "wall_p50_ms": percentile(wall, 0.5),
    }


def export_fetch(session, base, path, *, timeout_seconds=900):
    """One export, as its download button asks for it (a POST: a small export
    is the file, a large one a job to follow), waiting for the worker when the
    app hands it to one."""
    started = time.perf_counter()
    answer = session.post(
        f"{base}{path}",
        headers={"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": f"{base}/dashboard/"},
        allow_redirects=False,
        timeout=timeout_seconds,
    )
    via = "request"
    if answer.status_code in (302, 303):
        via = "worker"
        job = answer.headers["Location"]
        job = job if job.startswith("http") else base + job
        download = job.rstrip("/") + "/download/"
        while True:
            answer = session.get(download, timeout=120)
            if answer.status_code == 200:
                break
            if answer.status_code != 404 or time.perf_counter() - started > timeout_seconds:
                raise HarnessError(f"export job {job} did not finish ({answer.status_code})")
            time.sleep(0.25)
    if answer.status_code != 200 or not answer.content:
        raise HarnessError(f"{path} answered {answer.status_code}")
    return {
        "path": path,
        "via": via,
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": len(answer.content),
        "content_type": answer.headers.get("Content-Type", ""),
    }


# --- locust ----------------------------------------------------------------------------------------


def load_test(base, plan, *, users, seconds, work_dir, log_dir):
    """Headless locust: ``users`` reporters, 1-3 s think time, each submits its
    report once; measured for ``seconds`` from the moment every user has signed
    in (the sign-ins' password hashing is not what is measured)."""
    spawn_rate = 10
    submitters = [entry for entry in plan if entry["report_url"]]
    if not submitters:
        raise HarnessError("no load user owes a report for the current period")
    plan_file = work_dir / "locust-plan.json"
    plan_file.write_text(json.dumps({
        "users": plan, "password": PASSWORD,
        # Submissions spread over the measured window, after its first seconds.
        "submit_window": [5, seconds * 0.7], "measure_seconds": seconds,
    }))  # fmt: skip
    prefix = work_dir / "locust"
    args = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        # The locustfile stops the run `seconds` after the last sign-in; --run-time is a cap.
        "--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds + 120}s",
        "--host", base, "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING",
    ]  # fmt: skip
    log(f"locust: {users} users for {seconds} s ({len(submitters)} submit a report)")
    with (log_dir / "locust.log").open("w") as handle:
        done = subprocess.run(args, cwd=ROOT, env={**os.environ, "BENCH_PLAN": str(plan_file)},  # noqa: S603
                              stdout=handle, stderr=subprocess.STDOUT, timeout=seconds + 240)  # fmt: skip
    if done.returncode != 0:
        raise HarnessError(f"locust exited {done.returncode} (see {log_dir / 'locust.log'})")
    with (Path(f"{prefix}_stats.csv")).open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}

    def stats(name):
        row = rows.get(name)
        if row is None:
            return {"requests": 0, "errors": 0, "p50_ms": None, "p95_ms": None, "per_second": 0.0}
        return {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "per_second": round(float(row["Requests/s"]), 2),
        }

    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open() as handle:
            failures = [
                {"name": r["Name"], "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(handle)
            ]
    submit = stats("report submit")
    submit["submitted"] = submit["requests"] - submit["errors"]
    return {
        "users": users,
        "seconds": seconds,
        "submitters": len(submitters),
        "my_work": stats("my-work"),
        "submit": submit,
        # Over the measured window (locust's rate, less the failures).
        "submissions_per_second": round(submit["per_second"] * submit["submitted"] / max(submit["requests"], 1), 2),
        "other": {name: stats(name) for name in rows if name not in ("my-work", "report submit", "Aggregated")},
        "failures": failures,
    }


def _number(text):
    """A locust CSV cell: "N/A" for a name with no request in the window."""
    try:
        return float(text)
    except ValueError:
        return None


# --- results -------------------------------------------------------------------------------------


def machine():
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        model = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        info["cpu"] = model.split(":", 1)[1].strip()
        memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        info["memory_gb"] = round(int(memory.split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    return info


def targets_of(m):
    floor = m["floor"]["p50_ms"]
    load, sweep = m["load"], m["sweep"]
    rows = []
    for case in ("dashboard_latest", "dashboard_range"):
        rows.append((f"{case} p50 ≤ 3 × floor p50 (ms)", m[case]["p50_ms"], round(3 * floor, 1), "le"))
        rows.append((f"{case} p95 (ms)", m[case]["p95_ms"], 250, "le"))
    rows += pages.targets(m.get("pages", {}))
    rows += [
        ("my-work p95 under load (ms)", load["my_work"]["p95_ms"], 150, "le"),
        ("submit p95 under load (ms)", load["submit"]["p95_ms"], 250, "le"),
        ("submit errors", load["submit"]["errors"], 0, "le"),
        ("reminder sweep (s)", sweep["first"]["seconds"], 15, "le"),
        ("second sweep queued + sent", sweep["second"]["queued"] + sweep["second"]["sent"], 0, "le"),
        ("full tally rebuild (s)", m["tallies"]["seconds"], 30, "le"),
        ("re-tally after an assignment's change (s)", m["tallies"]["retally_seconds"], 5, "le"),
        ("summary.docx, one province (s)", m["exports"]["summary_docx"]["seconds"], 5, "le"),
        ("summary.pdf, one province (s)", m["exports"]["summary_pdf"]["seconds"], 20, "le"),
        ("correctness (figures = SQL recount)", m["correctness"]["ok"], True, "eq"),
        *importing.target_rows(m["import"]),
        *api_bench().api_targets(m["api"]),
        *followups_bench.target_rows(m),
        ("correctness of the pages (= SQL recount)", m["pages_check"]["ok"], True, "eq"),
    ]
    if "dissemination" in m:
        from bench.dissemination import targets

        rows += targets(m["dissemination"])
    return [
        {"name": name, "value": value, "limit": limit,
         "pass": value is not None and (value <= limit if how == "le" else value == limit)}
        for name, value, limit, how in rows
    ]  # fmt: skip


def print_table(results):
    m = results["measurements"]
    print()
    print(f"Benchmark, scale {results['scale']}, {results['started_at']} ({results['dataset'].get('generator')})")
    print("dataset: " + ", ".join(f"{k} {v}" for k, v in results["dataset"].items() if k != "generator"))
    print(f"{'measurement':<44}{'p50':>10}{'p95':>10}{'n':>8}")
    for name, row in [(n, m[n]) for n in ("ping", "floor", "dashboard_latest", "dashboard_range")] + sorted(
        m.get("pages", {}).items()
    ):
        print(f"{name + ' (server ms)':<44}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['n']:>8}")
    for name, row in m["api"].items():
        print(f"{name + ' (server ms)':<44}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['n']:>8}")
    for name in ("my_work", "submit"):
        row = m["load"][name]
        print(f"{name + ' under load (ms)':<44}{row['p50_ms']!s:>10}{row['p95_ms']!s:>10}{row['requests']:>8}"
              f"   errors {row['errors']}")  # fmt: skip
    print(f"{'submissions per second':<44}{m['load']['submissions_per_second']:>10}")
    sweep = m["sweep"]
    for run in ("first", "second"):
        s = sweep[run]
        print(f"{'sweep, ' + run + ' run':<44}{s['seconds']:>9}s   queued {s['queued']}, sent {s['sent']}")
    t = m["tallies"]
    print(f"{'tally rebuild / one re-tally':<44}{t['seconds']:>9}s   {t['retally_seconds']} s, {t['rows']} rows, "
          f"{t['processes']} processes")  # fmt: skip
    if "emails" in m:
        e = m["emails"]
        print(f"{'e-mail outbox':<44}{e['per_second']!s:>9}/s   {e['sent']} of {e['pending']} pending, "
              f"{e['seconds']} s")  # fmt: skip
    for name, row in m["exports"].items():
        print(f"{name + ' (' + row['via'] + ')':<44}{row['seconds']:>9}s   {row['bytes']} bytes")
    importing.print_rows(m["import"])
    print("queries: " + ", ".join(f"{k} {v['queries']}" for k, v in m["queries"]["counts"].items()))
    for case, row in m["correctness"]["cases"].items():
        print(f"correctness {case}: {'equal' if row['equal'] else 'DIFFERENT'} {row['dashboard']}"
              + ("" if row["equal"] else f" vs SQL {row['sql']}"))  # fmt: skip
    for case, row in m["pages_check"]["cases"].items():
        print(f"correctness {case}: {'equal' if row['equal'] else 'DIFFERENT'} "
              + json.dumps({k: v for k, v in row.items() if k != "equal"}, ensure_ascii=False))  # fmt: skip
    print()
    print(f"{'target':<44}{'value':>10}{'limit':>10}  pass")
    for target in results["targets"]:
        print(
            f"{target['name']:<44}{target['value']!s:>10}{target['limit']!s:>10}  {'yes' if target['pass'] else 'NO'}"
        )
    print()


# --- the run ---------------------------------------------------------------------------------------


def app_start(processes, env, log_dir):
    """Starts the app under gunicorn (and a Celery worker for the exports too
    large for a request), as in production; its base URL once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes.start(
        "gunicorn",
        # gunicorn's rule of thumb: (2 × cores) + 1 workers; two threads each for the waits on the database.
        [str(BIN / "gunicorn"), "tracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(2 * (os.cpu_count() or 1) + 1), "--threads", "2", "--worker-class", "gthread", "--timeout", "600",
         "--access-logfile", "-",
         # Longer than the load test's think time, as a reverse proxy's would be: no reset races.
         "--keep-alive", "10"],
        env,
    )  # fmt: skip
    processes.start("celery", [str(BIN / "celery"), "-A", "tracker", "worker", "--pool", "solo",
                               "--loglevel", "WARNING"], env)  # fmt: skip
    for _ in range(120):
        try:
            if requests.get(f"{base}/ping", timeout=10).text == "ok":
                return base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise HarnessError(f"gunicorn did not answer on {base} (see {log_dir / 'gunicorn.log'})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50, help="sequential requests per dashboard case")
    parser.add_argument("--load-seconds", type=int, help="locust run time (60 province, 120 national)")
    parser.add_argument("--reuse", action="store_true", default=os.environ.get("BENCH_REUSE") == "1")
    parser.add_argument("--output", type=Path, help="default bench/results-<scale>.json")
    parser.add_argument("--growth", action="store_true",
                        help="only print the national ÷ province table from bench/results-<scale>.json")  # fmt: skip
    options = parser.parse_args(argv)
    scale = options.scale
    if options.growth:
        return growth_print()
    options.output = options.output or ROOT / "bench" / f"results-{scale}.json"
    seconds = options.load_seconds or SCALES[scale]["load_seconds"]
    database_url = os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/tracker_bench_{scale}")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var" / "bench")).resolve()
    log_dir = var_dir / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    build_env, env = environments(database_url, redis_url, var_dir)
    started_at = datetime.datetime.now().astimezone()
    clock = time.monotonic()
    results = {"scale": scale, "started_at": started_at.isoformat(timespec="seconds"), "machine": machine()}
    processes = Processes(log_dir)
    try:
        check_targets(database_url, redis_url)
        redis.Redis.from_url(redis_url).flushdb()  # the bench's own Redis database: stale tasks out
        with psycopg2.connect(urlunsplit(urlsplit(database_url)._replace(scheme="postgresql", path="/postgres"))) as c:
            results["machine"]["postgresql"] = c.server_version
        if options.reuse and database_reusable(database_url):
            log("reusing the dataset (BENCH_REUSE=1)")
            manage(build_env, "migrate", "--noinput", "-v", "0")
            reset = probe(build_env, "reset")
            log(f"reset: deleted {reset['deleted']}")
            generator = "reused"
        else:
            log(f"building the {scale} dataset in {urlsplit(database_url).path.lstrip('/')}")
            database_recreate(database_url)
            generator = dataset_build(scale, build_env, options.seed)
            probe(build_env, "baseline")
        results["build_seconds"] = round(time.monotonic() - clock, 1)
        static_collect(env, var_dir)
        found = probe(env, "discover", str(options.users))
        results["dataset"] = {**found["dataset"], "generator": generator}
        results["selection"] = {k: found[k] for k in ("today", "directive", "latest", "range", "province")}
        log(f"dataset: {results['dataset']}")

        page_params = {"directive": found["directive"]["pk"], "latest": found["latest"]["key"],
                       "start": found["range"]["start"], "end": found["range"]["end"],
                       "province": found["province"]["pk"]}  # fmt: skip
        found_pages = probe(env, "pages_discover", json.dumps(page_params))

        base = app_start(processes, env, log_dir)

        m = results["measurements"] = {}
        committee = signed_in(base, "committee")
        directive, latest = found["directive"]["pk"], found["latest"]["key"]
        span = found["range"]
        log("dashboard and floor")
        # The floor: a signed-in page with the site's layout and nothing else (/ping, no database, for reference).
        m["ping"] = sample(committee, f"{base}/ping", count=max(options.requests, 100))
        m["floor"] = sample(committee, f"{base}/floor/", count=max(options.requests, 100))
        m["dashboard_latest"] = sample(
            committee, f"{base}/dashboard/?directive={directive}&start={latest}&end={latest}", count=options.requests
        )
        m["dashboard_range"] = sample(
            committee,
            f"{base}/dashboard/?directive={directive}&start={span['start']}&end={span['end']}",
            count=options.requests,
        )
        m["dashboard_range"]["periods"] = span["periods"]
        m["dashboard_ratio"] = {
            case: round(m[case]["p50_ms"] / m["floor"]["p50_ms"], 1) for case in ("dashboard_latest", "dashboard_range")
        }
        log("late list, unit page, inbox, single assignment")
        sessions = {"committee": committee, "office": signed_in(base, "office")}
        m["pages"] = pages.measure(sessions, base, page_params, found_pages, sample=sample, count=options.requests)

        log("API: reports list and figures")
        m["api"] = api_bench().api_measure(base, requests=options.requests, directive=directive, period_key=latest)
        log("follow-up register")  # bench/followups.py
        m["followups"] = followups_bench.measure(env, committee, base, sample, count=options.requests)

        with tempfile.TemporaryDirectory(prefix="bench-") as work:
            m["load"] = load_test(base, found["plan"], users=options.users, seconds=seconds,
                                  work_dir=Path(work), log_dir=log_dir)  # fmt: skip

        log("dissemination: coverage section, drill-down, cell confirmations under load")
        from bench import dissemination

        found_cells = dissemination.recount_in(env)
        m["dissemination"] = dissemination.measure(base, committee, found_cells, requests=options.requests,
                                                   users=options.users, seconds=seconds, log_dir=log_dir)  # fmt: skip
        m["dissemination"]["recount"] = {k: found_cells[k] for k in ("equal", "coverage", "sql")}

        log("exports for one province")
        scope = f"directive={directive}&start={span['start']}&end={span['end']}&unit={found['province']['pk']}"
        m["exports"] = {
            name: export_fetch(committee, base, f"/dashboard/{name.replace('_', '.', 1)}?{scope}")
            for name in ("summary_docx", "summary_pdf")
        }
        processes.stop()

        log(f"reminder sweep at {found['sweep_now']} (due date {found['current_due_on']})")
        m["sweep"] = {
            "first": probe(env, "sweep", found["sweep_now"]),
            "second": probe(env, "sweep", found["sweep_now"]),
        }
        log("e-mail outbox: the sweep's e-mails")
        m["emails"] = probe(env, "emails", "2000")
        log("late list by reminders sent, now that the sweep has sent them")
        base = app_start(processes, env, log_dir)
        office = signed_in(base, "office")
        m["pages"].update(pages.measure_reminded(office, base, page_params, sample=sample, count=options.requests))
        processes.stop()

        log("query counts")
        params = {"directive": directive, "latest": latest, "start": span["start"], "end": span["end"],
                  "unit": found["province"]["pk"]}  # fmt: skip
        m["queries"] = probe(env, "queries", json.dumps(params))
        for name in m["exports"]:
            m["exports"][name]["unit_scoped"] = m["queries"]["unit_scoping"]
        log("tallies: the full rebuild, and one assignment's re-tally")
        m["tallies"] = probe(env, "tallies", str(found["province"]["pk"]))
        log("correctness")
        m["correctness"] = probe(env, "correctness", json.dumps(params))
        m["import"] = importing.run(env, scale)
        m["followups"]["check"] = followups_bench.correctness(env)
        m["pages_check"] = probe(env, "pages_check", json.dumps({**page_params, "found": found_pages}))
        results["targets"] = targets_of(m)
    except Exception as error:  # whatever stops the harness is reported in the results, and fails the run
        results["error"] = f"{type(error).__name__}: {error}"
        log(f"FAILED: {error}")
    finally:
        processes.stop()
        results["seconds"] = round(time.monotonic() - clock, 1)
        options.output.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")

    if "error" in results:
        return 2
    print_table(results)
    log(f"results written to {options.output} in {results['seconds']} s")
    growth_print()
    m = results["measurements"]
    fatal = []
    if not m["correctness"]["ok"]:
        fatal.append("the dashboard's figures differ from the SQL recount")
    if not m["followups"]["check"]["ok"]:
        fatal.append("the follow-up section's figures differ from the SQL recount")
    if not m["pages_check"]["ok"]:
        fatal.append("a page's figures differ from the SQL recount")
    if m["sweep"]["second"]["queued"] or m["sweep"]["second"]["sent"]:
        fatal.append("the second sweep at the same moment queued or sent reminders")
    if not m["load"]["submit"]["submitted"] or not m["load"]["my_work"]["requests"]:
        fatal.append("the load test submitted nothing or never opened my-work")
    for reason in fatal:
        log(f"FAILED: {reason}")
    missed = [t["name"] for t in results["targets"] if not t["pass"]]
    if missed:
        log("targets missed (reported, not fatal): " + "; ".join(missed))
    return 1 if fatal else 0


def growth_print():
    """The national ÷ province table, when both scales have results."""
    province, national = (pages.load(ROOT / "bench" / f"results-{scale}.json") for scale in ("province", "national"))
    if not (province and national) or "error" in province or "error" in national:
        log("growth table: needs bench/results-province.json and bench/results-national.json from complete runs")
        return 0
    table = pages.growth(province, national)
    pages.print_growth(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
