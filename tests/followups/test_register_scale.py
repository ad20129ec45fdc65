"""The register at national size: its unit filters are a text box (code or
part of the name), not two selects of every unit; a page is read from the
sort's index; the queries are a fixed number whatever the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.models import FollowUpItem
from followups.overview import my_followups
from followups.services import item_record
from followups.views import PAGE_SIZE
from tests.factories import UnitFactory


def register(client, **query):
    response = client.get(reverse("followup_register"), query)
    assert response.status_code == 200
    return response


def texts(response):
    return [item.text for item in response.context["page"]]


def add_items(item, lead, verifying, by, count, start=0):
    for number in range(start, start + count):
        item_record(
            document=item.document, text=f"Kiến nghị số {number:03d}", lead=lead,
            deadline=datetime.date(2026, 7, 1) + datetime.timedelta(days=number), verifying_unit=verifying, by=by,
            notify=False,
        )  # fmt: skip


def test_the_form_lists_no_unit(client_for, office_user, item, province):
    UnitFactory.create_batch(30, parent=province)
    html = register(client_for(office_user)).content.decode()
    # Only the source, task, status and sort selects: no unit is an <option>.
    assert html.count("<option") < 40
    assert 'name="addressee"' in html and 'name="issuer"' in html


def test_a_unit_typed_by_code_or_part_of_its_name(client_for, office_user, item, second_item, unit_a, unit_b, board):
    client = client_for(office_user)
    assert sorted(texts(register(client, addressee="unit-a"))) == sorted([item.text, second_item.text])
    assert sorted(texts(register(client, addressee="UNIT-A"))) == sorted([item.text, second_item.text])
    assert texts(register(client, addressee="unit-b")) == [item.text]
    # Part of the name: every unit whose name contains it ("Tứ Kỳ" is unit B only).
    assert texts(register(client, addressee="Tứ Kỳ")) == [item.text]
    assert sorted(texts(register(client, addressee="Huyện ủy"))) == sorted([item.text, second_item.text])
    assert texts(register(client, issuer="Pháp chế")) == [item.text]
    assert texts(register(client, issuer="ban-pc")) == [item.text]
    assert texts(register(client, addressee="Không có đơn vị này")) == []
    # An id (the dashboard's links) shows in the box as the unit's code.
    response = register(client, addressee=unit_b.pk)
    assert texts(response) == [item.text]
    assert 'value="unit-b"' in response.content.decode()
    # An id that names no unit finds nothing; digits that are not ASCII are ignored.
    assert texts(register(client, addressee="987654")) == []
    assert len(texts(register(client, addressee="١٢"))) == 2


def test_a_unit_filter_stays_within_what_the_user_reads(client_for, reporter_b, item, second_item):
    assert texts(register(client_for(reporter_b), addressee="Huyện ủy")) == [item.text]


def test_pages_follow_the_sort_and_the_count_is_exact(client_for, office_user, item, unit_b, board):
    add_items(item, unit_b, board, office_user, PAGE_SIZE + 5)
    client = client_for(office_user)
    first = register(client, sort="due")
    second = register(client, sort="due", page=2)
    expected = list(FollowUpItem.objects.order_by("due_on", "pk").values_list("text", flat=True))
    assert texts(first) + texts(second) == expected
    assert first.context["page"].paginator.count == FollowUpItem.objects.count() == PAGE_SIZE + 6
    backwards = texts(register(client, sort="-due")) + texts(register(client, sort="-due", page=2))
    assert backwards == list(reversed(expected))


@pytest.mark.parametrize(
    "query", [{}, {"page": "2"}, {"addressee": "unit-b", "sort": "-due"}, {"issuer": "Pháp chế", "status": "open"}]
)
def test_a_fixed_number_of_queries_at_two_sizes(client_for, office_user, item, unit_b, board, query):
    client = client_for(office_user)
    add_items(item, unit_b, board, office_user, PAGE_SIZE + 1)
    register(client, **query)
    with CaptureQueriesContext(connection) as few:
        register(client, **query)
    add_items(item, unit_b, board, office_user, 2 * PAGE_SIZE, start=100)
    with CaptureQueriesContext(connection) as many:
        register(client, **query)
    assert len(many) == len(few)


def test_my_items_read_a_fixed_number_of_queries(reporter_b, item, unit_b, board, office_user):
    today = datetime.date(2026, 6, 1)
    my_followups(reporter_b, today)  # the user's units, read once per request
    with CaptureQueriesContext(connection) as few:
        rows, count = my_followups(reporter_b, today)
    assert count == 1
    add_items(item, unit_b, board, office_user, 40)
    with CaptureQueriesContext(connection) as many:
        rows, count = my_followups(reporter_b, today)
    assert count == 41 and len(rows) == 30
    assert len(many) == len(few)
