"""/healthz: whether the database and the Celery broker answer; /ping: the
cheapest Django response (no database); /floor/: the cheapest signed-in page
(the site's layout and nothing in it), the floor the benchmark compares pages
with."""

import os

from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from kombu import Connection

from tracker.celery import app

BROKER_TIMEOUT_SECONDS = 2


def database_status():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the message says which
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True}


def broker_status():
    try:
        with Connection(
            app.conf.broker_url,
            transport_options=app.conf.broker_transport_options,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
        ) as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            _check_folders(connection)
    except Exception as error:
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True}


def _check_folders(connection):
    """The filesystem transport "connects" without touching the disk: check that
    its folders exist and are writable, as a worker will need them."""
    if connection.transport_cls != "filesystem":
        return
    options = connection.transport_options
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = options.get(key)
        if folder and not os.access(folder, os.W_OK):
            raise OSError(f"broker folder {folder} is missing or not writable")


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@never_cache
@require_safe
def ping(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
@login_required
def floor(request):
    """The site's base layout for the signed-in user (session, user, navigation,
    notification count) with no content: what every page costs before its own
    work, the floor of the benchmark's ratios."""
    return render(request, "floor.html")
