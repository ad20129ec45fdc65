"""The organisation import in the admin (issue #12, items 2, 4 and 8): upload,
a preview of every row, confirm, all or nothing; large files as jobs; only
administrators import and a preview is its importer's own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding import tasks
from onboarding.models import ImportBatch, ImportState
from reports.storage import private_storage
from tests.factories import UserFactory
from tests.onboarding.test_workbook import UNIT, book
from units.models import Unit
from units.roles import ADMIN_GROUP

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(ImportBatch._meta.get_field("file"), "storage", private_storage())


@pytest.fixture
def province(db):
    from tests.factories import UnitFactory

    return UnitFactory(code="tinh-uy", name="Tỉnh ủy Thử", level=1)


def upload(client, data, name="to-chuc.xlsx"):
    return client.post(reverse("admin:onboarding_import"), {"file": SimpleUploadedFile(name, data, XLSX)})


def test_an_administrator_checks_then_confirms_and_the_import_is_recorded(province, admin_user, client):
    client.force_login(admin_user)

    response = upload(client, book(units=[UNIT]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:onboarding_preview", args=[batch.pk])
    preview = client.get(response["Location"])
    text = preview.content.decode()
    assert batch.state == ImportState.CHECKED and "huyen-uy-a" in text and "Nhập các dòng này" in text
    assert not Unit.objects.filter(code="huyen-uy-a").exists()

    client.post(response["Location"], {"confirm": "1"})
    client.post(response["Location"], {"confirm": "1"})  # a second click imports nothing more

    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED and batch.applied_at is not None and batch.user == admin_user
    assert Unit.objects.filter(code="huyen-uy-a").count() == 1
    listing = client.get(reverse("admin:onboarding_importbatch_changelist")).content.decode()
    assert "to-chuc.xlsx" in listing


def test_rows_with_errors_are_shown_in_vietnamese_and_cannot_be_confirmed(province, admin_user, client):
    client.force_login(admin_user)
    upload(client, book(units=[[*UNIT[:5], "khong-co", *UNIT[6:]]]))
    batch = ImportBatch.objects.get()

    text = client.get(reverse("admin:onboarding_preview", args=[batch.pk])).content.decode()

    assert batch.state == ImportState.REFUSED
    assert "Không có đơn vị nào mã “khong-co”" in text and "Mã đơn vị cấp trên" in text
    assert "Nhập các dòng này" not in text
    client.post(reverse("admin:onboarding_preview", args=[batch.pk]), {"confirm": "1"})
    assert not Unit.objects.filter(code="huyen-uy-a").exists()


def test_a_file_that_is_not_a_workbook_is_refused_with_the_form(province, admin_user, client):
    client.force_login(admin_user)

    response = upload(client, b"%PDF-1.4", name="to-chuc.pdf")

    assert response.status_code == 200 and "Hãy chọn tệp .xlsx hoặc .csv" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_only_administrators_import_and_a_preview_is_the_importers_own(province, admin_user, office_user, client):
    client.force_login(admin_user)
    upload(client, book(units=[UNIT]))
    batch = ImportBatch.objects.get()

    office_user.is_staff = True
    office_user.save()
    client.force_login(office_user)
    assert client.get(reverse("admin:onboarding_import")).status_code == 403
    assert client.get(reverse("admin:onboarding_export")).status_code == 403

    other = UserFactory(username="admin-2", groups=[ADMIN_GROUP])
    other.is_staff = True
    other.save()
    client.force_login(other)
    assert client.get(reverse("admin:onboarding_preview", args=[batch.pk])).status_code == 404
    client.post(reverse("admin:onboarding_preview", args=[batch.pk]), {"confirm": "1"})
    assert not Unit.objects.filter(code="huyen-uy-a").exists()


def test_a_large_workbook_is_checked_and_imported_by_a_job(
    province, admin_user, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 1
    queued = []
    monkeypatch.setattr(tasks.check_import, "delay", lambda pk: queued.append(("check", pk)))
    monkeypatch.setattr(tasks.apply_import, "delay", lambda pk: queued.append(("apply", pk)))
    client.force_login(admin_user)
    second = ["xa-b", "Đảng ủy xã B", "", "Cấp ủy", "Xã", "huyen-uy-a", "", "", "", "có"]

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, book(units=[UNIT, second]))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("admin:onboarding_preview", args=[batch.pk])).content.decode()
    assert batch.state == ImportState.CHECKING and 'http-equiv="refresh"' in page

    assert tasks.check_import(str(batch.pk)) == ImportState.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:onboarding_preview", args=[batch.pk]), {"confirm": "1"})
    assert queued == [("check", str(batch.pk)), ("apply", str(batch.pk))]
    assert tasks.apply_import(str(batch.pk)) == ImportState.APPLIED
    assert Unit.objects.filter(code__in=["huyen-uy-a", "xa-b"]).count() == 2


def test_the_empty_workbook_and_the_export_download(province, admin_user, client):
    client.force_login(admin_user)

    template = client.get(reverse("admin:onboarding_template"))
    export = client.get(reverse("admin:onboarding_export"))

    assert template.status_code == export.status_code == 200
    assert template["Content-Type"] == export["Content-Type"] == XLSX


def test_imported_users_are_asked_by_e_mail_to_choose_their_password(
    province, admin_user, client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.accounts.conftest import LINK
    from tracker.celery import app as celery_app

    client.force_login(admin_user)
    data = book(
        users=[["nguyenthilan", "Nguyễn Thị", "Lan", "lan@example.vn", "có"], ["khongthu", "Trần", "B", "", "có"]]
    )
    upload(client, data)
    batch = ImportBatch.objects.get()
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:onboarding_preview", args=[batch.pk]), {"confirm": "1"})
    finally:
        celery_app.conf.task_always_eager = False

    (message,) = mail.outbox  # the user without an address gets none: the administrator tells them
    assert message.to == ["lan@example.vn"] and "Kính gửi đồng chí Nguyễn Thị Lan," in message.body
    assert LINK.search(message.body)


@pytest.mark.django_db(transaction=True)
def test_a_jobs_progress_bar_moves_in_a_bounded_number_of_writes(admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onboarding.jobs import _Progress

    batch = ImportBatch.objects.create(user=admin_user, filename="to-chuc.xlsx", rows=130_000)
    progress = _Progress(batch.pk)

    with CaptureQueriesContext(connection) as queries:
        for row in range(130_001):
            progress(row / 130_000)

    assert len(queries) == progress.writes <= 100 // _Progress.STEP
    batch.refresh_from_db()
    assert batch.progress == 95  # 100 when the job has written its report
