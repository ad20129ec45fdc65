"""Passwords are the users' own: change, reset by e-mail, "set your password"
for accounts an administrator creates, validators in Vietnamese."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.tasks import send_password_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Chi-thi-moi-2026!"


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.2.2.2")


# --- change -----------------------------------------------------------------------------------------


def test_every_signed_in_user_can_change_their_own_password(client_for, reporter_a, password):
    client = client_for(reporter_a)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Đổi mật khẩu" in page.content.decode() and "Mật khẩu cũ" in page.content.decode()

    answer = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302 and answer.url == reverse("password_change_done")
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(NEW_PASSWORD)
    # Still signed in on this browser after the change.
    assert client.get(reverse("password_change_done")).status_code == 200


def test_the_menu_links_to_the_password_change(client_for, committee_user):
    page = client_for(committee_user).get(reverse("notification_list")).content.decode()
    assert f'href="{reverse("password_change")}"' in page


def test_a_wrong_old_password_is_refused_and_nothing_changes(client_for, reporter_a, password):
    answer = client_for(reporter_a).post(
        reverse("password_change"),
        {"old_password": "khong-dung", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 200
    assert "Mật khẩu cũ không chính xác" in answer.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(password)


def test_a_weak_new_password_is_refused_with_vietnamese_messages(client_for, reporter_a):
    answer = client_for(reporter_a).post(
        reverse("password_change"), {"old_password": "x", "new_password1": "1234", "new_password2": "1234"}
    )
    text = answer.content.decode()
    assert "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự." in text
    assert "Mật khẩu này quá phổ biến, dễ bị đoán." in text
    assert "Mật khẩu này chỉ gồm chữ số." in text
    assert "too short" not in text and "too common" not in text


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("abc", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự."),
        ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán."),
        ("8203948571", "Mật khẩu này chỉ gồm chữ số."),
        ("reporter-a-x", "Mật khẩu quá giống Tên đăng nhập."),
    ],
)
def test_every_password_validator_speaks_vietnamese(reporter_a, candidate, expected):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password(candidate, user=reporter_a)
    assert expected in refused.value.messages


def test_the_password_rules_are_explained_in_vietnamese(client_for, reporter_a):
    text = client_for(reporter_a).get(reverse("password_change")).content.decode()
    assert "Mật khẩu phải có ít nhất 8 ký tự." in text
    assert "Your password" not in text


# --- reset by e-mail --------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    client, reporter_a, password, eager_tasks, django_capture_on_commit_callbacks, link_in
):
    reporter_a.email = "phong.vien@example.vn"
    reporter_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("password_reset"), {"email": "Phong.Vien@example.vn"})
    assert answer.status_code == 302 and answer.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["phong.vien@example.vn"]
    assert message.subject == "Chọn mật khẩu mới cho hệ thống theo dõi Chỉ thị"
    assert "reporter-a" in message.body
    assert f"Đường dẫn có hiệu lực trong {settings.PASSWORD_LINK_HOURS} giờ" in message.body
    assert "Chọn mật khẩu mới" in message.alternatives[0][0]

    form = client.get(link_in(message), follow=True)
    assert "Nhập mật khẩu mới hai lần" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert sign_in(client, "reporter-a", NEW_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, "reporter-a", password).status_code == 200

    # The link is spent.
    again = client.get(link_in(message), follow=True)
    assert 'data-testid="invalid-link"' in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, reporter_a, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("password_reset"), {"email": "nobody@example.vn"})
    assert answer.status_code == 302 and answer.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_invalid_address_is_refused_in_vietnamese(client):
    answer = client.post(reverse("password_reset"), {"email": "khong-phai-email"})
    assert answer.status_code == 200
    assert "Nhập một địa chỉ e-mail hợp lệ." in answer.content.decode()


def test_the_link_expires_after_the_configured_time(
    client, reporter_a, eager_tasks, django_capture_on_commit_callbacks, link_in
):
    reporter_a.email = "a@example.vn"
    reporter_a.save()
    start = datetime.datetime(2026, 3, 5, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.users_send_set_password(users=[reporter_a], reset=True)
    link = link_in(mail.outbox[0])
    late = start + datetime.timedelta(hours=settings.PASSWORD_LINK_HOURS, minutes=1)
    with time_machine.travel(late, tick=False):
        page = client.get(link, follow=True)
    assert 'data-testid="invalid-link"' in page.content.decode()
    with time_machine.travel(late - datetime.timedelta(minutes=2), tick=False):
        page = client.get(link, follow=True)
    assert "Nhập mật khẩu mới hai lần" in page.content.decode()


# --- "set your password" ----------------------------------------------------------------------------


def test_set_password_emails_leave_only_after_the_transaction_commits(
    reporter_a, monkeypatch, django_capture_on_commit_callbacks
):
    reporter_a.email = "a@example.vn"
    reporter_a.save()
    queued = []
    monkeypatch.setattr(send_password_emails, "delay", lambda ids, kind: queued.append((ids, kind)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = services.users_send_set_password(users=[reporter_a])
        assert queued == []
    assert ids == [reporter_a.pk]
    for callback in callbacks:
        callback()
    assert queued == [([reporter_a.pk], services.WELCOME_EMAIL)]


def test_users_without_an_address_or_inactive_are_skipped(db, monkeypatch, django_capture_on_commit_callbacks):
    with_address = UserFactory(username="co-email", email="co@example.vn")
    UserFactory(username="khong-email", email="")
    inactive = UserFactory(username="nghi", email="nghi@example.vn", is_active=False)
    users = get_user_model().objects.filter(username__in=["co-email", "khong-email", "nghi"])
    with django_capture_on_commit_callbacks(execute=False):
        assert services.users_send_set_password(users=users) == [with_address.pk]
    assert services.password_email_send(user_id=inactive.pk) is False


def test_with_the_broker_down_the_email_is_sent_in_the_request(
    reporter_a, monkeypatch, django_capture_on_commit_callbacks
):
    reporter_a.email = "a@example.vn"
    reporter_a.save()

    def broker_down(*args):
        raise OSError("broker unreachable")

    monkeypatch.setattr(send_password_emails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.users_send_set_password(users=[reporter_a])
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_is_retried_by_the_task(reporter_a, monkeypatch):
    import smtplib

    reporter_a.email = "a@example.vn"
    reporter_a.save()
    monkeypatch.setattr(
        services.EmailMultiAlternatives, "send", lambda self: (_ for _ in ()).throw(smtplib.SMTPServerDisconnected())
    )
    retried = []

    def retry(**kwargs):
        retried.append(kwargs["args"])
        raise RuntimeError("retry")

    monkeypatch.setattr(send_password_emails, "retry", retry)
    with pytest.raises(RuntimeError):
        send_password_emails.run([reporter_a.pk], services.WELCOME_EMAIL)
    assert retried == [[[reporter_a.pk], services.WELCOME_EMAIL]]


def test_an_account_created_without_a_password_gets_the_email_and_chooses_one(
    client_for, admin_user, eager_tasks, django_capture_on_commit_callbacks, link_in
):
    admin = client_for(admin_user)
    form = admin.get(reverse("admin:auth_user_add")).content.decode()
    # "Password-based authentication" is off unless the administrator turns it on.
    assert 'name="usable_password" value="false" class="radiolist inline" id="id_usable_password_1" checked' in form
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(
            reverse("admin:auth_user_add"),
            {
                "username": "chuyen-vien-moi",
                "first_name": "Lan",
                "last_name": "Nguyễn Thị",
                "email": "lan@example.vn",
                "usable_password": "false",
            },
            follow=True,
        )
    assert answer.status_code == 200
    user = get_user_model().objects.get(username="chuyen-vien-moi")
    assert not user.has_usable_password()
    assert "Đã gửi e-mail “đặt mật khẩu” tới 1 người dùng." in answer.content.decode()

    (message,) = mail.outbox
    assert message.to == ["lan@example.vn"]
    assert message.subject == "Tài khoản của đồng chí trên hệ thống theo dõi Chỉ thị: hãy chọn mật khẩu"
    assert "Kính gửi đồng chí Nguyễn Thị Lan," in message.body
    assert "Tên đăng nhập của đồng chí là: chuyen-vien-moi" in message.body

    guest = type(admin)()
    form = guest.get(link_in(message), follow=True)
    guest.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(guest, "chuyen-vien-moi", NEW_PASSWORD).status_code == 302


def test_an_account_created_with_a_password_gets_no_email(
    client_for, admin_user, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(
            reverse("admin:auth_user_add"),
            {
                "username": "co-mat-khau",
                "email": "mk@example.vn",
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert get_user_model().objects.get(username="co-mat-khau").has_usable_password()
    assert mail.outbox == []


def test_the_admin_action_sends_the_email_to_the_selected_users(
    client_for, admin_user, eager_tasks, django_capture_on_commit_callbacks
):
    first = UserFactory(username="mot", email="mot@example.vn")
    second = UserFactory(username="hai", email="hai@example.vn")
    silent = UserFactory(username="ba", email="")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(admin_user).post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_set_password", "_selected_action": [first.pk, second.pk, silent.pk]},
            follow=True,
        )
    text = answer.content.decode()
    assert "Đã gửi e-mail “đặt mật khẩu” tới 2 người dùng." in text
    assert "1 người dùng không có địa chỉ e-mail hoặc đã ngừng hoạt động" in text
    assert sorted(m.to[0] for m in mail.outbox) == ["hai@example.vn", "mot@example.vn"]
