import os
import re
import subprocess
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tracker.timing import ServerTimingMiddleware

TIMING = re.compile(r"^app;dur=\d+\.\d$")


def test_no_server_timing_unless_the_setting_turns_it_on(client, db):
    assert settings.SERVER_TIMING is False
    assert not client.get("/healthz").has_header("Server-Timing")


def test_with_the_middleware_every_response_says_how_long_the_app_took(client, db, settings):
    settings.MIDDLEWARE = ["tracker.timing.ServerTimingMiddleware", *settings.MIDDLEWARE]
    response = client.get("/healthz")
    assert TIMING.match(response["Server-Timing"])


def test_the_server_timing_setting_puts_the_middleware_first():
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.MIDDLEWARE[0])"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DEBUG": "1", "SERVER_TIMING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "tracker.timing.ServerTimingMiddleware"


def test_server_timing_keeps_an_entry_the_view_set():
    def view(request):
        response = HttpResponse("ok")
        response["Server-Timing"] = "db;dur=3.0"
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    earlier, ours = response["Server-Timing"].split(", ")
    assert earlier == "db;dur=3.0"
    assert TIMING.match(ours)


def test_server_timing_counts_the_time_spent_in_the_view(monkeypatch):
    ticks = iter([10.0, 10.25])
    monkeypatch.setattr("tracker.timing.time.perf_counter", lambda: next(ticks))
    response = ServerTimingMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert response["Server-Timing"] == "app;dur=250.0"


def test_ping_answers_ok_without_login_or_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ping")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert len(queries) == 0


def test_ping_is_read_only(client, db):
    assert client.post("/ping").status_code == 405
    assert client.head("/ping").status_code == 200
