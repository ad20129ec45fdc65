"""Personal API keys: shown once, stored hashed, acting as their user, read-only
or read-write, revoked by the user or an administrator, limited in rate."""

import hashlib

import pytest
from django.urls import reverse

from api.keys import apikey_create, apikey_find
from api.models import ApiKey
from tests.api.conftest import KeyClient


def test_a_key_is_stored_only_as_its_digest(reporter_a):
    key, raw = apikey_create(user=reporter_a, name="Hệ thống văn bản", read_only=True)
    assert raw.startswith(key.prefix + ".")
    assert key.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=key.pk).values_list(*[f.attname for f in ApiKey._meta.concrete_fields])
    assert raw not in str(list(stored))
    assert apikey_find(raw) == key
    assert apikey_find(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_the_settings_page_makes_a_key_shows_it_once_and_revokes_it(client_for, reporter_a):
    client = client_for(reporter_a)
    response = client.post(reverse("api_keys"), {"name": "Cổng dữ liệu tỉnh", "read_only": "0"})
    assert response.status_code == 200
    raw = response.context["new_key"]
    assert raw in response.content.decode()
    key = ApiKey.objects.get(user=reporter_a)
    assert (key.name, key.read_only) == ("Cổng dữ liệu tỉnh", False)
    again = client.get(reverse("api_keys"))
    assert raw not in again.content.decode() and key.prefix in again.content.decode()
    assert KeyClient(raw).get(reverse("api-due-list")).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert client.post(reverse("api_key_revoke", args=[key.pk])).status_code == 302
    refused = KeyClient(raw).get(reverse("api-due-list"))
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert refused["WWW-Authenticate"] == "Api-Key"


def test_nobody_revokes_another_users_key(client_for, reporter_a, reporter_b):
    key, _raw = apikey_create(user=reporter_b, name="B", read_only=True)
    assert client_for(reporter_a).post(reverse("api_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_an_administrator_lists_and_revokes_any_key_in_the_admin(client_for, admin_user, reporter_b):
    key, raw = apikey_create(user=reporter_b, name="Khóa của B", read_only=False)
    client = client_for(admin_user)
    listing = client.get(reverse("admin:api_apikey_changelist"))
    assert "Khóa của B" in listing.content.decode() and raw not in listing.content.decode()
    client.post(reverse("admin:api_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert KeyClient(raw).get(reverse("api-due-list")).status_code == 401


def test_a_read_only_key_reads_but_never_writes(api_client_for, reporter_a, assignment_a):
    from tests.factories import PeriodFactory

    period = PeriodFactory(schedule=assignment_a.schedule)
    client = api_client_for(reporter_a, read_only=True)
    assert client.get(reverse("api-report-list")).status_code == 200
    response = client.post_json(reverse("api-report-list"), {"assignment": assignment_a.pk, "period": period.pk,
                                                              "results": "x"})  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["message"] == "Khóa API này chỉ được đọc."
    assert not assignment_a.reports.exists()


def test_a_session_write_needs_the_csrf_token(reporter_a, assignment_a):
    from django.test import Client

    from tests.factories import PeriodFactory

    period = PeriodFactory(schedule=assignment_a.schedule)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    assert client.get(reverse("api-report-list")).status_code == 200
    response = client.post(reverse("api-report-list"), {"assignment": assignment_a.pk, "period": period.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "CSRF" in response.json()["message"]


def test_a_key_over_its_rate_gets_429_with_retry_after(settings, api_client_for, reporter_a):
    settings.API_KEY_RATE = "3/minute"
    client = api_client_for(reporter_a)
    statuses = [client.get(reverse("api-due-list")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(reverse("api-due-list"))
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    # Another key (of the same user, even) has its own count.
    assert api_client_for(reporter_a).get(reverse("api-due-list")).status_code == 200


@pytest.mark.parametrize("header", ["Api-Key nonsense", "Api-Key abc.def", "Bearer x"])
def test_an_unknown_key_is_refused_in_the_error_format(header, db):
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION=header).get(reverse("api-report-list"))
    assert response.status_code == 401
    assert set(response.json()) >= {"code", "message"}
