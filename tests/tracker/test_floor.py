"""/floor/: the benchmark's floor, the site's layout for a signed-in user with
no content."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import NotificationKind
from notifications.services import notification_send


def test_floor_needs_a_signed_in_user(client, db):
    response = client.get("/floor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_floor_renders_the_layout_with_navigation_and_unread_count(client_for, committee_user):
    notification_send(recipients=[committee_user], kind=NotificationKind.REPORT_SUBMITTED, link="/dashboard/")
    response = client_for(committee_user).get("/floor/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="unread-count"' in page
    assert 'href="/dashboard/"' in page  # the committee's navigation


def test_floor_queries_do_not_grow_with_notifications(client_for, committee_user):
    client = client_for(committee_user)
    client.get("/floor/")
    with CaptureQueriesContext(connection) as few:
        client.get("/floor/")
    for _ in range(20):
        notification_send(recipients=[committee_user], kind=NotificationKind.REPORT_SUBMITTED, link="/dashboard/")
    with CaptureQueriesContext(connection) as many:
        client.get("/floor/")
    assert len(many) == len(few) <= 8
