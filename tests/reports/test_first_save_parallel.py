"""Five people save the first version of the same report at the same moment,
as real HTTP requests to a live server on PostgreSQL (each request in its own
thread and database connection): one save stands, the four others get the
conflict page with their text, and every uploaded file is kept."""

import re
import threading
import uuid
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from reports.models import Attachment, ProgressReport
from reports.storage import private_storage
from tests.factories import MembershipFactory, PeriodFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel first saves need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 5
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow


def _multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _Browser:
    """An HTTP client holding the user's cookies (session, CSRF), as their browser would."""

    def __init__(self, user):
        client = Client()
        client.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        self.opener = build_opener(_NoRedirect())

    def open(self, request):
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=60)
        except HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or ():
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status if hasattr(response, "status") else response.code, response.read().decode()


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())


def test_parallel_first_saves_keep_one_and_give_the_others_their_work_back(
    live_server, assignment_a, unit_a, private_root
):
    period = PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
    users = [
        MembershipFactory(user=UserFactory(username=f"parallel-{n}"), unit=unit_a, role="reporter").user
        for n in range(PEOPLE)
    ]
    url = live_server.url + reverse("report_for_period", args=[assignment_a.pk, period.pk])
    barrier = threading.Barrier(PEOPLE)
    outcomes = {}

    browsers = [_Browser(user) for user in users]  # sessions made here: the threads only speak HTTP

    def write(n, browser):
        _status, form_page = browser.open(Request(url))  # noqa: S310 (the live server's http URL)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
        version = re.search(r'name="expected_version" value="(\d+)"', form_page).group(1)
        body, content_type = _multipart(
            {
                "csrfmiddlewaretoken": token,
                "expected_version": version,
                "implementation_status": "in_progress",
                "percent_complete": "50",
                "results": f"Bản của người số {n}.",
                "action": "save",
            },
            {"files": (f"tep-{n}.pdf", PDF + f"% {n}\n".encode())},
        )
        headers = {"Content-Type": content_type, "Referer": url}
        request = Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        barrier.wait(timeout=30)
        outcomes[n] = browser.open(request)

    threads = [threading.Thread(target=write, args=(n, browser)) for n, browser in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    statuses = sorted(status for status, _body in outcomes.values())
    assert statuses == [302] + [409] * (PEOPLE - 1), outcomes
    report = ProgressReport.objects.get()
    (winner,) = [n for n, (status, _body) in outcomes.items() if status == 302]
    assert report.results == f"Bản của người số {winner}."
    for n, (status, body) in outcomes.items():
        if status == 409:
            assert f"Bản của người số {n}." in body  # back in their form
            assert users[winner].get_full_name() in body  # who saved first
    # Nobody has to upload again: every file is on the report.
    assert sorted(report.attachments.values_list("original_name", flat=True)) == [f"tep-{n}.pdf" for n in range(PEOPLE)]
