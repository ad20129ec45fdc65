"""Sign-in that a guesser cannot grind: django-axes locks an account and an
address after LOGIN_FAILURE_LIMIT failures, for LOGIN_LOCKOUT_MINUTES."""

import datetime
import logging
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from accounts.lockout import client_ip

pytestmark = pytest.mark.django_db

LIMIT = settings.LOGIN_FAILURE_LIMIT
ADDRESS_LIMIT = settings.LOGIN_ADDRESS_FAILURE_LIMIT
MINUTES = settings.LOGIN_LOCKOUT_MINUTES
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 3, 5, 9, 0, tzinfo=HANOI)
WRONG_PASSWORD = "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác"


def sign_in(client, username, password, address="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, times, username="reporter-a", address="10.1.1.1"):
    return [sign_in(client, username, "doan-sai", address) for _ in range(times)]


def test_defaults_an_office_would_accept():
    assert (LIMIT, ADDRESS_LIMIT, MINUTES) == (5, 20, 15)
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False


def test_failures_up_to_the_limit_lock_the_account_and_the_right_password_is_then_refused(client, reporter_a, password):
    answers = fail(client, LIMIT)
    assert [a.status_code for a in answers[:-1]] == [200] * (LIMIT - 1)
    assert all(WRONG_PASSWORD in a.content.decode() for a in answers[:-1])
    assert answers[-1].status_code == 429

    locked = sign_in(client, "reporter-a", password)
    assert locked.status_code == 429
    assert not signed_in(client)
    text = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in text and "tạm khóa" in text
    assert 'data-testid="lockout"' in text


def test_fifty_guesses_are_not_all_answered(client, reporter_a):
    answers = fail(client, 50)
    assert sum(a.status_code == 200 for a in answers) == LIMIT - 1
    assert AccessAttempt.objects.get(username="reporter-a").failures_since_start == LIMIT


def test_the_lockout_message_says_when_to_try_again(client, reporter_a):
    with time_machine.travel(NOW, tick=False):
        answer = fail(client, LIMIT)[-1]
    text = answer.content.decode()
    assert "09:15 ngày 05/03/2026" in text
    assert f"khoảng {MINUTES} phút nữa" in text


def test_the_lock_ends_after_the_cool_off(client, reporter_a, password):
    with time_machine.travel(NOW, tick=False):
        fail(client, LIMIT)
    with time_machine.travel(NOW + datetime.timedelta(minutes=MINUTES - 1), tick=False):
        assert sign_in(client, "reporter-a", password).status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=MINUTES, seconds=1), tick=False):
        assert sign_in(client, "reporter-a", password).status_code == 302
        assert signed_in(client)


def test_guessing_on_during_the_lock_does_not_make_it_last_for_ever(client, reporter_a, password):
    with time_machine.travel(NOW, tick=False):
        fail(client, LIMIT)
    for minute in range(1, MINUTES):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minute), tick=False):
            assert fail(client, 3)[-1].status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=MINUTES, seconds=1), tick=False):
        assert sign_in(client, "reporter-a", password).status_code == 302


def test_one_address_guessing_many_accounts_is_locked_out_for_all_of_them(client, reporter_a, reporter_b, password):
    for n in range(ADDRESS_LIMIT):
        sign_in(client, f"khong-co-{n}", "doan-sai", address="203.0.113.9")
    assert sign_in(client, "reporter-b", password, address="203.0.113.9").status_code == 429
    # Elsewhere the same people still get in.
    assert sign_in(client, "reporter-b", password, address="10.9.9.9").status_code == 302


def test_colleagues_typos_behind_one_office_address_do_not_lock_the_office_out(client, reporter_b, password):
    for n in range(ADDRESS_LIMIT - 1):
        assert sign_in(client, f"dong-nghiep-{n}", "go-nham", address="203.0.113.9").status_code == 200
    assert sign_in(client, "reporter-b", password, address="203.0.113.9").status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked_everywhere(client, reporter_a, password):
    for n in range(LIMIT):
        sign_in(client, "reporter-a", "doan-sai", address=f"198.51.100.{n + 1}")
    assert sign_in(client, "reporter-a", password, address="10.7.7.7").status_code == 429


def test_signing_in_to_ones_own_account_does_not_wipe_the_count_on_another(client, reporter_a, reporter_b, password):
    fail(client, LIMIT - 1, username="reporter-a", address="10.3.3.3")
    assert sign_in(client, "reporter-b", password, address="10.3.3.3").status_code == 302
    client.post(reverse("logout"))
    assert fail(client, 1, username="reporter-a", address="10.3.3.3")[-1].status_code == 429


def test_the_admin_sign_in_is_locked_too(client, admin_user, password):
    url = reverse("admin:login")
    for _ in range(LIMIT):
        client.post(url, {"username": "admin", "password": "doan-sai"}, REMOTE_ADDR="10.1.1.1")
    answer = client.post(url, {"username": "admin", "password": password}, REMOTE_ADDR="10.1.1.1")
    assert answer.status_code == 429
    assert not signed_in(client)


def test_administrators_see_the_lock_and_clear_it(client, reporter_a, admin_user, password):
    fail(client, LIMIT)
    admin = type(client)()
    admin.force_login(admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist") + "?locked_out=yes")
    text = listing.content.decode()
    assert "reporter-a" in text and "Đang bị khóa" in text

    attempt = AccessAttempt.objects.get(username="reporter-a")
    answer = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert answer.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "reporter-a", password).status_code == 302


def test_every_failure_is_logged_with_the_account_and_the_address(client, reporter_a, caplog):
    with caplog.at_level(logging.WARNING, logger="accounts.signin"):
        fail(client, LIMIT + 2, address="192.0.2.44")
    lines = [r.getMessage() for r in caplog.records if r.name == "accounts.signin"]
    assert len(lines) == LIMIT + 2
    assert all("username='reporter-a'" in line and "address=192.0.2.44" in line for line in lines)
    assert "locked_out=False" in lines[0]
    assert "locked_out=True" in lines[LIMIT - 1] and "locked_out=True" in lines[-1]


def test_the_failure_limit_and_the_lock_time_come_from_the_environment():
    from tests.tracker.test_settings import _manage

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)",
        env_updates={"DEBUG": "1", "LOGIN_FAILURE_LIMIT": "3", "LOGIN_LOCKOUT_MINUTES": "30"},
    )
    assert result.stdout.strip().splitlines()[-1] == "3 0:30:00"


# --- the client's address -------------------------------------------------------------------------


def request_from(remote, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_configured_header_the_address_is_the_connections(settings):
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request_from("10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.5"


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended what it saw.
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_two_trusted_proxies_read_the_second_entry_from_the_right(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXY_COUNT = 2
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert client_ip(request) == "203.0.113.7"


def test_a_missing_or_malformed_header_falls_back_to_the_connections_address(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5", HTTP_X_REAL_IP="not-an-address")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5", HTTP_X_REAL_IP="2001:db8::1")) == "2001:db8::1"


def test_the_lockout_counts_the_address_from_the_trusted_header(client, reporter_a, password, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    for n in range(ADDRESS_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"khong-co-{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    attempts = AccessAttempt.objects.values_list("ip_address", flat=True).distinct()
    assert list(attempts) == ["203.0.113.50"]
    other = client.post(
        reverse("login"),
        {"username": "reporter-a", "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.51",
    )
    assert other.status_code == 302
