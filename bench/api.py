"""The API's benchmark targets (``make bench``; README, "The API"): the reports
list filtered by unit and period, and the dashboard figures endpoint, each
p95 ≤ 150 ms (server time, Server-Timing).

``api_measure`` needs the running app (``base``) and the numbers the bench's
discovery found; it makes the office a read-write key through the keys page
(as a user would) and samples each URL with that key. Run on its own against
an app already running (SERVER_TIMING=1, a national dataset):

    python -m bench.api --base http://127.0.0.1:8103 --requests 50
"""

import argparse
import json
import re
import sys

from bench.run import HarnessError, sample, signed_in

KEY = re.compile(r'id="new-key-value"[^>]*value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The key's requests are not limited during the bench (API_KEY_RATE in the app's environment).
ENVIRONMENT = {"API_KEY_RATE": "1000000/minute"}
P95_LIMIT_MS = 150


def key_session(base, username="office"):
    """A requests session that sends a new read-write key of ``username``."""
    session = signed_in(base, username)
    page = session.get(f"{base}/account/api-keys/", timeout=60)
    match = CSRF.search(page.text)
    if page.status_code != 200 or not match:
        raise HarnessError(f"the API keys page answered {page.status_code}")
    made = session.post(
        f"{base}/account/api-keys/",
        data={"name": "bench", "read_only": "0", "csrfmiddlewaretoken": match.group(1)},
        timeout=60,
    )
    key = KEY.search(made.text)
    if made.status_code != 200 or not key:
        raise HarnessError(f"no key made ({made.status_code})")
    session.cookies.clear()  # the key alone, as an integrator's system
    session.headers["Authorization"] = f"Api-Key {key.group(1)}"
    return session


def api_measure(base, *, requests=50, directive=None, period_key=None, unit=None):
    """{name: sample} for the API's targets. Without ``directive``/``period_key``
    the figures use the dashboard's default selection and the reports list the
    latest period a report exists for; ``unit`` (for the figures' subtree) is the
    unit of that report's parent when not given."""
    session = key_session(base)
    first = session.get(f"{base}/api/v1/reports/?page_size=1", timeout=120).json()["results"]
    if not first:
        raise HarnessError("no report to list")
    report = first[0]
    period = session.get(f"{base}/api/v1/periods/{report['period']}/", timeout=60).json()
    period_key = period_key or period["key"]
    selection = f"directive={directive}&start={period_key}&end={period_key}" if directive else ""
    unit_row = session.get(f"{base}/api/v1/units/{report['unit']}/", timeout=60).json()
    scope = unit or unit_row["parent"] or report["unit"]
    urls = {
        "api_reports_unit_period": f"/api/v1/reports/?unit={report['unit']}&period={report['period']}",
        "api_reports_period_page": f"/api/v1/reports/?period_key={period_key}&page_size=50",
        "api_figures": f"/api/v1/figures/?{selection}",
        "api_figures_unit": f"/api/v1/figures/?{selection}{'&' if selection else ''}unit={scope}",
    }
    return {name: sample(session, f"{base}{path}", count=requests) for name, path in urls.items()}


def api_targets(measured):
    """(name, value, limit, how) rows for bench.run's target table."""
    return [
        ("API reports list by unit+period p95 (ms)", measured["api_reports_unit_period"]["p95_ms"], P95_LIMIT_MS, "le"),
        ("API figures p95 (ms)", measured["api_figures"]["p95_ms"], P95_LIMIT_MS, "le"),
        ("API figures of one unit's subtree p95 (ms)", measured["api_figures_unit"]["p95_ms"], P95_LIMIT_MS, "le"),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description="The API's benchmark against a running app.")
    parser.add_argument("--base", required=True)
    parser.add_argument("--requests", type=int, default=50)
    options = parser.parse_args(argv)
    measured = api_measure(options.base, requests=options.requests)
    print(json.dumps(measured, indent=2))
    for name, value, limit, _how in api_targets(measured):
        print(f"{name:<44}{value!s:>10}{limit!s:>10}  {'yes' if value is not None and value <= limit else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
