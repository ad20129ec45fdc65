"""Sessions end SESSION_HOURS after signing in or SESSION_IDLE_MINUTES after
the last request, whichever comes first."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 5, 7, 30, tzinfo=datetime.UTC)


def at(minutes):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def signed_in(client, reporter_a, password):
    with at(0):
        answer = client.post(reverse("login"), {"username": "reporter-a", "password": password})
    assert answer.status_code == 302
    return client


def test_defaults_an_office_would_accept():
    assert settings.SESSION_HOURS == 8
    assert settings.SESSION_IDLE_MINUTES == 120
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_the_session_cookie_lasts_the_session_lifetime(client, reporter_a, password):
    answer = client.post(reverse("login"), {"username": "reporter-a", "password": password})
    assert answer.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    assert answer.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


def test_a_user_who_keeps_working_stays_signed_in_within_the_idle_time(signed_in):
    for minutes in (60, 179, 298):  # each request less than 2 hours after the previous one
        with at(minutes):
            assert signed_in.get(reverse("my_work")).status_code == 200


def test_two_idle_hours_sign_the_user_out(signed_in):
    with at(30):
        assert signed_in.get(reverse("my_work")).status_code == 200
    with at(30 + 121):
        answer = signed_in.get(reverse("my_work"))
    assert answer.status_code == 302
    assert answer.url == reverse("login") + "?next=%2Fmy-work%2F&expired=1"
    assert "_auth_user_id" not in signed_in.session
    with at(30 + 122):
        page = signed_in.get(answer.url)
        assert 'data-testid="session-expired"' in page.content.decode()
        assert "phiên làm việc đã kết thúc" in page.content.decode()
        assert signed_in.get(reverse("my_work")).status_code == 302


def test_eight_hours_after_signing_in_the_session_ends_however_busy(signed_in):
    for minutes in range(60, 8 * 60, 60):
        with at(minutes):
            assert signed_in.get(reverse("my_work")).status_code == 200
    with at(8 * 60 + 1):
        answer = signed_in.get(reverse("my_work"))
    assert answer.status_code == 302 and "expired=1" in answer.url


def test_an_htmx_request_after_the_timeout_loads_the_sign_in_page_whole(signed_in):
    with at(200):
        answer = signed_in.get(reverse("my_work"), HTTP_HX_REQUEST="true")
    assert answer.status_code == 204
    assert answer["HX-Redirect"].startswith(reverse("login") + "?")


def session_writes(client, minutes):
    with at(minutes), CaptureQueriesContext(connection) as queries:
        client.get(reverse("notification_list"))
    return [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_the_idle_clock_is_written_at_most_once_a_minute(signed_in):
    assert session_writes(signed_in, 2)  # two minutes since signing in: the clock moves
    assert not session_writes(signed_in, 2.5)  # half a minute later: nothing to write


def test_the_lifetime_and_idle_time_come_from_the_environment():
    from tests.tracker.test_settings import _manage

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE, settings.SESSION_IDLE_MINUTES)",
        env_updates={"DEBUG": "1", "SESSION_HOURS": "4", "SESSION_IDLE_MINUTES": "30"},
    )
    assert result.stdout.strip().splitlines()[-1] == "14400 30"
