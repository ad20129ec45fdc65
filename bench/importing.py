"""The organisation import at scale, part of ``make bench``; alone:
``python -m bench.importing --scale province|national`` against the database
in ``DATABASE_URL`` (a built bench dataset). Prints ``BENCH-JSON: {…}``.

- *export*: the dataset's organisation written as the workbook (seconds, bytes);
- *round trip*: that workbook checked, then applied (nothing changes);
- *new organisation*: a generated workbook of the scale's size (national:
  10,000 units, 30,000 users, 30,000 memberships, 60,000 assignments, the
  issue's national organisation) checked, then applied: every row new.

Every apply runs in a transaction rolled back at the end, so the dataset the
other measurements read is left as it was.
"""

import argparse
import json
import os
import sys
import time

# Rows of the generated workbook: units, users, memberships, assignments.
SIZES = {"province": (250, 600, 600, 1_500), "national": (10_000, 30_000, 30_000, 60_000)}
LIMIT_SECONDS = 120  # issue #12: the national organisation imports in at most 2 minutes
KINDS = ["Cấp ủy", "Ủy ban nhân dân", "Mặt trận Tổ quốc", "Đoàn thể"]


def generated_workbook(scale):
    """The workbook of a new organisation of the scale's size under a root of
    its own (codes ``nhap-…``): districts of 300 units, Party committees lead
    every task of the first directive, the other bodies co-ordinate."""
    import tablib

    from directives.models import Directive
    from onboarding.workbook import SHEET_TITLES, headers, write
    from reports.models import ReportingSchedule

    units, users, memberships, assignments = SIZES[scale]
    directive = Directive.objects.filter(tasks__isnull=False).order_by("pk").distinct().first()
    tasks = sorted(directive.tasks.values_list("number", flat=True))
    schedule = ReportingSchedule.objects.order_by("pk").first()
    districts = max(1, units // 300)
    rows = {key: [] for key in SHEET_TITLES}
    codes = ["nhap-goc"]
    rows["units"].append(["nhap-goc", "Tỉnh ủy Nhập thử", "", "Cấp ủy", "Tỉnh", "", "01/01/2020", "", "", "có"])
    for n in range(1, units):
        code = f"nhap-{n:05d}"
        if n <= districts:
            kind, level, parent = "Cấp ủy", "Huyện", "nhap-goc"
        else:
            kind, level, parent = KINDS[n % len(KINDS)], "Xã", f"nhap-{1 + n % districts:05d}"
        rows["units"].append([code, f"Đơn vị nhập thử {n}", "", kind, level, parent, "01/01/2020", "", "", "có"])
        codes.append(code)
    for n in range(users):
        rows["users"].append([f"nhap{n:05d}", "Nguyễn Văn", f"Thử {n}", f"nhap{n:05d}@example.vn", "có"])
    for n in range(memberships):
        rows["memberships"].append([f"nhap{n % users:05d}", codes[n % units], "Chuyên viên báo cáo"])
    for n in range(min(assignments, units * len(tasks))):
        code, task = codes[n // len(tasks)], tasks[n % len(tasks)]
        role = "Chủ trì" if rows["units"][n // len(tasks)][3] == "Cấp ủy" else "Phối hợp"
        number = directive.number or directive.code
        rows["assignments"].append(
            [number, str(task), code, role, "Đồng chí Bí thư", "", "31/12/2026", "", "", "", schedule.code]
        )
    datasets = {key: tablib.Dataset(*rows[key], headers=headers(key)) for key in SHEET_TITLES}
    return write(datasets), {key: len(value) for key, value in rows.items()}


def _timed(function):
    """The result, the wall-clock seconds and this process's CPU seconds (the
    database server's work is in the first only)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, round(time.perf_counter() - started, 1), round(time.process_time() - cpu, 1)


def _import(data, filename):
    """Check, then apply in a transaction rolled back: seconds and counts."""
    from django.db import transaction

    from onboarding.services import organisation_import

    checked, check_seconds, check_cpu = _timed(lambda: organisation_import(data=data, filename=filename, dry_run=True))
    if not checked.ok:
        raise RuntimeError(f"{filename} has errors: {list(checked.error_lines())[:5]}")
    with transaction.atomic():
        applied, apply_seconds, apply_cpu = _timed(
            lambda: organisation_import(data=data, filename=filename, dry_run=False)
        )
        transaction.set_rollback(True)
    return {
        "rows": sum(checked.counts.values()),
        "counts": checked.counts,
        "check_seconds": check_seconds,
        "apply_seconds": apply_seconds,
        "check_cpu_seconds": check_cpu,
        "apply_cpu_seconds": apply_cpu,
        "applied": applied.applied,
    }


def measure(scale):
    from onboarding.services import organisation_export

    exported, export_seconds, _cpu = _timed(organisation_export)
    result = {"export": {"seconds": export_seconds, "bytes": len(exported)}}
    result["round_trip"] = _import(exported, "to-chuc.xlsx")
    (generated, sizes), build_seconds, _cpu = _timed(lambda: generated_workbook(scale))
    result["new"] = {"sheets": sizes, "bytes": len(generated), "build_seconds": build_seconds}
    result["new"] |= _import(generated, "to-chuc-moi.xlsx")
    return result


def run(env, scale, *, timeout=3600):
    """The measurement in a process of its own, with the bench's environment."""
    import subprocess

    from bench.run import PYTHON, ROOT, HarnessError, log

    log(f"organisation import ({scale})")
    args = [PYTHON, "-m", "bench.importing", "--scale", scale]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH-JSON: ")]
    if done.returncode != 0 or not lines:
        raise HarnessError(f"bench.importing failed ({done.returncode}): {(done.stderr or done.stdout)[-3000:]}")
    return json.loads(lines[-1].removeprefix("BENCH-JSON: "))


def target_rows(result):
    """(name, value, limit, how) rows for bench.run's targets."""
    return [
        ("import check, new organisation (s)", result["new"]["check_seconds"], LIMIT_SECONDS, "le"),
        ("import apply, new organisation (s)", result["new"]["apply_seconds"], LIMIT_SECONDS, "le"),
        ("import round trip changes nothing", result["round_trip"]["counts"].get("unchanged"),
         result["round_trip"]["rows"], "eq"),
    ]  # fmt: skip


def print_rows(result):
    print(f"{'export of the organisation':<44}{result['export']['seconds']:>9}s   {result['export']['bytes']} bytes")
    for case, label in (("round_trip", "re-import of the export"), ("new", "import of a new organisation")):
        row = result[case]
        print(
            f"{label + ', check / apply':<44}{row['check_seconds']:>9}s {row['apply_seconds']:>7}s"
            f"   {row['rows']} rows {row['counts']}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SIZES, default="province")
    options = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    print("BENCH-JSON: " + json.dumps(measure(options.scale), default=str), flush=True)


if __name__ == "__main__":
    main()
