"""Units: a subtree by code, the tree on a date, successions; unit staff see
only the units they read."""

import datetime

from django.urls import reverse

from tests.factories import SuccessionFactory, UnitFactory


def codes(response):
    assert response.status_code == 200, response.content
    return sorted(row["code"] for row in response.json()["results"])


def test_under_gives_a_subtree_and_on_the_units_open_that_day(api_client_for, office_user, province, unit_a, unit_b):
    old = UnitFactory(code="xa-cu", parent=unit_a, level=3, valid_to=datetime.date(2025, 6, 30))
    new = UnitFactory(code="xa-moi", parent=unit_a, level=3, valid_from=datetime.date(2025, 7, 1))
    SuccessionFactory(predecessor=old, successor=new, kind="merge", effective_on=datetime.date(2025, 7, 1))
    client = api_client_for(office_user)
    url = reverse("api-unit-list")
    assert codes(client.get(url + "?under=unit-a")) == ["unit-a", "xa-cu", "xa-moi"]
    assert codes(client.get(url + "?under=unit-a&on=2025-01-01")) == ["unit-a", "xa-cu"]
    assert codes(client.get(url + "?under=unit-a&on=2025-08-01")) == ["unit-a", "xa-moi"]
    assert codes(client.get(url + "?under=nowhere")) == []
    old_row = client.get(reverse("api-unit-detail", args=[old.pk])).json()
    assert old_row["parent"] == unit_a.pk
    assert old_row["successions"] == [
        {"predecessor": old.pk, "successor": new.pk, "kind": "merge", "effective_on": "2025-07-01", "note": ""}
    ]
    refused = client.get(url + "?on=31-12-2025")
    assert refused.status_code == 400 and "on" in refused.json()["fields"]


def test_unit_staff_see_only_their_units(api_client_for, reporter_a, unit_a, unit_b):
    client = api_client_for(reporter_a)
    assert codes(client.get(reverse("api-unit-list"))) == ["unit-a"]
    assert client.get(reverse("api-unit-detail", args=[unit_b.pk])).status_code == 404
