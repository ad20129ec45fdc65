"""Reports through the API: the pages' services and rules, the version check
(409 with the current version), field errors by field, the workflow, files."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Attachment, ProgressReport, ReportState, ReportTransition
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def period(assignment_a):
    return PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


def test_a_reporter_starts_saves_and_submits_a_report(api_client_for, reporter_a, assignment_a, period, unit_a):
    unit_a.requires_signoff = False
    unit_a.save()
    indicator = IndicatorFactory(task=assignment_a.task)
    client = api_client_for(reporter_a)
    due = client.get(reverse("api-due-list")).json()
    assert [(row["assignment"], row["period"], row["state"], row["version"]) for row in due] == [
        (assignment_a.pk, period.pk, "not_started", 1)
    ]
    created = client.post_json(reverse("api-report-list"), {
        "assignment": assignment_a.pk, "period": period.pk, "implementation_status": "in_progress",
        "percent_complete": 30, "results": "Đã tổ chức 3 hội nghị.",
        "indicator_values": [{"indicator": indicator.pk, "value": 3}]})  # fmt: skip
    assert created.status_code == 201, created.content
    report = created.json()
    assert (report["state"], report["version"], report["percent_complete"]) == ("draft", 2, 30)
    assert report["indicator_values"] == [{"indicator": indicator.pk, "value": 3.0}]
    assert report["actions"] == ["submit"]
    saved = client.patch_json(reverse("api-report-detail", args=[report["id"]]),
                              {"expected_version": 2, "percent_complete": 50})  # fmt: skip
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["percent_complete"], saved.json()["results"]) == (
        3,
        50,
        "Đã tổ chức 3 hội nghị.",
    )
    submitted = client.post_json(reverse("api-report-submit", args=[report["id"]]))
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert ReportTransition.objects.get().action == "submit"


def test_a_stale_save_gets_409_with_the_current_version_and_changes_nothing(api_client_for, reporter_a, assignment_a,
                                                                             period):  # fmt: skip
    report = ReportFactory(assignment=assignment_a, period=period, version=4, results="Bản của người khác.")
    response = api_client_for(reporter_a).patch_json(
        reverse("api-report-detail", args=[report.pk]), {"expected_version": 3, "results": "Bản của tôi."}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["current_version"] == 4
    report.refresh_from_db()
    assert (report.version, report.results) == (4, "Bản của người khác.")


def test_starting_a_report_someone_started_meanwhile_is_a_conflict(api_client_for, reporter_a, assignment_a, period):
    ReportFactory(assignment=assignment_a, period=period, version=2)
    response = api_client_for(reporter_a).post_json(
        reverse("api-report-list"), {"assignment": assignment_a.pk, "period": period.pk, "results": "Mới."}
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_field_errors_come_by_field_with_a_code_and_a_vietnamese_message(api_client_for, reporter_a, assignment_a,
                                                                          period):  # fmt: skip
    response = api_client_for(reporter_a).post_json(reverse("api-report-list"), {
        "assignment": assignment_a.pk, "period": period.pk, "implementation_status": "completed",
        "percent_complete": 40})  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert (
        body["fields"]["percent_complete"][0]["message"]
        == "Nhiệm vụ đã hoàn thành thì tỷ lệ hoàn thành phải là 100 phần trăm."
    )
    assert not ProgressReport.objects.exists()
    wrong_type = api_client_for(reporter_a).post_json(reverse("api-report-list"), {"assignment": "x", "period": 1})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["fields"]["assignment"][0]["code"] == "invalid"


def test_submitting_an_empty_report_is_refused_by_the_workflow(api_client_for, head_a, assignment_a, period):
    report = ReportFactory(assignment=assignment_a, period=period, results="")
    response = api_client_for(head_a).post_json(reverse("api-report-submit", args=[report.pk]))
    assert response.status_code == 400
    assert "results" in response.json()["fields"]
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_returning_needs_a_reason(api_client_for, office_user, assignment_a, period):
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.SUBMITTED)
    response = api_client_for(office_user).post_json(reverse("api-report-return", args=[report.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    ok = api_client_for(office_user).post_json(reverse("api-report-return", args=[report.pk]), {"reason": "Bổ sung."})
    assert ok.json()["state"] == "returned"


def test_files_go_through_the_same_checks_and_come_back(private_files, api_client_for, reporter_a, assignment_a,
                                                         period, settings):  # fmt: skip
    report = ReportFactory(assignment=assignment_a, period=period)
    client = api_client_for(reporter_a)
    url = reverse("api-attachment-list", args=[report.pk])
    fake = client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all")})
    assert fake.status_code == 400
    assert fake.json()["code"] == "validation_error"
    settings.ATTACHMENT_MAX_BYTES = 10
    too_big = client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert too_big.status_code == 400
    settings.ATTACHMENT_MAX_BYTES = 1024
    added = client.post(url, {"file": SimpleUploadedFile("Biên bản.pdf", PDF)})
    assert added.status_code == 201, added.content
    listed = client.get(url).json()
    assert [item["original_name"] for item in listed] == ["Biên bản.pdf"]
    download = client.get(reverse("api-attachment-detail", args=[report.pk, added.json()["id"]]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    removed = client.delete(reverse("api-attachment-detail", args=[report.pk, added.json()["id"]]))
    assert removed.status_code == 204
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "moment", ["0013-08-16T18:51:47+20:00", "0001-01-01T00:00:00+10:00", "9999-12-31T23:00:00-10:00"]
)
def test_updated_since_with_any_iso_offset_is_an_answer_not_a_server_error(api_client_for, office_user, moment):
    # Schemathesis found "+20:00" made PostgreSQL refuse the query (a 500); the bounds of the calendar too.
    answer = api_client_for(office_user).get("/api/v1/reports/", {"updated_since": moment})
    assert answer.status_code == 200, answer.content
