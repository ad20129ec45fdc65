"""Notification e-mails (notifications/emails.py): Vietnamese messages with a
direct link, one claim per send, retries with backoff, permanent failures the
administrator sees, the outbox flush and the daily digest."""

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from notifications.emails import TransientEmailError, digests_send, email_outbox_flush, notification_email_send
from notifications.models import EmailAttempt, EmailStatus, Notification, NotificationKind, NotificationPreference
from notifications.services import notification_send
from reports.models import ReportState, TransitionAction
from reports.workflow import report_transition
from tests.factories import PeriodFactory, ReportFactory, UserFactory
from tracker.celery import app as celery_app

D = datetime.date
TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2025, 6, 12, 9, 0, tzinfo=TZ)  # 7 days before the due date
SITE = "https://theodoi.tinhuy.example.vn"
MINUTE = datetime.timedelta(minutes=1)


class FailingBackend(BaseEmailBackend):
    """Stands in for the outside SMTP server: raises ``error`` on every send."""

    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        raise type(self).error


class WorkerKilled(BaseException):
    """What a worker killed mid-send looks like from inside: not an Exception."""


class KilledBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def failing(settings, monkeypatch):
    """Makes the mail server fail with the given error until the test restores it."""

    def fail_with(error):
        monkeypatch.setattr(FailingBackend, "error", error)
        settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    return fail_with


@pytest.fixture
def server_back(settings):
    def restore():
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    return restore


@pytest.fixture
def period(schedule):
    return PeriodFactory(
        schedule=schedule,
        kind="semiannual",
        key="2025-H1",
        starts_on=D(2024, 12, 15),
        ends_on=D(2025, 6, 14),
        due_on=D(2025, 6, 19),
    )


@pytest.fixture
def notify(assignment_a, period):
    def send(recipients, kind=NotificationKind.REMINDER_DUE_SOON, **fields):
        fields.setdefault("assignment", assignment_a)
        fields.setdefault("period", period)
        return notification_send(recipients=recipients, kind=kind, **fields)

    return send


@pytest.fixture
def item(notify, reporter_a):
    [notification] = notify([reporter_a])
    return notification


def fresh(notification):
    return Notification.objects.get(pk=notification.pk)


def send(notification, now=NOW):
    with time_machine.travel(now, tick=False):
        return notification_email_send(notification_id=notification.pk, now=now)


# --- one e-mail ----------------------------------------------------------------------------------


def test_notification_email_is_vietnamese_html_and_text_with_a_direct_link(item, reporter_a, assignment_a, period):
    assert item.email_status == EmailStatus.PENDING

    assert send(item) == "sent"

    [message] = mail.outbox
    assert message.to == ["reporter-a@example.vn"]
    assert message.subject == "[Theo dõi Chỉ thị] Sắp đến hạn gửi báo cáo: Huyện ủy Gia Lộc (thử) · Nhiệm vụ 1"
    link = f"{SITE}/assignments/{assignment_a.pk}/periods/{period.pk}/report/"
    for text in (
        f"Kính gửi đồng chí {reporter_a.get_full_name()},",
        "Sắp đến hạn gửi báo cáo.",
        "Đơn vị: Huyện ủy Gia Lộc (thử)",
        # The task with its directive, as on every screen.
        f"{assignment_a.task.directive.short_label} · Nhiệm vụ 1. Nâng cao nhận thức về vai trò của HĐND",
        "Kỳ báo cáo: 6 tháng đầu năm 2025 · hạn 19/06/2025 · còn 7 ngày",
        f"Mở báo cáo: {link}",
        "Theo dõi thực hiện Chỉ thị",
    ):
        assert text in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="vi">' in html
    assert f'<a href="{link}"' in html
    assert "Mở báo cáo</a>" in html
    assert "Đơn vị: Huyện ủy Gia Lộc (thử)" in html


def test_sent_email_is_recorded(item):
    send(item)

    item = fresh(item)
    assert (item.email_status, item.emailed_at, item.email_attempts, item.email_error) == (
        EmailStatus.SENT,
        NOW,
        1,
        "",
    )
    attempt = EmailAttempt.objects.get()
    assert (attempt.notification, attempt.succeeded, attempt.permanent, attempt.error) == (item, True, False, "")


def test_sending_again_sends_nothing(item):
    send(item)

    assert send(item) == "taken"
    assert len(mail.outbox) == 1
    assert EmailAttempt.objects.count() == 1
    assert fresh(item).email_attempts == 1


def test_email_about_a_report_links_to_the_report(notify, head_a, assignment_a, period):
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.DRAFT)
    [notification] = notify([head_a], kind=NotificationKind.REMINDER_OVERDUE, report=report)

    send(notification, now=datetime.datetime(2025, 6, 22, 9, 0, tzinfo=TZ))

    [message] = mail.outbox
    assert message.subject.startswith("[Theo dõi Chỉ thị] Báo cáo đã quá hạn: ")
    assert f"Mở báo cáo: {SITE}/reports/{report.pk}/" in message.body
    assert "hạn 19/06/2025 · quá hạn 3 ngày" in message.body
    assert f'href="{SITE}/reports/{report.pk}/"' in message.alternatives[0][0]


def test_text_email_is_not_html_escaped_but_the_html_one_is(
    notify, reporter_a, office_user, assignment_a, period, unit_a
):
    unit_a.short_name = "Ban Kinh tế & Ngân sách"
    unit_a.save()
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.RETURNED)
    reason = 'Thiếu biểu "02/BC" & số liệu <quý II>'
    [notification] = notify(
        [reporter_a], kind=NotificationKind.REPORT_RETURNED, report=report, reason=reason, actor=office_user
    )

    send(notification)

    [message] = mail.outbox
    assert message.subject.endswith(": Ban Kinh tế & Ngân sách · Nhiệm vụ 1")
    assert f"Lý do: {reason}" in message.body
    html = message.alternatives[0][0]
    assert "Thiếu biểu &quot;02/BC&quot; &amp; số liệu &lt;quý II&gt;" in html
    assert "<quý II>" not in html


# --- failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), id="disconnected"),
        pytest.param(smtplib.SMTPDataError(451, b"4.3.0 Try again later"), id="4xx"),
        pytest.param(ConnectionRefusedError(111, "Connection refused"), id="connection-refused"),
        pytest.param(TimeoutError("timed out"), id="timeout"),
    ],
)
def test_transient_failure_is_retried_later(item, failing, error):
    failing(error)

    with pytest.raises(TransientEmailError):
        send(item)

    item = fresh(item)
    assert (item.email_status, item.email_attempts) == (EmailStatus.PENDING, 1)
    assert item.email_next_attempt_at == NOW + 2 * MINUTE
    assert str(error) in item.email_error
    attempt = EmailAttempt.objects.get()
    assert (attempt.succeeded, attempt.permanent, attempt.error) == (False, False, str(error))
    assert mail.outbox == []


def test_backoff_grows_with_each_attempt(item, failing):
    failing(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    waits, now = [], NOW
    for _attempt in range(4):
        with pytest.raises(TransientEmailError):
            send(item, now=now)
        next_at = fresh(item).email_next_attempt_at
        waits.append((next_at - now) // MINUTE)
        now = next_at

    assert waits == [2, 4, 8, 16]
    assert EmailAttempt.objects.filter(succeeded=False, permanent=False).count() == 4


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            smtplib.SMTPRecipientsRefused({"reporter-a@example.vn": (550, b"5.1.1 User unknown")}), id="refused"
        ),
        pytest.param(smtplib.SMTPSenderRefused(553, b"5.7.1 Sender rejected", "no-reply@localhost"), id="sender"),
        pytest.param(smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), id="5xx"),
    ],
)
def test_permanent_failure_gives_up_at_once(item, failing, error):
    failing(error)

    assert send(item) == "failed"

    item = fresh(item)
    assert (item.email_status, item.email_attempts, item.email_next_attempt_at) == (EmailStatus.FAILED, 1, None)
    attempt = EmailAttempt.objects.get()
    assert (attempt.succeeded, attempt.permanent) == (False, True)
    assert attempt.error == str(error)
    assert send(item) == "taken"  # and is not tried again


def test_administrator_home_page_warns_about_failed_emails(item, failing, admin_user, client_for):
    failing(smtplib.SMTPRecipientsRefused({"reporter-a@example.vn": (550, b"5.1.1 User unknown")}))
    send(item)

    page = client_for(admin_user).get("/").content.decode()

    assert 'data-testid="failed-emails"' in page
    assert "1 e-mail không gửi được (ví dụ do sai địa chỉ)." in page


def test_administrator_home_page_has_no_warning_without_failed_emails(item, admin_user, client_for):
    send(item)

    assert 'data-testid="failed-emails"' not in client_for(admin_user).get("/").content.decode()


def test_email_fails_for_good_after_the_maximum_number_of_attempts(item, failing, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    failing(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    for minutes in (0, 10):
        with pytest.raises(TransientEmailError):
            send(item, now=NOW + minutes * MINUTE)
    assert send(item, now=NOW + 30 * MINUTE) == "failed"

    item = fresh(item)
    assert (item.email_status, item.email_attempts) == (EmailStatus.FAILED, 3)
    assert list(EmailAttempt.objects.order_by("at", "pk").values_list("permanent", flat=True)) == [False, False, True]


# --- the outbox flush ----------------------------------------------------------------------------


def test_flush_sends_what_was_never_queued(notify, reporter_a, head_a):
    notify([reporter_a, head_a])  # the broker was down: nobody queued them

    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW) == 2

    assert sorted(message.to[0] for message in mail.outbox) == ["head-a@example.vn", "reporter-a@example.vn"]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW + MINUTE) == 0
    assert len(mail.outbox) == 2


def test_flush_waits_for_the_backoff(item, failing, server_back):
    failing(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with pytest.raises(TransientEmailError):
        send(item)
    server_back()

    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW + MINUTE) == 0
        assert mail.outbox == []
        assert email_outbox_flush(now=NOW + 3 * MINUTE) == 1

    assert len(mail.outbox) == 1
    assert (fresh(item).email_status, fresh(item).email_attempts) == (EmailStatus.SENT, 2)


def test_flush_keeps_retrying_transient_failures_without_raising(item, failing):
    failing(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW) == 0

    assert fresh(item).email_status == EmailStatus.PENDING


def test_flush_reclaims_an_email_left_by_a_worker_killed_mid_send(item, settings, server_back):
    settings.EMAIL_CLAIM_MINUTES = 10
    settings.EMAIL_BACKEND = f"{__name__}.KilledBackend"
    with pytest.raises(WorkerKilled):
        send(item)
    assert fresh(item).email_status == EmailStatus.SENDING
    server_back()

    with time_machine.travel(NOW, tick=False):
        # Another worker might still be sending it: left alone within the lease.
        assert email_outbox_flush(now=NOW + 5 * MINUTE) == 0
        assert fresh(item).email_status == EmailStatus.SENDING
        assert email_outbox_flush(now=NOW + 11 * MINUTE) == 1
        assert email_outbox_flush(now=NOW + 12 * MINUTE) == 0

    assert len(mail.outbox) == 1
    assert (fresh(item).email_status, fresh(item).email_attempts) == (EmailStatus.SENT, 2)


# --- the daily digest ----------------------------------------------------------------------------


@pytest.fixture
def digest_reader(reporter_a):
    NotificationPreference.objects.create(user=reporter_a, email_mode="digest")
    return reporter_a


def test_digest_reader_gets_no_individual_emails(notify, digest_reader, head_a):
    notify([digest_reader, head_a])
    notify([digest_reader, head_a], kind=NotificationKind.REMINDER_OVERDUE)

    with time_machine.travel(NOW, tick=False):
        email_outbox_flush(now=NOW)

    assert [message.to for message in mail.outbox] == [["head-a@example.vn"]] * 2
    mine = Notification.objects.filter(recipient=digest_reader)
    assert {(n.email_status, n.in_digest) for n in mine} == {(EmailStatus.DIGEST, True)}


def test_digest_sends_one_email_listing_every_item_once(notify, digest_reader, assignment_a, period):
    notify([digest_reader])
    notify([digest_reader], kind=NotificationKind.REMINDER_OVERDUE)

    with time_machine.travel(NOW, tick=False):
        assert digests_send(now=NOW) == 2

    [message] = mail.outbox
    assert message.to == ["reporter-a@example.vn"]
    assert message.subject == "[Theo dõi Chỉ thị] Thư tổng hợp: 2 việc cần xử lý"
    assert f"Kính gửi đồng chí {digest_reader.get_full_name()}," in message.body
    assert "Những việc cần đồng chí quan tâm:" in message.body
    assert "1. Sắp đến hạn gửi báo cáo" in message.body
    assert "2. Báo cáo đã quá hạn" in message.body
    link = f"{SITE}/assignments/{assignment_a.pk}/periods/{period.pk}/report/"
    assert message.body.count(f"Mở báo cáo: {link}") == 2
    assert message.alternatives[0][0].count(f'href="{link}"') == 2
    mine = Notification.objects.filter(recipient=digest_reader)
    assert set(mine.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    assert EmailAttempt.objects.filter(succeeded=True).count() == 2

    with time_machine.travel(NOW, tick=False):
        assert digests_send(now=NOW + MINUTE) == 0
    assert len(mail.outbox) == 1


def test_digest_that_fails_waits_for_the_next_run(notify, digest_reader, failing, server_back):
    notify([digest_reader])
    failing(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))

    with time_machine.travel(NOW, tick=False):
        assert digests_send(now=NOW) == 0
    assert Notification.objects.get().email_status == EmailStatus.DIGEST

    server_back()
    with time_machine.travel(NOW, tick=False):
        assert digests_send(now=NOW + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 1


def test_digest_claim_left_by_a_dead_worker_goes_back_to_the_digest(notify, digest_reader, settings):
    [notification] = notify([digest_reader])
    Notification.objects.filter(pk=notification.pk).update(
        email_status=EmailStatus.SENDING, email_claimed_at=NOW - 30 * MINUTE
    )

    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW) == 0  # not sent on its own
    assert fresh(notification).email_status == EmailStatus.DIGEST

    with time_machine.travel(NOW, tick=False):
        assert digests_send(now=NOW) == 1


def test_user_without_an_email_address_gets_no_email(notify):
    nobody = UserFactory(username="no-mail", email="")

    [notification] = notify([nobody])

    assert notification.email_status == EmailStatus.NONE
    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW) == 0
        assert digests_send(now=NOW) == 0
    assert mail.outbox == []
    assert not EmailAttempt.objects.exists()


# --- report workflow notifications ---------------------------------------------------------------


@pytest.fixture
def eager_tasks():
    """Runs the queued Celery task in-process (a real worker is tested elsewhere)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.mark.parametrize(
    ("action", "reason", "subject"),
    [
        pytest.param(
            TransitionAction.RETURN,
            "Thiếu kết quả giám sát quý II.",
            "Báo cáo bị Văn phòng Tỉnh ủy trả lại",
            id="return",
        ),
        pytest.param(TransitionAction.ACCEPT, "", "Báo cáo đã được tiếp nhận", id="accept"),
    ],
)
def test_return_and_accept_email_the_unit(
    action,
    reason,
    subject,
    assignment_a,
    period,
    reporter_a,
    head_a,
    office_user,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.SUBMITTED)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, action=action, by=office_user, reason=reason)

    assert sorted(message.to[0] for message in mail.outbox) == ["head-a@example.vn", "reporter-a@example.vn"]
    for message in mail.outbox:
        assert message.subject == f"[Theo dõi Chỉ thị] {subject}: Huyện ủy Gia Lộc (thử) · Nhiệm vụ 1"
        assert f"Mở báo cáo: {SITE}/reports/{report.pk}/" in message.body
        if reason:
            assert f"Lý do: {reason}" in message.body
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}


def test_workflow_emails_wait_in_the_outbox_when_the_broker_is_down(
    assignment_a, period, reporter_a, head_a, office_user, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.tasks import send_notification_emails

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(send_notification_emails, "delay", broker_down)
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.SUBMITTED)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, action=TransitionAction.ACCEPT, by=office_user)

    assert mail.outbox == []
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.PENDING}
    with time_machine.travel(NOW, tick=False):
        assert email_outbox_flush(now=NOW) == 2
    assert len(mail.outbox) == 2
