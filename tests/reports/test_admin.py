import datetime
import hashlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Assignment, Attachment, IndicatorValue, ReportingPeriod, ReportTransition
from reports.services import assignments_bulk_create
from tests.factories import AssignmentFactory, IndicatorFactory, ReportFactory, TaskFactory, UnitFactory

# History models are reached through their owner's "History" page (SimpleHistoryAdmin).
REPORT_MODELS = [m for m in apps.get_app_config("reports").get_models() if not m.__name__.startswith("Historical")]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def report(assignment_a, admin_user):
    return ReportFactory(assignment=assignment_a, created_by=admin_user)


@pytest.fixture
def one_of_each(report, admin_user):
    indicator = IndicatorFactory(task=report.assignment.task)
    IndicatorValue.objects.create(report=report, indicator=indicator, value=3)
    Attachment.objects.create(
        report=report,
        file=f"attachments/{report.pk}/minutes.pdf",
        original_name="Biên bản.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        uploaded_by=admin_user,
    )
    ReportTransition.objects.create(
        report=report, action="submit", from_state="draft", to_state="submitted", by=admin_user
    )


def test_every_model_of_the_three_apps_has_an_admin():
    for label in ("units", "directives", "reports", "notifications"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", REPORT_MODELS, ids=lambda model: model.__name__)
def test_admin_pages_open_for_superuser(model, one_of_each, admin_user, client_for):
    client = client_for(admin_user)
    obj = model._default_manager.first()
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        assert client.get(url).status_code == 200, url
    # Workflow steps are recorded by the workflow only: no add page for them.
    expected_add = 403 if model is ReportTransition else 200
    assert client.get(admin_url(model, "add")).status_code == expected_add


@pytest.mark.parametrize("model", REPORT_MODELS, ids=lambda model: model.__name__)
def test_changelists_run_the_same_queries_whatever_the_number_of_rows(
    model, one_of_each, report, admin_user, client_for, django_assert_max_num_queries
):
    client = client_for(admin_user)
    url = admin_url(model, "changelist")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(3):
        more = ReportFactory(
            assignment=AssignmentFactory(task=report.assignment.task, schedule=report.assignment.schedule)
        )
        IndicatorValue.objects.create(report=more, indicator=IndicatorFactory(task=more.assignment.task), value=1)
        Attachment.objects.create(report=more, file="x.pdf", original_name="x.pdf", content_type="", size=1, sha256="1")
    with django_assert_max_num_queries(20) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_uploading_an_attachment_records_its_name_size_checksum_and_uploader(
    report, admin_user, client_for, private_files
):
    content = b"%PDF-1.4 minutes"
    data = {
        "assignment": report.assignment.pk,
        "period": report.period.pk,
        "state": report.state,
        "implementation_status": report.implementation_status,
        "percent_complete": 40,
        "indicator_values-TOTAL_FORMS": 0,
        "indicator_values-INITIAL_FORMS": 0,
        "transitions-TOTAL_FORMS": 0,
        "transitions-INITIAL_FORMS": 0,
        "attachments-TOTAL_FORMS": 1,
        "attachments-INITIAL_FORMS": 0,
        "attachments-0-file": SimpleUploadedFile("Biên bản họp.pdf", content, content_type="application/pdf"),
    }
    response = client_for(admin_user).post(admin_url(report.__class__, "change", report.pk), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    attachment = report.attachments.get()
    assert attachment.original_name == "Biên bản họp.pdf"
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == admin_user
    assert (private_files / attachment.file.name).read_bytes() == content


def test_indicator_values_offer_only_the_indicators_of_the_reports_task(report, admin_user, client_for):
    own = IndicatorFactory(task=report.assignment.task)
    IndicatorFactory(task=TaskFactory())
    response = client_for(admin_user).get(admin_url(report.__class__, "change", report.pk))

    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is IndicatorValue)
    assert list(formset.empty_form.fields["indicator"].queryset) == [own]


def test_schedule_action_creates_the_missing_periods(schedule, admin_user, client_for):
    client_for(admin_user).post(
        admin_url(schedule.__class__, "changelist"), {"action": "extend_periods", "_selected_action": [schedule.pk]}
    )

    assert ReportingPeriod.objects.filter(schedule=schedule, key="2024-H1").exists()


class TestAssignmentsBulkCreate:
    @pytest.fixture
    def districts(self, province):
        return [UnitFactory(name=f"District {n}", kind="party_committee", level=2, parent=province) for n in range(3)]

    def test_creates_one_assignment_per_task_and_matching_unit(self, districts, province, schedule):
        tasks = [TaskFactory(), TaskFactory()]
        UnitFactory(kind="peoples_committee", level=2)

        created, skipped = assignments_bulk_create(
            tasks=tasks, kind="party_committee", level=2, role="lead", schedule=schedule, reviewing_unit=province
        )

        assert (created, skipped) == (6, 0)
        assert set(Assignment.objects.values_list("task_id", "unit_id")) == {
            (task.pk, unit.pk) for task in tasks for unit in districts
        }
        assert set(Assignment.objects.values_list("role", "schedule_id", "reviewing_unit_id")) == {
            ("lead", schedule.pk, province.pk)
        }

    def test_skips_existing_assignments_and_leaves_them_unchanged(self, districts, task, schedule):
        existing = AssignmentFactory(task=task, unit=districts[0], role="lead", schedule=schedule)

        created, skipped = assignments_bulk_create(
            tasks=[task], kind="party_committee", level=2, role="coordinating", schedule=schedule
        )

        assert (created, skipped) == (2, 1)
        existing.refresh_from_db()
        assert existing.role == "lead"

    def test_only_units_open_on_the_given_day_when_asked(self, districts, task, schedule):
        day = datetime.date(2025, 7, 1)
        closed = UnitFactory(level=2, valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2025, 6, 30))
        later = UnitFactory(level=2, valid_from=datetime.date(2025, 7, 2))

        assert assignments_bulk_create(
            tasks=[task], kind="party_committee", level=2, role="lead", schedule=schedule, open_on=day
        ) == (3, 0)
        assert not Assignment.objects.filter(unit__in=[closed, later]).exists()
        assert assignments_bulk_create(
            tasks=[task], kind="party_committee", level=2, role="lead", schedule=schedule
        ) == (
            2,
            3,
        )
