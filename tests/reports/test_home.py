import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AssignmentFactory, PeriodFactory, ReportFactory, TaskFactory, UserFactory

TODAY = datetime.date(2024, 6, 10)


@pytest.fixture
def periods(schedule):
    return [
        PeriodFactory(
            schedule=schedule,
            key="2023",
            kind="annual",
            starts_on=datetime.date(2022, 12, 15),
            ends_on=datetime.date(2023, 12, 14),
            due_on=datetime.date(2023, 12, 19),
        ),
        PeriodFactory(
            schedule=schedule,
            key="2024-H1",
            starts_on=datetime.date(2023, 12, 15),
            ends_on=datetime.date(2024, 6, 14),
            due_on=datetime.date(2024, 6, 19),
        ),
        PeriodFactory(
            schedule=schedule,
            key="2024",
            kind="annual",
            starts_on=datetime.date(2023, 12, 15),
            ends_on=datetime.date(2024, 12, 14),
            due_on=datetime.date(2024, 12, 19),
        ),
    ]


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_in_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_login_with_right_password_goes_home(client, reporter_a, password):
    response = client.post(reverse("login"), {"username": "reporter-a", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_wrong_password_shows_a_vietnamese_error(client, reporter_a):
    response = client.post(reverse("login"), {"username": "reporter-a", "password": "wrong"})
    assert response.status_code == 200
    assert "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác" in response.content.decode()


def test_unit_staff_are_sent_to_their_work(client_for, reporter_a, assignment_a):
    response = client_for(reporter_a).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("my_work")


def test_the_office_is_sent_to_its_review_inbox(client_for, office_user):
    response = client_for(office_user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("inbox")


def test_committee_members_are_sent_to_the_dashboard(client_for, committee_user):
    response = client_for(committee_user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_administrators_see_the_directives_in_force(client_for, admin_user, assignment_a, assignment_b, periods):
    page = client_for(admin_user).get(reverse("home")).content.decode()
    assert "Các văn bản đang có hiệu lực" in page
    assert assignment_a.task.directive.title in page
    assert assignment_a.task.title in page
    assert "Mở trang quản trị" in page


def test_user_without_a_unit_is_told_what_to_do(client_for, db):
    page = client_for(UserFactory(username="newcomer")).get(reverse("home")).content.decode()
    assert "Tài khoản của bạn chưa được gắn với đơn vị nào" in page


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_overview_query_count_does_not_grow_with_assignments(client_for, admin_user, unit_a, schedule, periods):
    client = client_for(admin_user)
    AssignmentFactory(unit=unit_a, schedule=schedule)
    few = _home_queries(client)
    for _n in range(15):
        assignment = AssignmentFactory(unit=unit_a, schedule=schedule, task=TaskFactory())
        ReportFactory(assignment=assignment, period=periods[1])
    assert _home_queries(client) == few
