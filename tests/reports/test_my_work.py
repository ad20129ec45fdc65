"""'Việc của tôi' (/my-work/): what the user's units owe, overdue first, by task,
in a number of queries that does not grow with the data; and where / sends whom."""

import datetime
import html
import re
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ReportState
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

TODAY = datetime.date(2024, 6, 25)
NOW = datetime.datetime(2024, 6, 25, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
TASK_1 = "Nâng cao nhận thức về vai trò của HĐND"  # the conftest task
TASK_2 = "Đổi mới hoạt động giám sát"
UNIT_A = "Huyện ủy Gia Lộc (thử)"
UNIT_B = "Huyện ủy Tứ Kỳ (thử)"
UNIT_C = "Đảng ủy Khối cơ quan (thử)"
SECOND_DIRECTIVE = "Chuyển đổi số"
SECOND_TASK_1 = "Số hóa hồ sơ đảng viên"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=False):
        yield TODAY


def periods_for(schedule):
    return {
        "2023": PeriodFactory(
            schedule=schedule,
            key="2023",
            kind="annual",
            starts_on=datetime.date(2022, 12, 15),
            ends_on=datetime.date(2023, 12, 14),
            due_on=datetime.date(2023, 12, 19),
        ),
        "2024-H1": PeriodFactory(
            schedule=schedule,
            key="2024-H1",
            starts_on=datetime.date(2023, 12, 15),
            ends_on=datetime.date(2024, 6, 14),
            due_on=datetime.date(2024, 6, 19),
        ),
        "2024": PeriodFactory(
            schedule=schedule,
            key="2024",
            kind="annual",
            starts_on=datetime.date(2023, 12, 15),
            ends_on=datetime.date(2024, 12, 14),
            due_on=datetime.date(2024, 12, 19),
        ),
        "2025-H1": PeriodFactory(
            schedule=schedule,
            key="2025-H1",
            starts_on=datetime.date(2024, 12, 15),
            ends_on=datetime.date(2025, 6, 14),
            due_on=datetime.date(2025, 6, 19),
        ),
    }


@pytest.fixture
def periods(schedule):
    return periods_for(schedule)


@pytest.fixture
def unit_c(province):
    return UnitFactory(code="unit-c", name=UNIT_C, parent=province)


@pytest.fixture
def work(task, assignment_a, assignment_b, periods, reporter_a, unit_c):
    """Unit A owes task 1 (a returned 2023 report, nothing yet for 2024-H1 and 2024) and
    task 2 (2023 accepted, 2024-H1 submitted, a 2024 draft). Unit B has reports of its own.
    reporter_a also belongs to unit C, which owes nothing."""
    MembershipFactory(user=reporter_a, unit=unit_c, role="viewer")
    task_2 = TaskFactory(directive=task.directive, number=2, title=TASK_2)
    assignment_a2 = AssignmentFactory(task=task_2, unit=assignment_a.unit, schedule=assignment_a.schedule)
    reports = {
        ("a1", "2023"): ReportFactory(assignment=assignment_a, period=periods["2023"], state=ReportState.RETURNED),
        ("a2", "2023"): ReportFactory(assignment=assignment_a2, period=periods["2023"], state=ReportState.ACCEPTED),
        ("a2", "2024-H1"): ReportFactory(
            assignment=assignment_a2, period=periods["2024-H1"], state=ReportState.SUBMITTED
        ),
        ("a2", "2024"): ReportFactory(assignment=assignment_a2, period=periods["2024"], state=ReportState.DRAFT),
        ("b1", "2024-H1"): ReportFactory(assignment=assignment_b, period=periods["2024-H1"], state=ReportState.DRAFT),
    }
    return {"a1": assignment_a, "a2": assignment_a2, "b1": assignment_b, "periods": periods, "reports": reports}


def text_of(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def task_sections(page):
    """{task heading: [row text, ...]} in page order."""
    sections = {}
    for section in re.findall(r"<section class=\"card[^>]*>(.*?)</section>", page, re.S):
        heading = text_of(re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S).group(1))
        sections[heading] = [text_of(row) for row in re.findall(r'data-testid="work-row">(.*?)</li>', section, re.S)]
    return sections


def rows(response):
    """(task number, assignment id, period key or None, state) of every row shown."""
    return [
        (group.task.number, row.assignment.pk, row.period.key if row.period else None, row.state)
        for group in response.context["groups"]
        for row in group.rows
    ]


def my_work_page(client, **params):
    response = client.get(reverse("my_work"), params)
    assert response.status_code == 200
    return response


# --- what is shown ------------------------------------------------------------------------------


def test_my_work_lists_the_users_units(work, reporter_a, client_for):
    page = my_work_page(client_for(reporter_a)).content.decode()
    units = text_of(re.search(r'data-testid="my-units">(.*?)</ul>', page, re.S).group(1))
    assert UNIT_A in units
    assert UNIT_C in units
    assert UNIT_B not in units
    assert "Việc của tôi" in page
    assert "Đơn vị của bạn" in page


def test_my_work_groups_assignments_by_task_overdue_first_then_the_current_period(work, reporter_a, client_for):
    response = my_work_page(client_for(reporter_a))
    a1, a2 = work["a1"].pk, work["a2"].pk
    assert rows(response) == [
        (1, a1, "2023", ReportState.RETURNED),
        (1, a1, "2024-H1", "not_started"),
        (1, a1, "2024", "not_started"),
        (2, a2, "2024", ReportState.DRAFT),
    ]
    sections = task_sections(response.content.decode())
    assert list(sections) == [f"Nhiệm vụ 1. {TASK_1}", f"Nhiệm vụ 2. {TASK_2}"]


def test_overdue_rows_say_how_many_days_overdue_and_others_how_many_days_left(work, reporter_a, client_for):
    sections = task_sections(my_work_page(client_for(reporter_a)).content.decode())
    returned_2023, half_year, year = sections[f"Nhiệm vụ 1. {TASK_1}"]
    assert "Năm 2023" in returned_2023
    assert "Quá hạn 189 ngày" in returned_2023  # due 19/12/2023
    assert "Bị trả lại" in returned_2023
    assert "6 tháng đầu năm 2024" in half_year
    assert "19/06/2024" in half_year
    assert "Quá hạn 6 ngày" in half_year
    assert "Chưa bắt đầu" in half_year
    assert "Viết báo cáo" in half_year
    assert "Năm 2024" in year
    assert "Còn 177 ngày" in year  # due 19/12/2024
    (draft,) = sections[f"Nhiệm vụ 2. {TASK_2}"]
    assert "Còn 177 ngày" in draft
    assert "Bản nháp" in draft
    assert "Mở báo cáo" in draft


def test_a_report_due_today_says_so(task, unit_a, reporter_a, client_for):
    schedule = ScheduleFactory()
    AssignmentFactory(task=task, unit=unit_a, schedule=schedule)
    PeriodFactory(schedule=schedule, key="2024-H1", due_on=TODAY)
    page = my_work_page(client_for(reporter_a)).content.decode()
    assert "Đến hạn hôm nay" in page


@pytest.fixture
def second_directive(work, unit_a, periods):
    """A second directive in force whose task 1 unit A owes too."""
    directive = DirectiveFactory(number="05-CT/TU", short_title=SECOND_DIRECTIVE)
    task_1 = TaskFactory(directive=directive, number=1, title=SECOND_TASK_1)
    assignment = AssignmentFactory(task=task_1, unit=unit_a, schedule=work["a1"].schedule)
    return SimpleNamespace(directive=directive, task=task_1, assignment=assignment)


def directive_sections(page):
    """{directive heading: [task heading, ...]} in page order."""
    return {
        text_of(heading): [text_of(task) for task in re.findall(r"<h3[^>]*>(.*?)</h3>", body, re.S)]
        for heading, body in re.findall(
            r'<section class="mb-4"[^>]*data-testid="directive-group">\s*'
            r"<h2[^>]*>(.*?)</h2>(.*?)</section>\s*</section>",
            page,
            re.S,
        )
    }


def test_with_one_directive_my_work_names_it_above_the_tasks(work, reporter_a, task, client_for):
    page = my_work_page(client_for(reporter_a)).content.decode()
    assert f"Văn bản: {task.directive.short_label}" in text_of(page)
    assert 'data-testid="directive-group"' not in page


def test_with_two_directives_my_work_groups_the_tasks_under_each(second_directive, reporter_a, task, client_for):
    page = my_work_page(client_for(reporter_a)).content.decode()
    assert directive_sections(page) == {
        task.directive.short_label: [f"Nhiệm vụ 1. {TASK_1}", f"Nhiệm vụ 2. {TASK_2}"],
        f"05-CT/TU – {SECOND_DIRECTIVE}": [f"Nhiệm vụ 1. {SECOND_TASK_1}"],
    }


def report_heading(client, assignment, period):
    response = client.get(reverse("report_for_period", args=[assignment.pk, period.pk]))
    assert response.status_code == 200
    return text_of(re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1))


def test_the_report_page_names_the_directive_of_its_task(second_directive, work, reporter_a, task, client_for):
    client, half_year = client_for(reporter_a), work["periods"]["2024-H1"]
    heading = report_heading(client, second_directive.assignment, half_year)
    assert heading == f"05-CT/TU – {SECOND_DIRECTIVE} · Nhiệm vụ 1. {SECOND_TASK_1}"
    assert report_heading(client, work["a1"], half_year) == f"{task.directive.short_label} · Nhiệm vụ 1. {TASK_1}"


def test_the_current_period_only_not_the_ones_after_it(work, reporter_a, client_for):
    keys = {key for _n, _a, key, _s in rows(my_work_page(client_for(reporter_a)))}
    assert "2025-H1" not in keys
    assert "2024" in keys


def test_a_returned_report_of_an_old_period_stays_listed_until_sent_again(work, reporter_a, client_for):
    client = client_for(reporter_a)
    assert (1, work["a1"].pk, "2023", ReportState.RETURNED) in rows(my_work_page(client))
    returned = work["reports"][("a1", "2023")]
    returned.state = ReportState.SUBMITTED
    returned.save()
    assert (1, work["a1"].pk, "2023", ReportState.SUBMITTED) not in rows(my_work_page(client))


def test_sent_reports_of_past_periods_are_not_listed(work, reporter_a, client_for):
    shown = rows(my_work_page(client_for(reporter_a)))
    assert (2, work["a2"].pk, "2023", ReportState.ACCEPTED) not in shown
    assert (2, work["a2"].pk, "2024-H1", ReportState.SUBMITTED) not in shown


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("overdue", [("a1", "2023", ReportState.RETURNED), ("a1", "2024-H1", "not_started")]),
        ("draft", [("a2", "2024", ReportState.DRAFT)]),
        ("not_started", [("a1", "2024-H1", "not_started"), ("a1", "2024", "not_started")]),
        ("returned", [("a1", "2023", ReportState.RETURNED)]),
    ],
)
def test_my_work_filters_by_state(state, expected, work, reporter_a, client_for):
    response = my_work_page(client_for(reporter_a), state=state)
    assert [(a, key, s) for _n, a, key, s in rows(response)] == [(work[a].pk, key, s) for a, key, s in expected]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2024-H1", [("a1", "not_started"), ("a2", ReportState.SUBMITTED)]),
        ("2023", [("a1", ReportState.RETURNED), ("a2", ReportState.ACCEPTED)]),
    ],
)
def test_my_work_filters_by_period(period, expected, work, reporter_a, client_for):
    response = my_work_page(client_for(reporter_a), period=period)
    assert [(a, key, s) for _n, a, key, s in rows(response)] == [(work[a].pk, period, s) for a, s in expected]


def test_period_filter_offers_periods_already_begun_newest_first(work, reporter_a, client_for):
    form = my_work_page(client_for(reporter_a)).context["filter_form"]
    assert [key for key, _label in form.fields["period"].choices] == ["", "2024", "2024-H1", "2023"]


def test_an_unknown_filter_value_shows_everything(work, reporter_a, client_for):
    client = client_for(reporter_a)
    assert rows(my_work_page(client, state="nonsense")) == rows(my_work_page(client))
    assert rows(my_work_page(client, period="1999")) == rows(my_work_page(client))


def test_state_and_period_filters_combine(work, reporter_a, client_for):
    response = my_work_page(client_for(reporter_a), period="2024-H1", state="submitted")
    assert rows(response) == [(2, work["a2"].pk, "2024-H1", ReportState.SUBMITTED)]


def test_nothing_matching_says_so(work, reporter_a, client_for):
    response = my_work_page(client_for(reporter_a), state="pending_signoff")
    assert rows(response) == []
    assert "Không có kết quả" in response.content.decode()


def test_one_click_from_a_row_opens_the_form_or_the_report(work, reporter_a, client_for):
    client = client_for(reporter_a)
    page = my_work_page(client).content.decode()
    not_started = reverse("report_for_period", args=[work["a1"].pk, work["periods"]["2024-H1"].pk])
    draft = reverse("report_for_period", args=[work["a2"].pk, work["periods"]["2024"].pk])
    assert f'href="{not_started}"' in page
    assert f'href="{draft}"' in page
    form_page = client.get(not_started)
    assert form_page.status_code == 200
    assert 'data-testid="report-form"' in form_page.content.decode()
    opened = client.get(draft)
    assert opened.status_code == 302
    assert opened.url == reverse("report_detail", args=[work["reports"][("a2", "2024")].pk])


def test_another_units_assignments_are_never_shown(work, reporter_a, head_a, client_for):
    b_link = reverse("report_for_period", args=[work["b1"].pk, work["periods"]["2024-H1"].pk])
    for user in (reporter_a, head_a):
        client = client_for(user)
        for params in ({}, {"state": "draft"}, {"period": "2024-H1"}, {"state": "overdue"}):
            response = my_work_page(client, **params)
            page = response.content.decode()
            assert UNIT_B not in page, (user, params)
            assert b_link not in page, (user, params)
            assert work["b1"].pk not in {a for _n, a, _k, _s in rows(response)}, (user, params)


def test_a_closed_unit_owes_only_the_periods_it_was_open_for(task, reporter_a, unit_a, periods, client_for):
    unit_a.valid_to = datetime.date(2023, 6, 30)
    unit_a.save()
    AssignmentFactory(task=task, unit=unit_a, schedule=periods["2023"].schedule)
    keys = [key for _n, _a, key, _s in rows(my_work_page(client_for(reporter_a)))]
    assert keys == ["2023"]


def test_a_user_without_units_is_told_to_ask_the_office(db, client_for):
    response = my_work_page(client_for(UserFactory(username="nobody")))
    assert response.context["groups"] == []
    assert "Tài khoản của bạn chưa được gắn với đơn vị nào" in response.content.decode()


# --- queries --------------------------------------------------------------------------------------


def count_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_work"), params)
    assert response.status_code == 200
    return len(queries), len(list(rows(response)))


def add_much_more_work(unit, *, tasks=30):
    """Thirty more tasks of two directives for the unit, each with reports in three
    periods, on a second schedule too, plus other units' work that must not count."""
    other_schedule = ScheduleFactory()
    other_periods = periods_for(other_schedule)
    directive = DirectiveFactory()
    stranger = UnitFactory()
    for number in range(tasks):
        task = TaskFactory(directive=directive, number=100 + number)
        assignment = AssignmentFactory(task=task, unit=unit, schedule=other_schedule)
        AssignmentFactory(task=task, unit=stranger, schedule=other_schedule)
        states = (ReportState.ACCEPTED, ReportState.RETURNED, ReportState.DRAFT)
        for key, state in zip(("2023", "2024-H1", "2024"), states, strict=True):
            ReportFactory(assignment=assignment, period=other_periods[key], state=state)


@pytest.mark.parametrize("params", [{}, {"state": "overdue"}, {"period": "2024-H1"}], ids=["all", "overdue", "period"])
def test_my_work_query_count_does_not_grow_with_assignments_periods_or_reports(
    params, work, reporter_a, unit_a, client_for
):
    client = client_for(reporter_a)
    client.get(reverse("my_work"))  # session and first-request work out of the way
    small, small_rows = count_queries(client, **params)
    add_much_more_work(unit_a)
    large, large_rows = count_queries(client, **params)
    message = (
        f"/my-work/ {params or ''}: {small} queries for {small_rows} rows (2 assignments), "
        f"{large} queries for {large_rows} rows (32 assignments, 90 more reports)"
    )
    print(message)
    assert large_rows > small_rows, message
    assert large == small, message


# --- where / sends whom ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reporter_a", "head_a"])
def test_home_sends_unit_staff_to_my_work(name, request, client_for):
    response = client_for(request.getfixturevalue(name)).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("my_work")


def test_home_sends_a_viewer_of_a_unit_to_my_work(unit_b, client_for):
    viewer = MembershipFactory(user=UserFactory(username="viewer-b"), unit=unit_b, role="viewer").user
    response = client_for(viewer).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("my_work")


def test_home_shows_the_overview_to_administrators(admin_user, task, client_for):
    response = client_for(admin_user).get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Các văn bản đang có hiệu lực" in page
    assert TASK_1 in page


def test_home_sends_the_office_to_its_inbox(office_user, client_for):
    response = client_for(office_user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("inbox")
