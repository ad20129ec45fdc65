"""Issue #5 with a real worker: an export too large for the request is queued on
the real broker, built by `celery -A tracker worker`, its progress page turns
into a download link, and the file downloaded is a real PDF with the task
heading's diacritics intact."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.models import ExportJob, ExportState
from reports.models import ReportState
from tests.factories import AssignmentFactory, PeriodFactory, ReportFactory, TaskFactory, UnitFactory, UserFactory
from tests.integration.conftest import wait_until
from units.roles import COMMITTEE_GROUP

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TASK_TITLE = "Tăng cường kiểm tra, giám sát; phát huy giám sát, phản biện xã hội của MTTQ"


def test_a_large_export_is_built_by_a_real_worker_and_downloaded(start_worker, client, settings, tmp_path):
    settings.EXPORT_INLINE_MAX_ROWS = 0  # every export is a job
    task = TaskFactory(number=5, title=TASK_TITLE)
    province = UnitFactory(code="province", name="Tỉnh ủy Thử nghiệm", level=1)
    unit = UnitFactory(name="Ủy ban Kiểm tra (thử)", parent=province)
    assignment = AssignmentFactory(task=task, unit=unit)
    period = PeriodFactory(schedule=assignment.schedule, key="2024-H1")
    ReportFactory(
        assignment=assignment,
        period=period,
        state=ReportState.ACCEPTED,
        submitted_at=timezone.make_aware(datetime.datetime(2024, 6, 18, 9)),
        results="Đã kiểm tra 12 tổ chức đảng.",
    )
    start_worker(concurrency=1, EXPORT_INLINE_MAX_ROWS=0)
    client.force_login(UserFactory(username="btv", groups=[COMMITTEE_GROUP]))

    response = client.post(reverse("dashboard_summary_pdf"))  # the form a large export's link leads to
    assert response.status_code == 303
    job = ExportJob.objects.get()
    assert response.url == reverse("dashboard_export_job", args=[job.pk])

    def finished():
        job.refresh_from_db()
        return job.state in (ExportState.DONE, ExportState.FAILED)

    wait_until(finished, timeout=60, message="the worker to build the export")
    assert (job.state, job.progress, job.error) == (ExportState.DONE, 100, "")
    page = client.get(response.url).content.decode()
    assert reverse("dashboard_export_download", args=[job.pk]) in page

    download = client.get(reverse("dashboard_export_download", args=[job.pk]))
    path = tmp_path / "summary.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True)
    assert TASK_TITLE in " ".join(text.stdout.split())
