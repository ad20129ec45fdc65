"""What the report page shows first and how its history reads; a head's
signatures first on "my work"; notifications marked done once handled."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationKind
from notifications.services import notification_send
from reports.attachments import attachment_add, attachment_delete
from reports.models import Attachment, ProgressReport, ReportState
from reports.services import report_save
from reports.storage import private_storage
from reports.workflow import report_transition
from tests.factories import PeriodFactory, ReportFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
REASON = "Bổ sung số liệu của từng xã."


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())


@pytest.fixture
def period(assignment_a):
    today = timezone.localdate()
    return PeriodFactory(
        schedule=assignment_a.schedule,
        key=f"{today.year}-H1",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today,
        due_on=today + datetime.timedelta(days=5),
    )


@pytest.fixture
def names(reporter_a, head_a, office_user):
    for user, name in ((reporter_a, "Nguyễn Thị Lan"), (head_a, "Trần Văn Hùng"), (office_user, "Phạm Thu Hà")):
        user.first_name, user.last_name = name, ""
        user.save()


@pytest.fixture
def report(assignment_a, period, reporter_a):
    return ReportFactory(assignment=assignment_a, period=period, created_by=reporter_a, results="Đã làm.")


def detail(report):
    return reverse("report_detail", args=[report.pk])


def fresh(report):
    return ProgressReport.objects.get(pk=report.pk)


def returned(report, reporter, head, office, reason=REASON):
    report = report_transition(report=report, action="send_to_head", by=reporter)
    report = report_transition(report=report, action="submit", by=head)
    return report_transition(report=report, action="return", by=office, reason=reason)


# --- the reason first ---------------------------------------------------------------------------


def test_a_returned_reports_reason_is_the_first_thing_on_the_page(
    report, reporter_a, head_a, office_user, names, client_for
):
    returned(report, reporter_a, head_a, office_user)
    html = client_for(reporter_a).get(detail(report)).content.decode()
    alert = html.index('data-testid="pending-reason"')
    assert alert < html.index('data-testid="report-form"')
    block = html[alert : html.index("</div>", alert)]
    assert REASON in block
    assert "Văn phòng Tỉnh ủy (Phạm Thu Hà) trả lại lúc" in block


def test_a_sent_back_reports_reason_is_at_the_top_too(report, reporter_a, head_a, names, client_for):
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    report_transition(report=report, action="send_back", by=head_a, reason="Viết rõ hơn phần khó khăn.")
    html = client_for(reporter_a).get(detail(report)).content.decode()
    block = html[html.index('data-testid="pending-reason"') : html.index('data-testid="report-form"')]
    assert "Trần Văn Hùng đã gửi trả lại lúc" in block
    assert "Viết rõ hơn phần khó khăn." in block


def test_the_reason_alert_goes_once_the_report_is_sent_again(report, reporter_a, head_a, office_user, client_for):
    report = returned(report, reporter_a, head_a, office_user)
    report_transition(report=report, action="send_to_head", by=reporter_a)
    assert 'data-testid="pending-reason"' not in client_for(reporter_a).get(detail(report)).content.decode()


def test_a_draft_never_sent_has_no_reason_alert(report, reporter_a, client_for):
    assert 'data-testid="pending-reason"' not in client_for(reporter_a).get(detail(report)).content.decode()


# --- a history a person can read -----------------------------------------------------------------


def history_html(client, report):
    html = client.get(detail(report)).content.decode()
    start = html.index('data-testid="history"')
    return html[start : html.index("</section>", start)]


def test_the_history_reads_like_a_person_wrote_it(
    report, reporter_a, head_a, office_user, names, client_for, private_root
):
    report_save(
        report=report,
        by=reporter_a,
        data={"implementation_status": "in_progress", "percent_complete": 40},
        indicator_values={},
        expected_version=report.version,
    )
    kept = attachment_add(
        report=report, upload=SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf"), by=reporter_a
    )
    dropped = attachment_add(
        report=report,
        upload=SimpleUploadedFile("Nháp cũ.pdf", PDF + b"%x\n", content_type="application/pdf"),
        by=reporter_a,
    )
    attachment_delete(attachment=dropped, by=reporter_a)
    returned(fresh(report), reporter_a, head_a, office_user)

    html = history_html(client_for(office_user), report)

    # Local time, day first, to the minute; never the database's raw value.
    now = timezone.localtime()
    assert now.strftime("%d/%m/%Y") in html
    assert "+00:00" not in html and "UTC" not in html
    assert not re.search(r"\d\d:\d\d:\d\d", html)
    # People by their names, not their ids.
    assert "Người gửi: — → Trần Văn Hùng" in html
    assert f"→ {head_a.pk}<" not in html
    # Choices by their labels.
    assert "Tình trạng: Chờ ký duyệt → Đã gửi" in html
    assert "Tình hình thực hiện: Chưa bắt đầu → Đang thực hiện" in html
    # Dates and times as the Vietnamese read them.
    assert f"Gửi lúc: — → {now:%d/%m/%Y} " in html
    assert "Tỷ lệ hoàn thành (%): 0 → 40" in html
    # Who did it, by name.
    assert html.split("Phân công")[0].count("hệ thống") == 1  # only the test's own ReportFactory
    assert "Phạm Thu Hà" in html and "Nguyễn Thị Lan" in html
    # Files attached and removed, with who did it.
    assert f"Đính kèm tệp: {kept.original_name}" in html
    assert "Đính kèm tệp: Nháp cũ.pdf" in html
    assert "Gỡ tệp: Nháp cũ.pdf" in html
    assert REASON in html


def test_files_attached_before_their_history_was_kept_are_listed_from_their_upload(
    report, reporter_a, office_user, client_for, private_root
):
    attachment = attachment_add(
        report=report, upload=SimpleUploadedFile("Cũ.pdf", PDF, content_type="application/pdf"), by=reporter_a
    )
    Attachment.history.filter(id=attachment.pk).delete()
    assert "Đính kèm tệp: Cũ.pdf" in history_html(client_for(office_user), report)


# --- a head signs first ----------------------------------------------------------------------------


def test_a_head_sees_the_reports_waiting_for_their_signature_first(
    report, assignment_b, reporter_a, head_a, client_for
):
    report_transition(report=report, action="send_to_head", by=reporter_a)
    ReportFactory(assignment=assignment_b, period=report.period, state=ReportState.PENDING_SIGNOFF)
    html = client_for(head_a).get(reverse("my_work")).content.decode()
    block = html[html.index('data-testid="to-sign"') : html.index('data-testid="my-units"')]
    assert block.count('data-testid="to-sign-row"') == 1  # another unit's report is not theirs to sign
    assert reverse("report_detail", args=[report.pk]) in block
    assert "Chờ tôi ký duyệt" in block
    assert html.index('data-testid="to-sign"') < html.index('data-testid="my-assignments"')


def test_a_reporter_has_no_signature_list(report, reporter_a, client_for):
    report_transition(report=report, action="send_to_head", by=reporter_a)
    assert 'data-testid="to-sign"' not in client_for(reporter_a).get(reverse("my_work")).content.decode()


# --- notifications done once handled ------------------------------------------------------------


def open_items(user):
    return list(Notification.objects.for_user(user).unread().values_list("kind", flat=True))


def test_the_offices_submitted_notifications_are_done_once_one_of_them_reviews(
    report, reporter_a, head_a, office_user, client_for
):
    from tests.factories import UserFactory
    from units.roles import OFFICE_GROUP

    colleague = UserFactory(username="office-2", groups=[OFFICE_GROUP])
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    assert open_items(head_a) == [NotificationKind.REPORT_SENT_TO_HEAD]
    report = report_transition(report=report, action="submit", by=head_a)
    assert open_items(head_a) == []
    assert open_items(office_user) == open_items(colleague) == [NotificationKind.REPORT_SUBMITTED]

    report_transition(report=report, action="accept", by=office_user)

    assert open_items(office_user) == open_items(colleague) == []
    done = Notification.objects.get(recipient=colleague)
    assert done.done_at is not None
    page = client_for(colleague).get(reverse("notification_list")).content.decode()
    assert 'data-testid="handled"' in page
    assert '<span data-testid="unread-count"' not in page or ">0<" in page


def test_a_return_notification_is_done_when_the_unit_sends_the_report_again(report, reporter_a, head_a, office_user):
    report = returned(report, reporter_a, head_a, office_user)
    assert NotificationKind.REPORT_RETURNED in open_items(reporter_a)
    report_transition(report=report, action="send_to_head", by=reporter_a)
    assert NotificationKind.REPORT_RETURNED not in open_items(head_a)
    report_transition(report=fresh(report), action="submit", by=head_a)
    assert open_items(reporter_a) == []


def test_reminders_about_the_report_are_done_once_it_is_submitted(report, reporter_a, head_a):
    notification_send(
        recipients=[reporter_a, head_a],
        kind=NotificationKind.REMINDER_OVERDUE,
        assignment=report.assignment,
        period=report.period,
    )
    report_transition(report=report, action="submit", by=head_a)
    assert NotificationKind.REMINDER_OVERDUE not in open_items(reporter_a)


def test_an_item_already_read_is_still_marked_done(report, reporter_a, head_a):
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    item = Notification.objects.get(recipient=head_a)
    item.read_at = timezone.now()
    item.save()
    report_transition(report=report, action="submit", by=head_a)
    item.refresh_from_db()
    assert item.done_at is not None


def test_another_reports_notifications_stay_open(report, assignment_b, reporter_a, reporter_b, head_a, unit_b):
    from tests.factories import MembershipFactory, UserFactory

    head_b = MembershipFactory(user=UserFactory(username="head-b"), unit=unit_b, role="head").user
    other = ReportFactory(assignment=assignment_b, period=report.period)
    report_transition(report=other, action="send_to_head", by=reporter_b)
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    report_transition(report=report, action="submit", by=head_a)
    assert open_items(head_b) == [NotificationKind.REPORT_SENT_TO_HEAD]


def test_a_handled_item_waiting_for_the_daily_digest_is_left_out_of_it(report, reporter_a, head_a):
    from notifications.models import EmailMode, EmailStatus, NotificationPreference

    head_a.email = "head@example.org"
    head_a.save()
    NotificationPreference.objects.create(user=head_a, email_mode=EmailMode.DIGEST)
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    assert Notification.objects.get(recipient=head_a).email_status == EmailStatus.DIGEST
    report_transition(report=report, action="submit", by=head_a)
    assert Notification.objects.get(recipient=head_a).email_status == EmailStatus.NONE
