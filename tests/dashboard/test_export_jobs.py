"""Large exports run as Celery jobs behind a progress page (issue #5, part 7):
the job is created and queued after commit, the task builds the file and
reports progress, only the user who asked sees it, and a broker outage does
not lose the export."""

import datetime
import io
from urllib.parse import urlencode

import docx
import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from dashboard import tasks
from dashboard.exports import jobs
from dashboard.models import ExportJob, ExportKind, ExportState
from dashboard.selection import Selection
from dashboard.tasks import build_export
from tests.dashboard import test_exports as shared

# The shared fixtures: a small directive with units, a fixed today, a temporary private root.
world, today, private_root = shared.world, shared.today, shared.private_root
TASK_TITLES = shared.TASK_TITLES


URLS = {
    ExportKind.XLSX: "dashboard_export_xlsx",
    ExportKind.DOCX: "dashboard_summary_docx",
    ExportKind.PDF: "dashboard_summary_pdf",
}


@pytest.fixture
def jobs_only(settings, private_root):
    settings.EXPORT_INLINE_MAX_ROWS = 0


@pytest.fixture
def queued(monkeypatch):
    """What was handed to the broker, instead of a broker."""
    sent = []
    monkeypatch.setattr(build_export, "delay", lambda job_id: sent.append(job_id))
    return sent


def ask(client, kind, world):
    """The download button of a large export: a form posted to the export's address."""
    return client.post(f"{reverse(URLS[kind])}?{urlencode(world.query)}")


@pytest.mark.parametrize("kind", list(URLS))
def test_a_large_export_becomes_a_job_queued_after_commit(
    kind,
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client_for(committee_user), kind, world)

    job = ExportJob.objects.get()
    assert response.status_code == 303 and response["Location"] == reverse("dashboard_export_job", args=[job.pk])
    assert (job.user, job.kind, job.state, job.progress) == (committee_user, kind, ExportState.QUEUED, 0)
    # The compiled report's flavour travels with the job (the office's report unless asked otherwise).
    flavour = "" if kind == "xlsx" else "&flavour=office"
    assert job.query == f"directive={world.directive.pk}&start=2024-H1&end=2024-H2{flavour}"
    assert len(callbacks) == 1 and queued == [str(job.pk)]


def test_asking_again_while_the_job_runs_returns_the_same_job(
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
    django_capture_on_commit_callbacks,
):
    client = client_for(committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(client, ExportKind.PDF, world)
        second = ask(client, ExportKind.PDF, world)

    assert first["Location"] == second["Location"]
    assert ExportJob.objects.count() == 1 and len(queued) == 1


@pytest.mark.parametrize("kind", list(URLS))
def test_the_task_builds_the_file_reporting_progress_and_the_user_downloads_it(
    kind,
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
    monkeypatch,
):
    client = client_for(committee_user)
    ask(client, kind, world)
    job = ExportJob.objects.get()
    seen = []
    record = jobs._set_progress
    monkeypatch.setattr(jobs, "_set_progress", lambda job_id, percent: (seen.append(percent), record(job_id, percent)))

    assert build_export(str(job.pk)) == ExportState.DONE

    job.refresh_from_db()
    assert (job.state, job.progress, job.error) == (ExportState.DONE, 100, "")
    assert job.finished_at is not None and job.filename.endswith(f".{kind}")
    assert seen and seen == sorted(seen) and 0 < seen[0] < 100
    page = client.get(reverse("dashboard_export_job", args=[job.pk]))
    assert reverse("dashboard_export_download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("dashboard_export_download", args=[job.pk]))
    assert download.status_code == 200
    assert job.filename in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    if kind == ExportKind.XLSX:
        assert [
            row[1]
            for row in openpyxl.load_workbook(io.BytesIO(data)).worksheets[1].iter_rows(min_row=2, values_only=True)
        ] == TASK_TITLES
    elif kind == ExportKind.DOCX:
        assert "1. " + TASK_TITLES[0] in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    else:
        assert data.startswith(b"%PDF")


def test_the_progress_part_polls_every_second_until_the_file_is_ready(
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
):
    client = client_for(committee_user)
    ask(client, ExportKind.XLSX, world)
    job = ExportJob.objects.get()
    url = reverse("dashboard_export_job", args=[job.pk])

    waiting = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and 'role="progressbar"' in waiting
    assert "<html" not in waiting
    build_export(str(job.pk))
    ready = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in ready
    assert reverse("dashboard_export_download", args=[job.pk]) in ready
    full = client.get(url).content.decode()
    assert "<html" in full and "htmx.min.js" in full


def test_nobody_else_sees_a_job_and_unit_staff_are_refused(
    world,
    committee_user,
    office_user,
    reporter_a,
    client_for,
    today,
    jobs_only,
    queued,
    client,
):
    ask(client_for(committee_user), ExportKind.XLSX, world)
    job = ExportJob.objects.get()
    build_export(str(job.pk))
    urls = [reverse("dashboard_export_job", args=[job.pk]), reverse("dashboard_export_download", args=[job.pk])]

    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(office_user)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(reporter_a)
    for url in urls:
        assert client.get(url).status_code == 403


def test_a_file_not_ready_yet_is_not_found(world, committee_user, client_for, today, jobs_only, queued):
    client = client_for(committee_user)
    ask(client, ExportKind.XLSX, world)
    job = ExportJob.objects.get()

    assert client.get(reverse("dashboard_export_download", args=[job.pk])).status_code == 404


def test_when_the_broker_is_down_the_export_is_built_in_the_request(
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(build_export, "delay", broker_down)
    client = client_for(committee_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, ExportKind.DOCX, world)

    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboard_export_job", args=[job.pk])
    assert (job.state, job.progress) == (ExportState.DONE, 100)
    assert client.get(reverse("dashboard_export_download", args=[job.pk])).status_code == 200


def test_a_transient_error_is_retried_with_backoff_and_the_job_completes_later(
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
    monkeypatch,
):
    ask(client_for(committee_user), ExportKind.XLSX, world)
    job = ExportJob.objects.get()
    real_figures = Selection.figures

    def database_gone(self):
        raise OperationalError("server closed the connection unexpectedly")

    class Retry(Exception):
        pass

    retries = []

    def retry(**kwargs):
        retries.append(kwargs["countdown"])
        return Retry()

    monkeypatch.setattr(Selection, "figures", database_gone)
    monkeypatch.setattr(build_export, "retry", retry)
    with pytest.raises(Retry):
        build_export(str(job.pk))
    job.refresh_from_db()
    assert job.state == ExportState.RUNNING and retries == [30]

    monkeypatch.setattr(Selection, "figures", real_figures)
    build_export(str(job.pk))
    job.refresh_from_db()
    assert job.state == ExportState.DONE


def test_any_other_error_fails_the_job_and_the_page_says_so(
    world,
    committee_user,
    client_for,
    today,
    jobs_only,
    queued,
    monkeypatch,
):
    client = client_for(committee_user)
    ask(client, ExportKind.PDF, world)
    job = ExportJob.objects.get()

    def broken(*args, **kwargs):
        raise ValueError("no such font")

    monkeypatch.setattr(jobs, "export_build", broken)
    assert tasks.build_export(str(job.pk)) == ExportState.FAILED

    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "no such font" in job.error
    page = client.get(reverse("dashboard_export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "hx-trigger" not in page.content.decode() and 'role="alert"' in page.content.decode()
    assert build_export(str(job.pk)) == ExportState.FAILED  # a finished job is left alone


def test_old_export_files_are_deleted_by_the_beat_job(committee_user, private_root, settings):
    settings.EXPORT_KEEP_DAYS = 7
    old, recent = (
        ExportJob.objects.create(user=committee_user, kind=ExportKind.PDF, query=query, state=ExportState.DONE)
        for query in ("directive=1", "directive=2")  # two requests: one current job each
    )
    for job in (old, recent):
        job.file.save(f"{job.pk}.pdf", ContentFile(b"%PDF-1.4"), save=True)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))

    assert tasks.delete_old_exports() == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not (private_root / old.file.name).exists()
    assert recent.file.storage.exists(recent.file.name)
