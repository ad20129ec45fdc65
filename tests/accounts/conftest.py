import re

import pytest

from tracker.celery import app as celery_app

LINK = re.compile(r"https?://[^/\s]+(/account/password/set/[^\s\"<]+/)")


@pytest.fixture
def eager_tasks():
    """Runs the queued Celery task in-process (a real worker is tested elsewhere)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def link_in():
    """The path of the password link in an e-mail's text."""

    def find(message):
        match = LINK.search(message.body)
        assert match, message.body
        return match.group(1)

    return find
