"""Imported into the integration tests' Celery worker with ``-I`` (never in
production): the worker is the real ``celery -A tracker worker``; this only
points its e-mail at the test backend and, on request, slows a real code path
down so that a SIGKILL can land in the middle of it.

INTEGRATION_DELIVER_DELAY (seconds): pause inside the reminder ledger's
transaction, after the claim and the notifications are written and before the
commit, for every chunk of reminders sent.
"""

import os
import time

from django.conf import settings

settings.EMAIL_BACKEND = "tests.integration.slow_backend.SlowFileBackend"

DELIVER_DELAY = float(os.environ.get("INTEGRATION_DELIVER_DELAY") or 0)

if DELIVER_DELAY:
    from reminders import services

    _notifications_send_many = services.notifications_send_many

    def _slow_notifications_send_many(entries):
        items = _notifications_send_many(entries)
        time.sleep(DELIVER_DELAY)
        return items

    services.notifications_send_many = _slow_notifications_send_many
