"""The dashboard pages: who may open them, what they show, that the number of
queries does not grow with the data, and "remind now" on the late list."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followups.dashboard import figures_changed
from notifications.models import Notification
from reminders.models import Reminder, ReminderKind, ReminderStatus
from reports.models import ReportState
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import UnitSuccession

TODAY = datetime.datetime(2024, 9, 2, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def period(schedule):
    """2024-H1, due 19/06/2024: long past on TODAY."""
    return PeriodFactory(schedule=schedule, key="2024-H1")


def _submitted(assignment, period, *, day, state=ReportState.SUBMITTED, percent=50):
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    return ReportFactory(assignment=assignment, period=period, state=state, submitted_at=at, percent_complete=percent)


@pytest.fixture
def world(assignment_a, assignment_b, period):
    """Unit A reported on time; unit B has not reported at all."""
    _submitted(assignment_a, period, day=datetime.date(2024, 6, 18), percent=60)
    return assignment_a, assignment_b


def _get(client, name, *args, query=""):
    return client.get(reverse(name, args=args) + query)


@pytest.mark.parametrize("role", ["reporter_a", "head_a", "reporter_b"])
def test_unit_staff_are_refused_every_dashboard_page(request, role, client_for, world, period):
    client = client_for(request.getfixturevalue(role))
    assignment_a, _b = world
    pages = [
        ("dashboard", ()),
        ("dashboard_unit", (assignment_a.unit_id,)),
        ("dashboard_matrix_children", (assignment_a.unit.parent_id,)),
        ("dashboard_task", (assignment_a.task_id,)),
        ("dashboard_figure_rows", ()),
    ]
    for name, args in pages:
        assert _get(client, name, *args).status_code == 403, name
    remind = client.post(reverse("dashboard_remind_now", args=[assignment_a.pk, period.pk]))
    assert remind.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["committee_user", "office_user", "admin_user"])
def test_province_roles_see_the_headline_figures(request, role, client_for, world):
    page = _get(client_for(request.getfixturevalue(role)), "dashboard").content.decode()
    assert 'data-testid="figure-expected"' in page
    # Two expected, one received (on time): 50 % reporting and on-time rates.
    assert "50,0\u00a0%" in page  # a no-break space: never "50,0" and "%" on two lines
    assert "Huyện ủy Gia Lộc (thử)" in page and "Huyện ủy Tứ Kỳ (thử)" in page


def test_the_late_list_names_the_unit_its_days_overdue_and_its_head(client_for, committee_user, world, unit_b):
    MembershipFactory(user=UserFactory(username="head-b", last_name="Lê Thị", first_name="Hoa"), unit=unit_b,
                      role="head")  # fmt: skip
    response = _get(client_for(committee_user), "dashboard")
    late = response.context["late"]
    assert [(row.unit, row.days_overdue, row.heads) for row in late] == [(unit_b, 75, ["Lê Thị Hoa"])]
    assert "Nhắc ngay" not in response.content.decode()  # the committee reads; the office reminds


def test_the_late_list_sorts_by_the_chosen_column(client_for, office_user, schedule, period, task, province):
    late_units = [UnitFactory(name=name, parent=province) for name in ("Bình Giang", "An Lão")]
    for unit in late_units:
        AssignmentFactory(task=task, unit=unit, schedule=schedule)
    client = client_for(office_user)
    by_unit = _get(client, "dashboard", query="?late_sort=unit").context["late"]
    assert [row.unit.name for row in by_unit] == ["An Lão", "Bình Giang"]
    bad = _get(client, "dashboard", query="?late_sort=drop-table")
    assert bad.status_code == 200 and bad.context["late_sort"] == "drop-table"


def test_remind_now_records_the_reminder_once_a_day_and_notifies_the_unit(
    client_for, office_user, world, period, reporter_b
):
    _a, assignment_b = world
    client = client_for(office_user)
    url = reverse("dashboard_remind_now", args=[assignment_b.pk, period.pk])
    first = client.post(url, {"next": reverse("dashboard")}, follow=True)
    assert "đã được nhắc" in first.content.decode()
    reminder = Reminder.objects.get(assignment=assignment_b, period=period, kind=ReminderKind.MANUAL)
    assert reminder.status == ReminderStatus.SENT
    assert reminder.offset == timezone.localdate().toordinal()
    assert Notification.objects.filter(recipient=reporter_b, period=period).count() == 1
    second = client.post(url, follow=True)
    assert "đã được nhắc hôm nay" in second.content.decode()
    assert Notification.objects.filter(recipient=reporter_b, period=period).count() == 1
    # The late list counts it.
    late = _get(client, "dashboard").context["late"]
    assert late[0].reminders_sent == 1


def test_remind_now_outside_sending_hours_still_sends(client_for, office_user, world, period, reporter_b):
    _a, assignment_b = world
    with time_machine.travel(TODAY.replace(hour=22), tick=False):
        client_for(office_user).post(reverse("dashboard_remind_now", args=[assignment_b.pk, period.pk]))
    assert Notification.objects.filter(recipient=reporter_b).count() == 1


def test_remind_now_after_the_unit_reported_sends_nothing(client_for, office_user, world, period, reporter_b):
    _a, assignment_b = world
    _submitted(assignment_b, period, day=datetime.date(2024, 9, 1))
    response = client_for(office_user).post(
        reverse("dashboard_remind_now", args=[assignment_b.pk, period.pk]), follow=True
    )
    assert "không cần nhắc" in response.content.decode()
    assert not Notification.objects.filter(recipient=reporter_b).exists()


def test_remind_now_ignores_a_foreign_next_address(client_for, office_user, world, period):
    _a, assignment_b = world
    response = client_for(office_user).post(
        reverse("dashboard_remind_now", args=[assignment_b.pk, period.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboard")


def test_remind_now_for_a_period_the_unit_does_not_owe_is_404(client_for, office_user, world, schedule):
    _a, assignment_b = world
    other = PeriodFactory(key="2030-H1")  # another schedule's period
    response = client_for(office_user).post(reverse("dashboard_remind_now", args=[assignment_b.pk, other.pk]))
    assert response.status_code == 404


def test_changing_the_period_changes_the_figures(client_for, committee_user, world, schedule, period):
    PeriodFactory(schedule=schedule, key="2023", kind="annual", starts_on=datetime.date(2022, 12, 15),
                         ends_on=datetime.date(2023, 12, 14), due_on=datetime.date(2023, 12, 19))  # fmt: skip
    client = client_for(committee_user)
    latest = _get(client, "dashboard").context["figures"]
    assert [p.key for p in latest.periods] == ["2024-H1"]
    directive = world[0].task.directive_id
    older = _get(client, "dashboard", query=f"?directive={directive}&start=2023&end=2023").context["figures"]
    assert [p.key for p in older.periods] == ["2023"]
    assert older.total.counts.received == 0 and older.total.counts.expected == 2


def test_the_matrix_rolls_children_up_into_their_parent_and_opens_on_demand(
    client_for, committee_user, schedule, period, task, province, unit_a
):
    communes = [UnitFactory(name=f"Xã {n} (thử)", parent=unit_a, level=3) for n in range(3)]
    for n, commune in enumerate(communes):
        assignment = AssignmentFactory(task=task, unit=commune, schedule=schedule)
        if n:
            _submitted(assignment, period, day=datetime.date(2024, 6, 10))
    client = client_for(committee_user)
    groups = _get(client, "dashboard").context["groups"]
    (row,) = [row for group in groups for row in group.rows]
    assert row.unit == unit_a and row.has_children
    assert (row.blocks[0].counts.expected, row.blocks[0].counts.received) == (3, 2)
    children = _get(client, "dashboard_matrix_children", unit_a.pk)
    assert children.status_code == 200
    assert [r.unit.name for g in children.context["groups"] for r in g.rows] == [c.name for c in communes]
    assert _get(client, "dashboard_matrix_children", communes[0].pk).status_code == 404  # nothing below it


def test_a_merged_unit_shows_under_its_successor_with_its_reports(
    client_for, committee_user, schedule, period, task, province
):
    old = UnitFactory(name="Ban Tuyên giáo (thử)", parent=province, valid_to=datetime.date(2024, 2, 29))
    new = UnitFactory(name="Ban Tuyên giáo và Dân vận (thử)", parent=province, valid_from=datetime.date(2024, 3, 1))
    UnitSuccession.objects.create(predecessor=old, successor=new, kind="merge", effective_on=new.valid_from)
    old_assignment = AssignmentFactory(task=task, unit=old, schedule=schedule)
    AssignmentFactory(task=task, unit=new, schedule=schedule)
    _submitted(old_assignment, period, day=datetime.date(2024, 2, 20))
    response = _get(client_for(committee_user), "dashboard")
    rows = [row for group in response.context["groups"] for row in group.rows]
    assert [row.unit for row in rows] == [new]
    assert rows[0].merged == [old]
    assert (rows[0].blocks[0].counts.expected, rows[0].blocks[0].counts.received) == (1, 1)
    assert "Ban Tuyên giáo (thử)" in response.content.decode()


def test_figure_links_list_the_rows_they_count(client_for, committee_user, world, period):
    assignment_a, assignment_b = world
    client = client_for(committee_user)
    overdue = _get(client, "dashboard_figure_rows", query="?measure=overdue").context["rows"]
    assert [(cell.unit, row.period) for cell, row in overdue] == [(assignment_b.unit, period)]
    received = _get(client, "dashboard_figure_rows", query="?measure=received")
    ((_cell, row),) = received.context["rows"]
    assert row.report.pk == assignment_a.reports.get().pk
    assert reverse("report_detail", args=[row.report.pk]) in received.content.decode()
    category = _get(client, "dashboard_figure_rows", query="?category=in_progress_overdue").context["cells"]
    assert [cell.unit for cell in category] == [assignment_b.unit]
    own = _get(client, "dashboard_figure_rows", query=f"?unit={assignment_a.unit_id}&scope=own").context["rows"]
    assert len(own) == 1
    assert _get(client, "dashboard_figure_rows", query="?unit=999999").status_code == 404
    assert _get(client, "dashboard_figure_rows", query="?measure=bogus").context["measure"] == "expected"


def test_task_and_unit_pages_drill_down_to_reports(client_for, committee_user, world):
    assignment_a, _b = world
    client = client_for(committee_user)
    task_page = _get(client, "dashboard_task", assignment_a.task_id)
    assert [cell.unit for cell in task_page.context["cells"]] == [assignment_a.unit, _b.unit]
    unit_page = _get(client, "dashboard_unit", assignment_a.unit_id)
    report = assignment_a.reports.get()
    assert reverse("report_detail", args=[report.pk]) in unit_page.content.decode()
    assert _get(client, "dashboard_task", 999999).status_code == 404
    assert _get(client, "dashboard_unit", 999999).status_code == 404


def test_a_committee_member_lands_on_the_dashboard_with_vietnamese_labels(client_for, committee_user, world):
    page = client_for(committee_user).get(reverse("home"), follow=True).content.decode()
    for label in ("Bảng điều hành", "Số báo cáo phải nộp", "Tỷ lệ báo cáo", "Hoàn thành đúng hạn", "Danh sách chậm"):
        assert label in page, label


def test_no_directive_with_periods_says_so(client_for, committee_user):
    page = _get(client_for(committee_user), "dashboard").content.decode()
    assert "Chưa có văn bản nào có kỳ báo cáo" in page


# --- the number of queries does not grow with the data -------------------------------------------


def _grow(schedule, period, task, province, size):
    """``size`` districts, each with two communes and two tasks, half reported."""
    second_task = TaskFactory(directive=task.directive)
    for n in range(size):
        district = UnitFactory(parent=province, name=f"Huyện {n} (thử)")
        MembershipFactory(unit=district, role="head")
        for m in range(2):
            commune = UnitFactory(parent=district, level=3, name=f"Xã {n}-{m} (thử)")
            for t in (task, second_task):
                assignment = AssignmentFactory(task=t, unit=commune, schedule=schedule)
                if m:
                    _submitted(assignment, period, day=datetime.date(2024, 6, 30), state=ReportState.ACCEPTED)
    return district


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _page_urls(district, task):
    return [
        reverse("dashboard"),
        reverse("dashboard_unit", args=[district.pk]),
        reverse("dashboard_matrix_children", args=[district.pk]),
        reverse("dashboard_task", args=[task.pk]),
        reverse("dashboard_figure_rows") + "?measure=overdue",
        reverse("dashboard_figure_rows") + "?category=in_progress_overdue",
    ]


def test_dashboard_pages_run_the_same_number_of_queries_at_two_data_sizes(
    client_for, office_user, schedule, period, task, province
):
    client = client_for(office_user)
    district = _grow(schedule, period, task, province, 2)
    small = [_queries(client, url) for url in _page_urls(district, task)]
    district = _grow(schedule, period, task, province, 12)
    figures_changed()  # the follow-up section is computed again, as after a change to the register
    large = [_queries(client, url) for url in _page_urls(district, task)]
    assert small == large
    # 22 (the figures read the units' parents, and the range's reports and the latest before it
    # apart), and three for the follow-up section (followups/dashboard.py)
    assert max(large) <= 25


def test_a_unit_scope_limits_the_dashboard_and_exports_to_its_subtree(
    client_for, committee_user, schedule, period, task, province, unit_a, unit_b
):
    commune = UnitFactory(name="Xã Thử (thử)", parent=unit_a, level=3)
    for unit in (unit_a, commune, unit_b):
        AssignmentFactory(task=task, unit=unit, schedule=schedule)
    client = client_for(committee_user)
    scoped = _get(client, "dashboard", query=f"?unit={unit_a.pk}")
    figures = scoped.context["figures"]
    assert figures.scope == unit_a
    assert {cell.unit for cell in figures.cells.values()} == {unit_a, commune}
    assert figures.total.counts.expected == 2
    assert "Huyện ủy Tứ Kỳ (thử)" not in scoped.content.decode()
    workbook = _get(client, "dashboard_export_xlsx", query=f"?unit={unit_a.pk}")
    assert workbook.status_code == 200
    assert _get(client, "dashboard", query="?unit=999999").status_code == 404


def test_a_unit_page_computes_its_subtree_and_keeps_the_reports_merged_into_it(
    client_for, committee_user, schedule, period, task, province, unit_b
):
    old = UnitFactory(name="Ban Dân vận (thử)", parent=province, valid_to=datetime.date(2024, 2, 29))
    new = UnitFactory(name="Ban Dân vận mới (thử)", parent=province, valid_from=datetime.date(2024, 3, 1))
    UnitSuccession.objects.create(predecessor=old, successor=new, kind="merge", effective_on=new.valid_from)
    report = _submitted(
        AssignmentFactory(task=task, unit=old, schedule=schedule), period, day=datetime.date(2024, 2, 20)
    )
    AssignmentFactory(task=task, unit=new, schedule=schedule)
    AssignmentFactory(task=task, unit=unit_b, schedule=schedule)
    page = _get(client_for(committee_user), "dashboard_unit", new.pk)
    figures = page.context["figures"]
    assert figures.scope == new
    assert {cell.unit for cell in figures.cells.values()} == {new}  # unit B, a sibling, is not computed
    assert page.context["merged"] == [old]
    assert reverse("report_detail", args=[report.pk]) in page.content.decode()
