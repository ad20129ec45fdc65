"""Reporters under load, for ``bench/run.py``: each signs in, browses "my work"
with 1-3 s of thought between pages, and once, at a moment drawn from the plan's
submit window, files its current-period report through the real form: open the
empty form, save the draft (a new report offers no "submit" until it exists),
open the report page and submit it. A submission counts only as a 302 to the
report's page.

The plan (``BENCH_PLAN``, JSON written by the runner): ``users`` as
``{"username", "report_url"}`` (``report_url`` null: browse only), ``password``,
``submit_window`` in seconds after the window opens, ``measure_seconds``.
"""

import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser

import gevent
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_numbers = itertools.count()
# The measured window opens when every user has signed in (sign-ins hash a
# password: a burst of them is not what is measured) and lasts measure_seconds.
WINDOW = {"signed_in": 0, "since": None}
REPORT_PAGE = re.compile(r"/reports/(\d+)/$")


class ReportForm(HTMLParser):
    """The fields of the page's report form (data-testid="report-form") as a
    browser would send them, and the values of its action buttons."""

    def __init__(self, page):
        super().__init__()
        self.inside = False
        self.fields, self.actions, self.selects, self.textarea = {}, [], set(), None
        self.csrf = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("data-testid") == "report-form":
            self.inside = True
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = self.csrf or attrs.get("value")
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "button" and name == "action":
            self.actions.append(attrs.get("value"))
        elif tag == "input" and name and attrs.get("type") not in ("file", "submit", "checkbox"):
            self.fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self.selects.add(name)
            self.fields[name] = ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def filled(form):
    """What a reporter types: status, percentage, results, an indicator value each."""
    data = dict(form.fields)
    data.update(
        implementation_status="in_progress",
        percent_complete=str(random.randint(10, 90)),
        results="Đã tổ chức quán triệt, triển khai thực hiện Chỉ thị tại đơn vị (báo cáo tải thử).",
        difficulties="",
        proposals="",
        next_steps="Tiếp tục triển khai trong kỳ tới.",
    )
    for name in data:
        if name.startswith("indicator_"):
            data[name] = "1" if name in form.selects else str(random.randint(1, 20))
    data["csrfmiddlewaretoken"] = form.csrf
    return data


class Reporter(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        number = next(_numbers)
        users = PLAN["users"]
        entry = users[number % len(users)]
        # More locust users than load users: the extra ones only browse.
        self.report_url = entry["report_url"] if number < len(users) else None
        self.submit_at = None
        try:
            self.sign_in(entry)
        finally:
            WINDOW["signed_in"] += 1
            if WINDOW["signed_in"] == self.environment.runner.target_user_count:
                self.open_window()

    def open_window(self):
        runner = self.environment.runner
        runner.stats.reset_all()
        WINDOW["since"] = time.monotonic()
        gevent.spawn_later(PLAN["measure_seconds"], runner.quit)

    def sign_in(self, entry):
        page = self.client.get("/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/login/",
            data={"username": entry["username"], "password": PLAN["password"],
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            allow_redirects=False, name="login", catch_response=True,
        ) as answer:  # fmt: skip
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")

    @task
    def browse(self):
        if self.report_url and self.submit_at is None and WINDOW["since"] is not None:
            self.submit_at = WINDOW["since"] + random.uniform(*PLAN["submit_window"])
        if self.report_url and self.submit_at is not None and time.monotonic() >= self.submit_at:
            url, self.report_url = self.report_url, None
            self.submit(url)
            return
        with self.client.get("/my-work/", name="my-work", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"my-work answered {answer.status_code}")

    def _post(self, url, form, action, name):
        data = {**filled(form), "action": action}
        # multipart, as the browser sends this form, with the empty file input.
        return self.client.post(url, data=data, files={"files": ("", b"", "application/octet-stream")},
                                allow_redirects=False, name=name, catch_response=True)  # fmt: skip

    def submit(self, url):
        page = self.client.get(url, name="report form", allow_redirects=True)
        form = ReportForm(page.text)
        if "submit" not in form.actions:
            # A report not started yet: save the draft first, as the page says.
            with self._post(url, form, "save", "report save draft") as answer:
                location = answer.headers.get("Location", "")
                if answer.status_code != 302 or not REPORT_PAGE.search(location):
                    answer.failure(f"saving the draft answered {answer.status_code} {location}")
                    return
                answer.success()
            url = location
            form = ReportForm(self.client.get(url, name="report page").text)
        if "submit" not in form.actions:
            self.environment.events.request.fire(
                request_type="POST", name="report submit", response_time=0, response_length=0,
                exception=Exception(f"no submit button on {url}: {form.actions}"), context={},
            )  # fmt: skip
            return
        with self._post(url, form, "submit", "report submit") as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code == 302 and REPORT_PAGE.search(location):
                answer.success()
            else:
                answer.failure(f"submit answered {answer.status_code} {location}")
