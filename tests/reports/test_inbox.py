"""The provincial office's inbox (/inbox/): submitted reports oldest first, filters,
the long-waiting count, bulk acceptance, and a query count that does not grow."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from reports.inbox_views import PAGE_SIZE
from reports.models import ProgressReport, ReportState, ReportTransition, TransitionAction
from tests.factories import (
    AssignmentFactory,
    DirectiveFactory,
    PeriodFactory,
    ReportFactory,
    TaskFactory,
    UnitFactory,
)

COMMUNE = "Đảng ủy xã Thử nghiệm"
SECOND_DIRECTIVE = "Chuyển đổi số"


@pytest.fixture
def half_year(schedule):
    return PeriodFactory(schedule=schedule, key="2024-H1")


@pytest.fixture
def year(schedule):
    return PeriodFactory(
        schedule=schedule,
        key="2024",
        kind="annual",
        starts_on=datetime.date(2023, 12, 15),
        ends_on=datetime.date(2024, 12, 14),
        due_on=datetime.date(2024, 12, 19),
    )


def waiting(days, *, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def submitted(assignment, period, *, days, **fields):
    return ReportFactory(
        assignment=assignment,
        period=period,
        state=ReportState.SUBMITTED,
        state_changed_at=waiting(days, hours=1),
        submitted_at=waiting(days, hours=1),
        **fields,
    )


@pytest.fixture
def inbox_reports(task, assignment_a, assignment_b, unit_a, schedule, half_year, year, reporter_a):
    """Three submitted reports, made newest first so that the order is the view's doing;
    plus reports in other states, which the inbox leaves out."""
    commune = UnitFactory(code="commune", name=COMMUNE, parent=unit_a, level=3)
    task_2 = TaskFactory(directive=task.directive, number=2, title="Đổi mới hoạt động giám sát")
    commune_task_2 = AssignmentFactory(task=task_2, unit=commune, schedule=schedule)
    newest = submitted(assignment_a, year, days=1)
    middle = submitted(commune_task_2, half_year, days=6)
    oldest = submitted(assignment_b, half_year, days=10)
    others = [
        ReportFactory(assignment=assignment_a, period=half_year, state=ReportState.ACCEPTED),
        ReportFactory(assignment=assignment_b, period=year, state=ReportState.RETURNED),
        ReportFactory(assignment=commune_task_2, period=year, state=ReportState.DRAFT),
    ]
    return {"oldest": oldest, "middle": middle, "newest": newest, "others": others, "task_2": task_2}


def listed(response):
    return [report.pk for report in response.context["page"].object_list]


def inbox_page(client, **params):
    response = client.get(reverse("inbox"), params)
    assert response.status_code == 200
    return response


def messages_of(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def state_of(report):
    return ProgressReport.objects.get(pk=report.pk).state


# --- listing ---------------------------------------------------------------------------------------


def test_inbox_lists_submitted_reports_oldest_first(inbox_reports, office_user, client_for):
    response = inbox_page(client_for(office_user))
    r = inbox_reports
    assert listed(response) == [r["oldest"].pk, r["middle"].pk, r["newest"].pk]
    page = response.content.decode()
    positions = [page.index(f'id="select-{report.pk}"') for report in (r["oldest"], r["middle"], r["newest"])]
    assert positions == sorted(positions)
    assert "Báo cáo chờ tiếp nhận" in page
    assert "3 báo cáo chờ tiếp nhận" in page
    assert "đã chờ 10 ngày" in page


def test_inbox_is_ordered_by_time_in_the_state_not_by_first_submission(inbox_reports, office_user, client_for):
    """A report submitted long ago, returned and sent again yesterday, waits since yesterday."""
    resent = inbox_reports["oldest"]
    ProgressReport.objects.filter(pk=resent.pk).update(state_changed_at=waiting(0, hours=2))
    assert listed(inbox_page(client_for(office_user)))[-1] == resent.pk


def test_inbox_filters_by_task(inbox_reports, office_user, client_for):
    response = inbox_page(client_for(office_user), task=inbox_reports["task_2"].pk)
    assert listed(response) == [inbox_reports["middle"].pk]


def test_inbox_filters_by_unit_level(inbox_reports, office_user, client_for):
    client = client_for(office_user)
    assert listed(inbox_page(client, level=3)) == [inbox_reports["middle"].pk]
    assert listed(inbox_page(client, level=2)) == [inbox_reports["oldest"].pk, inbox_reports["newest"].pk]


def test_inbox_filters_by_period(inbox_reports, office_user, client_for):
    client = client_for(office_user)
    assert listed(inbox_page(client, period="2024")) == [inbox_reports["newest"].pk]
    assert listed(inbox_page(client, period="2024-H1")) == [inbox_reports["oldest"].pk, inbox_reports["middle"].pk]


def test_inbox_offers_only_periods_with_waiting_reports(inbox_reports, office_user, client_for):
    form = inbox_page(client_for(office_user)).context["filter_form"]
    assert [key for key, _label in form.fields["period"].choices] == ["", "2024", "2024-H1"]


def test_inbox_filters_combine(inbox_reports, office_user, client_for):
    response = inbox_page(client_for(office_user), period="2024-H1", level=2)
    assert listed(response) == [inbox_reports["oldest"].pk]


def test_an_invalid_filter_shows_the_whole_inbox(inbox_reports, office_user, client_for):
    assert len(listed(inbox_page(client_for(office_user), task="999999"))) == 3


def test_an_empty_inbox_says_so(db, office_user, client_for):
    page = inbox_page(client_for(office_user)).content.decode()
    assert "Không có báo cáo nào chờ tiếp nhận." in page


@pytest.mark.parametrize(("days", "expected"), [(5, 2), (7, 1), (30, 0)])
def test_inbox_counts_reports_that_waited_more_than_the_review_days(
    days, expected, inbox_reports, office_user, client_for, settings
):
    settings.REVIEW_WAITING_DAYS = days
    response = inbox_page(client_for(office_user))
    assert response.context["waiting_long"] == expected
    page = response.content.decode()
    if expected:
        assert f"{expected} báo cáo đã chờ quá {days} ngày" in page
    else:
        assert 'data-testid="waiting-long"' not in page


def test_the_waiting_count_follows_the_filters(inbox_reports, office_user, client_for, settings):
    settings.REVIEW_WAITING_DAYS = 5
    assert inbox_page(client_for(office_user), level=3).context["waiting_long"] == 1


def test_inbox_pages_by_twenty_oldest_first_across_pages(many_submitted, office_user, client_for):
    reports = many_submitted(PAGE_SIZE + 5)
    client = client_for(office_user)
    first, second = inbox_page(client), inbox_page(client, page=2)
    assert PAGE_SIZE == 20
    assert listed(first) + listed(second) == [r.pk for r in sorted(reports, key=lambda r: r.state_changed_at)]
    assert len(listed(second)) == 5


def test_inbox_sorts_newest_first_when_asked(inbox_reports, office_user, client_for):
    r, client = inbox_reports, client_for(office_user)
    assert listed(inbox_page(client, sort="newest")) == [r["newest"].pk, r["middle"].pk, r["oldest"].pk]
    assert listed(inbox_page(client, sort="oldest")) == [r["oldest"].pk, r["middle"].pk, r["newest"].pk]


@pytest.fixture
def second_directive(inbox_reports, unit_b, schedule, half_year):
    """A second directive in force whose task 1 has a report waiting too."""
    directive = DirectiveFactory(number="05-CT/TU", short_title=SECOND_DIRECTIVE, signed_on=datetime.date(2025, 1, 2))
    task_1 = TaskFactory(directive=directive, number=1, title="Số hóa hồ sơ đảng viên")
    report = submitted(AssignmentFactory(task=task_1, unit=unit_b, schedule=schedule), half_year, days=3)
    return SimpleNamespace(directive=directive, task=task_1, report=report)


def test_inbox_filters_by_directive(second_directive, inbox_reports, office_user, client_for):
    client = client_for(office_user)
    assert listed(inbox_page(client, directive=second_directive.directive.pk)) == [second_directive.report.pk]
    first = inbox_reports["oldest"].assignment.task.directive
    assert second_directive.report.pk not in listed(inbox_page(client, directive=first.pk))
    assert len(listed(inbox_page(client, directive=first.pk))) == 3


def test_inbox_names_the_directive_of_every_task_and_groups_the_task_filter(
    second_directive, inbox_reports, office_user, client_for
):
    response = inbox_page(client_for(office_user))
    page = response.content.decode()
    assert f"05-CT/TU – {SECOND_DIRECTIVE} · Nhiệm vụ 1. Số hóa hồ sơ đảng viên" in page
    first = inbox_reports["oldest"].assignment.task.directive
    assert f"{first.short_label} · Nhiệm vụ {inbox_reports['oldest'].assignment.task.number}." in page
    task_choices = response.context["filter_form"].fields["task"].choices
    groups = {label: [value for value, _label in choices] for label, choices in task_choices[1:]}
    assert groups == {
        f"05-CT/TU – {SECOND_DIRECTIVE}": [str(second_directive.task.pk)],
        first.short_label: [str(t.pk) for t in first.tasks.order_by("number")],
    }
    assert f'<optgroup label="05-CT/TU – {SECOND_DIRECTIVE}">' in page


@pytest.mark.parametrize(
    "params",
    [
        {"task": "٣"},  # an Arabic-Indic digit: int() would read it, the form must not
        {"task": "²"},
        {"task": " 1"},
        {"task": "99999999999999999999999"},
        {"directive": "٣"},
        {"directive": "-1"},
        {"level": "٣"},
        {"sort": "sideways"},
        {"period": "<script>"},
        {"page": "٣"},
        {"page": "99999999999999999999999"},
    ],
)
def test_bad_filter_values_are_ignored_never_an_error(params, inbox_reports, office_user, client_for):
    response = inbox_page(client_for(office_user), **params)
    assert len(listed(response)) == 3


def test_a_bad_value_drops_only_its_own_filter(inbox_reports, office_user, client_for):
    response = inbox_page(client_for(office_user), level=3, task="٣", sort="newest")
    assert listed(response) == [inbox_reports["middle"].pk]
    assert response.context["query"] == "level=3&sort=newest"


def test_page_links_keep_the_filters_and_the_order(many_submitted, office_user, client_for):
    many_submitted(5 * PAGE_SIZE)  # half of them at level 2: two pages and a half
    client = client_for(office_user)
    response = inbox_page(client, level=2, sort="newest", task="bad", page=2)
    links = re.findall(r'href="\?([^"]*)"', response.content.decode())
    assert sorted(links) == ["level=2&amp;sort=newest&amp;page=1", "level=2&amp;sort=newest&amp;page=3"]
    assert "Trang 2/3" in response.content.decode()


# --- bulk accept ------------------------------------------------------------------------------------


def test_bulk_accept_accepts_the_selected_reports(inbox_reports, office_user, reporter_a, client_for):
    r = inbox_reports
    response = client_for(office_user).post(reverse("inbox_accept"), {"report": [r["oldest"].pk, r["newest"].pk]})
    assert response.status_code == 302
    assert response.url == reverse("inbox")
    assert state_of(r["oldest"]) == state_of(r["newest"]) == ReportState.ACCEPTED
    assert state_of(r["middle"]) == ReportState.SUBMITTED
    steps = ReportTransition.objects.filter(action=TransitionAction.ACCEPT)
    assert sorted(steps.values_list("report_id", "by_id")) == sorted(
        [(r["oldest"].pk, office_user.pk), (r["newest"].pk, office_user.pk)]
    )
    assert Notification.objects.filter(recipient=reporter_a, report=r["newest"]).exists()
    assert messages_of(response) == [("success", "Đã tiếp nhận 2 báo cáo.")]


def test_bulk_accept_ignores_tampered_ids(inbox_reports, office_user, client_for):
    r = inbox_reports
    response = client_for(office_user).post(reverse("inbox_accept"), {"report": ["²", "x", str(r["oldest"].pk)]})
    assert response.status_code == 302
    assert state_of(r["oldest"]) == ReportState.ACCEPTED
    assert state_of(r["middle"]) == ReportState.SUBMITTED


def test_bulk_accept_ignores_ids_in_other_digits_and_overflowing_ids(inbox_reports, office_user, client_for):
    r = inbox_reports
    arabic_indic = str(r["middle"].pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client_for(office_user).post(
        reverse("inbox_accept"), {"report": [arabic_indic, "9" * 30, f" {r['newest'].pk}", str(r["oldest"].pk)]}
    )
    assert response.status_code == 302
    assert state_of(r["oldest"]) == ReportState.ACCEPTED
    assert state_of(r["middle"]) == state_of(r["newest"]) == ReportState.SUBMITTED


def test_bulk_accept_skips_reports_no_longer_submitted_and_says_so(inbox_reports, office_user, client_for):
    r = inbox_reports
    returned = r["others"][1]
    ProgressReport.objects.filter(pk=r["middle"].pk).update(state=ReportState.ACCEPTED)  # a colleague was faster
    response = client_for(office_user).post(
        reverse("inbox_accept"), {"report": [r["oldest"].pk, r["middle"].pk, returned.pk]}
    )
    assert response.status_code == 302
    assert state_of(r["oldest"]) == ReportState.ACCEPTED
    assert state_of(returned) == ReportState.RETURNED
    assert ReportTransition.objects.filter(report__in=[r["middle"], returned]).count() == 0
    assert messages_of(response) == [
        ("success", "Đã tiếp nhận 1 báo cáo."),
        ("warning", "2 báo cáo không thể tiếp nhận vì không còn ở trạng thái chờ tiếp nhận."),
    ]


def test_bulk_accept_with_nothing_selected_asks_to_select(inbox_reports, office_user, client_for):
    response = client_for(office_user).post(reverse("inbox_accept"), {"report": []})
    assert response.status_code == 302
    assert messages_of(response) == [("info", "Hãy chọn các báo cáo cần tiếp nhận.")]
    assert ProgressReport.objects.filter(state=ReportState.ACCEPTED).count() == 1  # the one made accepted


def test_bulk_accept_returns_to_the_filtered_inbox(inbox_reports, office_user, client_for):
    back = reverse("inbox") + "?level=3"
    response = client_for(office_user).post(
        reverse("inbox_accept"), {"report": [inbox_reports["middle"].pk], "next": back}
    )
    assert response.url == back


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/inbox/", "javascript:alert(1)", "https:evil.example"]
)
def test_bulk_accept_never_sends_the_user_off_site(target, inbox_reports, office_user, client_for):
    response = client_for(office_user).post(
        reverse("inbox_accept"), {"report": [inbox_reports["middle"].pk], "next": target}
    )
    assert response.status_code == 302
    assert response.url == reverse("inbox")
    assert state_of(inbox_reports["middle"]) == ReportState.ACCEPTED


def test_bulk_accept_with_a_next_that_is_not_a_path_does_not_break(inbox_reports, office_user, client_for):
    response = client_for(office_user).post(reverse("inbox_accept"), {"report": [], "next": "trang-khac"})
    assert response.status_code == 302


def test_bulk_accept_is_post_only(inbox_reports, office_user, client_for):
    assert client_for(office_user).get(reverse("inbox_accept")).status_code == 405


# --- who may open it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reporter_a", "head_a", "reporter_b", "committee_user"])
def test_inbox_is_404_for_unit_staff_and_the_committee(name, inbox_reports, request, client_for):
    client = client_for(request.getfixturevalue(name))
    assert client.get(reverse("inbox")).status_code == 404
    report = inbox_reports["oldest"]
    assert client.post(reverse("inbox_accept"), {"report": [report.pk]}).status_code == 404
    assert state_of(report) == ReportState.SUBMITTED


def test_administrators_see_the_inbox_too(inbox_reports, admin_user, client_for):
    assert len(listed(inbox_page(client_for(admin_user)))) == 3


def test_anonymous_users_are_sent_to_log_in(db, client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_sends_the_office_to_the_inbox(office_user, client_for):
    response = client_for(office_user).get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("inbox")


# --- queries ----------------------------------------------------------------------------------------


@pytest.fixture
def many_submitted(task, schedule):
    """Makes ``count`` more submitted reports over several tasks, units (two levels) and periods."""
    periods = [
        PeriodFactory(schedule=schedule, key=f"20{10 + n}-H1", starts_on=datetime.date(2010 + n, 1, 1),
                      ends_on=datetime.date(2010 + n, 6, 14), due_on=datetime.date(2010 + n, 6, 19))
        for n in range(4)
    ]  # fmt: skip
    tasks = [task, *(TaskFactory(directive=task.directive, number=10 + n) for n in range(2))]
    made = []

    def make(count):
        for _ in range(count):
            n = len(made)
            assignment = AssignmentFactory(
                task=tasks[n % len(tasks)], unit=UnitFactory(level=2 + n % 2), schedule=schedule
            )
            made.append(submitted(assignment, periods[n % len(periods)], days=n % 12, percent_complete=n % 100))
        return made

    return make


def count_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inbox"), params)
    assert response.status_code == 200
    return len(queries), len(listed(response))


@pytest.mark.parametrize(
    "params",
    [{}, {"level": 2}, {"period": "2010-H1"}, {"sort": "newest", "page": 2}, {"directive": "first"}],
    ids=["all", "level", "period", "newest-page-2", "directive"],
)
def test_inbox_query_count_does_not_grow_with_waiting_reports(params, many_submitted, office_user, client_for):
    client = client_for(office_user)
    many_submitted(3)
    if params.get("directive") == "first":
        params = {"directive": ProgressReport.objects.first().assignment.task.directive_id}
    client.get(reverse("inbox"))  # session and first-request work out of the way
    small, small_rows = count_queries(client, **params)
    many_submitted(3 * PAGE_SIZE)
    large, large_rows = count_queries(client, **params)
    message = f"/inbox/ {params or ''}: {small} queries for {small_rows} rows, {large} queries for {large_rows} rows"
    print(message)
    assert large_rows > small_rows, message
    assert large == small, message
