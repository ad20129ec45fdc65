"""The suite on several processes (pytest-xdist; ``make test`` runs ``-n auto``).

pytest-django gives each worker its own test database (``test_<name>_gw0``...).
This plugin, loaded with ``-p tests.parallel`` before Django reads its settings,
keeps the rest apart too: each worker gets its own VAR_DIR (the filesystem
broker's folders, private files, screenshots, the SQLite test database) and its
own Redis database (broker and cache), so that one worker's ``cache.clear()``
or queue never reaches another's. Without xdist it does nothing."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# Redis databases 10, 11, ... for workers gw0, gw1, ...: clear of the ones CI (0),
# the benchmark (3) and the production smoke test (4) use.
FIRST_REDIS_DATABASE = 10
BASE_DIR = Path(__file__).resolve().parent.parent


def redis_database(url, number):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A wrapper runs before every plain implementation, pytest-django's (which
    # imports the settings) among them.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        index = int(worker.removeprefix("gw"))
        var_dir = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")
        os.environ["VAR_DIR"] = str(var_dir / f"xdist-{worker}")
        if os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = redis_database(os.environ["REDIS_URL"], FIRST_REDIS_DATABASE + index)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    """The slow tests first, so that the workers, each taking the next test when
    free (``make test`` passes --maxschedchunk 1), share them rather than one
    finishing on them while the other waits. A wrapper, so that it sorts before
    pytest-django's own ordering (database tests, then transactional ones, then
    the rest), whose stable sort keeps the slow tests first within each group."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    return (yield)
