"""Uploads (issue #10.8): a request body larger than the attachment limit is
refused before it is read, so nothing reaches memory or the temporary folder;
the user is sent back to the form with the reason in Vietnamese."""

import http.client
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Attachment, ProgressReport
from reports.storage import private_storage
from tests.factories import PeriodFactory, ReportFactory
from tracker.uploads import FORM_ALLOWANCE_BYTES

REFUSED = "Nội dung gửi lên có dung lượng"
LIMIT_1KB = "giới hạn cho phép là 1,0\xa0KB"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def upload_temp(settings, tmp_path):
    """Where Django would write an uploaded file too big to keep in memory."""
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def report(assignment_a, reporter_a):
    period = PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
    return ReportFactory(assignment=assignment_a, period=period, created_by=reporter_a, results="Đã lưu trước.")


def form_data(report, **changes):
    return {
        "implementation_status": "in_progress",
        "percent_complete": 40,
        "results": "Gõ mà chưa lưu.",
        "difficulties": "",
        "proposals": "",
        "next_steps": "",
        "expected_version": report.version,
        "action": "save",
        **changes,
    }


def test_a_body_over_the_limit_is_sent_back_to_the_form_with_the_reason_unread(
    settings, report, reporter_a, client_for, private_root, upload_temp
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("Lớn.pdf", PDF.ljust(FORM_ALLOWANCE_BYTES + 4096, b" "))
    url = reverse("report_detail", args=[report.pk])
    client = client_for(reporter_a)
    response = client.post(url, {**form_data(report), "files": [big]})

    assert response.status_code == 303 and response.url == url
    assert list(upload_temp.iterdir()) == []
    page = client.get(url).content.decode()
    assert REFUSED in page and LIMIT_1KB in page
    assert "Chưa có gì được lưu" in page
    assert 'data-testid="report-form"' in page  # the form is back, ready to try again
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.results, stored.version) == ("Đã lưu trước.", report.version)
    assert not Attachment.objects.exists()


def test_a_body_within_the_limit_reaches_the_form_which_checks_each_file(
    settings, report, reporter_a, client_for, private_root
):
    # One byte over the file limit but within the body's allowance: the file's own check answers.
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]),
        {**form_data(report), "files": [SimpleUploadedFile("Vừa quá.pdf", PDF.ljust(1025, b" "))]},
    )

    assert response.status_code == 400
    assert "Tệp “Vừa quá.pdf” có dung lượng 1,0\xa0KB; giới hạn cho phép là 1,0\xa0KB." in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).results == "Gõ mà chưa lưu."  # the rest was saved


def test_the_admin_is_covered_too(settings, admin_user, client_for, upload_temp):
    settings.ATTACHMENT_MAX_BYTES = 1024
    url = reverse("admin:dashboard_summarytemplate_add")
    big = SimpleUploadedFile("Mẫu.docx", b"x" * (FORM_ALLOWANCE_BYTES + 2048))
    client = client_for(admin_user)
    response = client.post(url, {"name": "Mẫu", "file": big})

    assert response.status_code == 303 and response.url == url
    assert REFUSED in client.get(url).content.decode()
    assert list(upload_temp.iterdir()) == []


def test_small_posts_are_untouched(report, reporter_a, client_for):
    response = client_for(reporter_a).post(reverse("report_detail", args=[report.pk]), form_data(report))
    assert response.status_code == 302


# --- over real HTTP -------------------------------------------------------------------------------


def _session_cookie(client, user):
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_a_400_mb_body_is_refused_over_http_before_it_is_read(
    live_server, report, reporter_a, client, upload_temp, private_root
):
    """The live server answers as soon as it has the headers: the body (a
    declared 400 MB of which we send only the first megabyte) is never read,
    and nothing is written to the temporary folder."""
    size = 400 * 1024 * 1024
    boundary = "----tracker-test"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="Lớn.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    host = live_server.url.removeprefix("http://")
    url = reverse("report_detail", args=[report.pk])
    connection = http.client.HTTPConnection(host, timeout=30)
    started = time.perf_counter()
    connection.putrequest("POST", url)
    session = _session_cookie(client, reporter_a)
    connection.putheader("Cookie", session)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(size))
    connection.endheaders(head + PDF + b"\0" * (1024 * 1024))
    response = connection.getresponse()
    seconds = time.perf_counter() - started
    print(f"\n400 MB body refused after {seconds * 1000:.0f} ms")
    connection.close()

    assert response.status == 303
    assert response.getheader("Location") == url
    assert seconds < 2
    assert list(upload_temp.iterdir()) == []
    assert not Attachment.objects.exists()
    # The browser follows the redirect with the message cookie it was given.
    message_cookie = response.getheader("Set-Cookie").split(";")[0]
    again = http.client.HTTPConnection(host, timeout=30)
    again.request("GET", url, headers={"Cookie": f"{session}; {message_cookie}"})
    page = again.getresponse().read().decode()
    again.close()
    assert REFUSED in page and "400,0\xa0MB" in page
