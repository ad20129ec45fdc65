"""Party cells' secretaries under load, for ``bench/dissemination.py``: each
signs in, opens its cell's confirmation page (the e-mail's link) with 1-3 s of
thought between requests, and now and then confirms (a second confirmation
updates the one row). A confirmation counts only as a 302 back to the page.

The plan (``BENCH_DISSEMINATION_PLAN``, JSON): ``users`` as ``{"username",
"url"}``, ``password``, ``measure_seconds``."""

import datetime
import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_DISSEMINATION_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTAL = re.compile(r'name="members_total"[^>]*value="(\d+)"')
_numbers = itertools.count()
WINDOW = {"signed_in": 0, "since": None}


class Secretary(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        entry = PLAN["users"][next(_numbers) % len(PLAN["users"])]
        self.url = entry["url"]
        page = self.client.get("/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        self.client.post("/login/", data={"username": entry["username"], "password": PLAN["password"],
                                          "csrfmiddlewaretoken": token}, name="login")  # fmt: skip
        WINDOW["signed_in"] += 1
        runner = self.environment.runner
        if WINDOW["signed_in"] == runner.target_user_count and WINDOW["since"] is None:
            # Measured from the moment every secretary has signed in, for measure_seconds.
            runner.stats.reset_all()
            WINDOW["since"] = time.monotonic()
            gevent.spawn_later(PLAN["measure_seconds"], runner.quit)

    @task(3)
    def page(self):
        self.client.get(self.url, name="confirmation page")

    @task(1)
    def confirm(self):
        page = self.client.get(self.url, name="confirmation page")
        token = CSRF.search(page.text)
        total = TOTAL.search(page.text)
        members = int(total.group(1)) if total else 30
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "met_on": (datetime.date.today() - datetime.timedelta(days=random.randint(0, 5))).isoformat(),
            "members_present": random.randint(1, members),
            "members_total": members,
            "note": "Sinh hoạt chi bộ định kỳ (tải thử)",
        }
        with self.client.post(self.url, data=data, name="confirm", allow_redirects=False,
                              catch_response=True) as answer:  # fmt: skip
            if answer.status_code == 302:
                answer.success()
            else:
                answer.failure(f"answered {answer.status_code}")
