"""Real Celery workers for the integration tests.

Each worker is ``celery -A tracker worker`` started as a subprocess in its own
session (so a test can SIGKILL the whole process group), on the same test
database as the test process (pytest-django renames it; the worker gets an
equivalent DATABASE_URL), on the same broker (REDIS_URL, else the filesystem
broker under the same VAR_DIR), with its e-mail written to files the test can
count. Tests using it need ``@pytest.mark.django_db(transaction=True)`` so that
what they create is committed and visible to the worker.
"""

import contextlib
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tracker.celery import app as celery_app

CELERY = Path(sys.executable).parent / "celery"
READY_TIMEOUT = 45
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def wait_until(condition, *, timeout, interval=0.05, message="condition"):
    """Polls ``condition`` until it returns something truthy; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def database_url():
    """A DATABASE_URL for the test database this process is using."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        auth = quote(params["USER"] or "", safe="")
        if params["PASSWORD"]:
            auth += ":" + quote(params["PASSWORD"], safe="")
        host = params["HOST"] or "localhost"
        port = params["PORT"] or 5432
        return f"postgres://{auth}@{host}:{port}/{quote(params['NAME'], safe='')}"
    pytest.fail(f"No worker DATABASE_URL for the {connection.vendor} backend")


def sent_emails(mail_dir):
    """Every message the workers' file backend wrote, as parsed e-mails."""
    messages = []
    for path in sorted(Path(mail_dir).glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def email_keys(mail_dir):
    """(recipient, link path) of every e-mail sent: one per notification."""
    link = re.compile(re.escape(settings.SITE_URL) + r"(/\S*)")
    keys = []
    for message in sent_emails(mail_dir):
        body = message.get_body(("plain",))  # None only for a message cut short by a kill
        found = link.search(body.get_content()) if body is not None else None
        keys.append((str(message["To"]), found.group(1) if found else None))
    return keys


def notification_key(notification):
    return (notification.recipient.email, notification.get_absolute_url())


def _process_group(pgid):
    """Pids of the live processes in the group (Linux /proc)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                pids.add(int(entry.name))
    return pids


class Worker:
    def __init__(self, *, env, log_path, concurrency):
        self.name = f"integration-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.env, self.log_path, self.concurrency = env, log_path, concurrency
        self.process = None
        self.killed_pids = set()

    def launch(self):
        command = [
            str(CELERY), "-A", "tracker", "worker", "-I", "tests.integration.worker_hooks",
            "--pool=prefork", f"--concurrency={self.concurrency}", "--loglevel=INFO", "-Q", "celery",
            "-n", self.name, "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self):
        """Until the worker logs that it consumes (a ping costs seconds on the
        filesystem transport, which polls once a second)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while f"{self.name} ready." not in self.log():
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"The worker was not ready within {READY_TIMEOUT} s:\n{self.log()}")
            time.sleep(0.05)
        return self

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def task_results(self, task_ids):
        """{task id: logged return value} of the given tasks that succeeded."""
        found = {}
        for task_id, result in re.findall(r"\[([0-9a-f-]{36})\] succeeded in [\d.]+s: (.*)", self.log()):
            if task_id in task_ids:
                found[task_id] = result
        return found

    def kill(self):
        """SIGKILL for the main process and its pool children at once."""
        pgid = self.process.pid
        self.killed_pids = _process_group(pgid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_until(lambda: not _process_group(pgid), timeout=10, message="the killed worker's processes to exit")

    def terminate(self):
        """Asks for a warm shutdown: running tasks finish, reserved messages go back."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)

    def stop(self):
        """Warm shutdown, then nothing may be left in the process group."""
        if self.process is None:
            return
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def forget_unacked(redis_url, *, task_ids=(), origins=()):
    """Removes our messages from kombu's Redis "unacked" table.

    A SIGKILLed worker leaves its reserved messages there; kombu would put them
    back on the queue after the visibility timeout (an hour) for whichever
    worker then listens on this Redis database. They are ours: the tests drop
    them so that they cannot run later against someone else's database."""
    import redis

    client = redis.Redis.from_url(redis_url)
    dropped = 0
    for tag, raw in client.hgetall("unacked").items():
        try:
            headers = json.loads(raw)[0].get("headers", {})
        except (ValueError, IndexError, AttributeError):
            continue
        if headers.get("id") in task_ids or headers.get("origin") in origins:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
            dropped += 1
    client.close()
    return dropped


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def broker_redis_url():
    """The Redis URL workers and this process use ("" for the filesystem broker)."""
    return settings.REDIS_URL


@pytest.fixture
def start_worker(transactional_db, tmp_path, mail_dir, broker_redis_url, request):
    """Starts a real worker (the queue is purged first, once per test) and
    stops every worker the test started, before the database is flushed."""
    celery_app.control.purge()
    workers = []

    def start(*, concurrency=2, wait=True, **extra_env):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DEBUG": "1",
            "VAR_DIR": str(settings.VAR_DIR),
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": broker_redis_url,
            # django-environ: filemail:// + an absolute path (which starts with its own slash).
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "SITE_URL": settings.SITE_URL,
            **{key: str(value) for key, value in extra_env.items()},
        }
        worker = Worker(env=env, log_path=tmp_path / f"worker-{len(workers) + 1}.log", concurrency=concurrency)
        workers.append(worker)
        worker.launch()
        return worker.wait_ready() if wait else worker

    yield start
    for worker in workers:  # all at once: a warm shutdown takes seconds
        worker.terminate()
    for worker in workers:
        worker.stop()
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        for worker in workers:
            print(f"\n----- log of {worker.name} -----\n{worker.log()[-8000:]}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
