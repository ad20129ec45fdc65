"""The object permissions of reports/rules.py as a table (role × permission × report
state), and the access helpers of reports/access.py that turn a refusal into 404."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from reports.access import (
    assignment_or_404,
    attachment_or_404,
    object_or_404,
    period_of_assignment_or_404,
    report_or_404,
)
from reports.models import Attachment, ProgressReport, ReportState
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PeriodFactory,
    ReportFactory,
    ScheduleFactory,
    UnitFactory,
    UserFactory,
)
from units.roles import ADMIN_GROUP

DRAFT, PENDING, SUBMITTED, RETURNED, ACCEPTED = (
    ReportState.DRAFT,
    ReportState.PENDING_SIGNOFF,
    ReportState.SUBMITTED,
    ReportState.RETURNED,
    ReportState.ACCEPTED,
)
STATES = (DRAFT, PENDING, SUBMITTED, RETURNED, ACCEPTED)
ALL = frozenset(STATES)
NONE = frozenset()

# Checked against the report, except these two, which are about the assignment.
ON_ASSIGNMENT = ("read_assignment", "start_report")
PERMS = (
    "read_report",
    "read_assignment",
    "read_history",
    "start_report",
    "edit_report",
    "send_to_head",
    "submit_report",
    "send_back_report",
    "review_report",
    "reopen_report",
)

READS = {"read_report": ALL, "read_assignment": ALL}

# role → permission → the report states in which the role has it (missing: none).
# The report belongs to unit A, which requires the head's sign-off.
EXPECTED = {
    "reporter_a": {
        **READS,
        "start_report": ALL,
        "edit_report": {DRAFT, RETURNED},
        "send_to_head": {DRAFT, RETURNED},
    },
    "head_a": {
        **READS,
        "start_report": ALL,
        "edit_report": {DRAFT, RETURNED, PENDING},
        "send_to_head": {DRAFT, RETURNED},
        "submit_report": {DRAFT, RETURNED, PENDING},
        "send_back_report": {PENDING},
    },
    "viewer_a": {**READS},
    "reporter_b": {},
    "office_user": {
        **READS,
        "read_history": ALL,
        "review_report": {SUBMITTED},
        "reopen_report": {ACCEPTED},
    },
    "committee_user": {**READS},
    # An administrator by group membership gets exactly what the rules grant.
    "group_admin": {
        **READS,
        "read_history": ALL,
        "start_report": ALL,
        "edit_report": {DRAFT, RETURNED, PENDING},
        "send_to_head": {DRAFT, RETURNED},
        "submit_report": {DRAFT, RETURNED, PENDING},
        "send_back_report": {PENDING},
        "review_report": {SUBMITTED},
        "reopen_report": {ACCEPTED},
    },
    # The conftest administrator is also a Django superuser, and User.has_perm answers
    # True to a superuser before asking any backend. The workflow's states are kept
    # by the services themselves (see test_workflow.py: even a superuser cannot save
    # over a submitted or accepted report, and transitions check their source states).
    "admin_user": dict.fromkeys(PERMS, ALL),
}


@pytest.fixture
def viewer_a(unit_a):
    return MembershipFactory(user=UserFactory(username="viewer-a"), unit=unit_a, role="viewer").user


@pytest.fixture
def group_admin(db):
    return UserFactory(username="group-admin", groups=[ADMIN_GROUP])


@pytest.fixture
def make_report(assignment_a, reporter_a):
    def make(state=DRAFT, **fields):
        return ReportFactory(assignment=assignment_a, created_by=reporter_a, state=state, **fields)

    return make


def permissions_of(user, report):
    return {
        perm: user.has_perm(f"reports.{perm}", report.assignment if perm in ON_ASSIGNMENT else report) for perm in PERMS
    }


def expected_in(table, state):
    return {perm: state in table.get(perm, NONE) for perm in PERMS}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_table(role, state, make_report, request):
    user = request.getfixturevalue(role)
    report = make_report(state)
    assert permissions_of(user, report) == expected_in(EXPECTED[role], state)


# --- a unit whose reporters submit without the head ----------------------------------------------


@pytest.fixture
def no_signoff_unit(province):
    return UnitFactory(code="unit-c", name="Đảng ủy Khối cơ quan (thử)", parent=province, requires_signoff=False)


@pytest.fixture
def reporter_c(no_signoff_unit):
    return MembershipFactory(user=UserFactory(username="reporter-c"), unit=no_signoff_unit, role="reporter").user


@pytest.fixture
def head_c(no_signoff_unit):
    return MembershipFactory(user=UserFactory(username="head-c"), unit=no_signoff_unit, role="head").user


NO_SIGNOFF_EXPECTED = {
    "reporter_c": {
        **READS,
        "start_report": ALL,
        "edit_report": {DRAFT, RETURNED},
        "submit_report": {DRAFT, RETURNED},
    },
    "head_c": {
        **READS,
        "start_report": ALL,
        "edit_report": {DRAFT, RETURNED, PENDING},
        "submit_report": {DRAFT, RETURNED, PENDING},
        "send_back_report": {PENDING},
    },
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", list(NO_SIGNOFF_EXPECTED))
def test_permission_table_of_a_unit_without_signoff(role, state, request, task, no_signoff_unit, schedule):
    user = request.getfixturevalue(role)
    assignment = AssignmentFactory(task=task, unit=no_signoff_unit, schedule=schedule)
    report = ReportFactory(assignment=assignment, state=state)
    assert permissions_of(user, report) == expected_in(NO_SIGNOFF_EXPECTED[role], state)


# --- heads of a parent unit ---------------------------------------------------------------------


@pytest.fixture
def province_head(province):
    return MembershipFactory(user=UserFactory(username="head-province"), unit=province, role="head").user


@pytest.mark.parametrize("state", STATES)
def test_parent_unit_head_reads_a_child_units_report_when_the_unit_allows_it_but_never_edits(
    state, province, province_head, make_report
):
    province.heads_read_descendants = True
    province.save()
    report = make_report(state)
    assert permissions_of(province_head, report) == expected_in(READS, state)


def test_parent_unit_head_reads_grandchildren_too(province, province_head, task, schedule, unit_a):
    province.heads_read_descendants = True
    province.save()
    commune = UnitFactory(code="commune", name="Đảng ủy xã Thử nghiệm", level=3, parent=unit_a)
    report = ReportFactory(assignment=AssignmentFactory(task=task, unit=commune, schedule=schedule))
    assert province_head.has_perm("reports.read_report", report)
    assert not province_head.has_perm("reports.edit_report", report)


@pytest.mark.parametrize("state", STATES)
def test_parent_unit_head_reads_nothing_below_without_the_flag(state, province_head, make_report):
    report = make_report(state)
    assert permissions_of(province_head, report) == expected_in({}, state)


def test_reporter_of_the_parent_unit_reads_nothing_below_even_with_the_flag(province, make_report):
    province.heads_read_descendants = True
    province.save()
    reporter = MembershipFactory(user=UserFactory(username="reporter-province"), unit=province).user
    assert not reporter.has_perm("reports.read_report", make_report())


def test_head_of_a_child_unit_does_not_read_the_parent_units_report(province, head_a, task, schedule):
    report = ReportFactory(assignment=AssignmentFactory(task=task, unit=province, schedule=schedule))
    assert not head_a.has_perm("reports.read_report", report)


def test_anonymous_user_has_no_permission(make_report):
    assert permissions_of(AnonymousUser(), make_report()) == expected_in({}, DRAFT)


def test_a_deactivated_members_session_no_longer_opens_the_report(reporter_a, make_report, client_for):
    # The rules do not look at is_active: signing in does, on every request.
    report = make_report()
    client = client_for(reporter_a)
    reporter_a.is_active = False
    reporter_a.save()
    response = client.get(reverse("report_detail", args=[report.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- reports.access -------------------------------------------------------------------------------


@pytest.fixture
def attachment(make_report, reporter_a):
    report = make_report()
    return Attachment.objects.create(
        report=report,
        file=f"attachments/{report.pk}/x.pdf",
        original_name="Biên bản.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        uploaded_by=reporter_a,
    )


def test_report_or_404_gives_the_report_to_a_reader(make_report, reporter_a, office_user, committee_user):
    report = make_report()
    for user in (reporter_a, office_user, committee_user):
        assert report_or_404(user, report.pk) == report


def test_report_or_404_hides_another_units_report(make_report, reporter_b):
    with pytest.raises(Http404):
        report_or_404(reporter_b, make_report().pk)


def test_report_or_404_hides_a_report_the_user_may_not_edit(make_report, committee_user):
    report = make_report()
    with pytest.raises(Http404):
        report_or_404(committee_user, report.pk, perm="reports.edit_report")


def test_report_or_404_is_404_for_a_report_that_does_not_exist(reporter_a):
    with pytest.raises(Http404):
        report_or_404(reporter_a, 987654)


def test_assignment_or_404_hides_another_units_assignment(assignment_a, reporter_a, reporter_b):
    assert assignment_or_404(reporter_a, assignment_a.pk) == assignment_a
    with pytest.raises(Http404):
        assignment_or_404(reporter_b, assignment_a.pk)


def test_assignment_or_404_refuses_to_start_a_report_for_a_reader_who_does_not_write(
    assignment_a, committee_user, viewer_a
):
    for user in (committee_user, viewer_a):
        with pytest.raises(Http404):
            assignment_or_404(user, assignment_a.pk, perm="reports.start_report")


def test_object_or_404_checks_the_permission_on_the_object_found(make_report, reporter_a, reporter_b):
    report = make_report()
    assert object_or_404(reporter_a, ProgressReport.objects.all(), "reports.read_report", pk=report.pk) == report
    with pytest.raises(Http404):
        object_or_404(reporter_b, ProgressReport.objects.all(), "reports.read_report", pk=report.pk)


def test_attachment_or_404_gives_the_file_to_a_reader(attachment, head_a, committee_user):
    for user in (head_a, committee_user):
        assert attachment_or_404(user, attachment.report_id, attachment.pk) == attachment


def test_attachment_or_404_hides_another_units_file(attachment, reporter_b):
    with pytest.raises(Http404):
        attachment_or_404(reporter_b, attachment.report_id, attachment.pk)


def test_attachment_or_404_refuses_a_file_asked_for_through_another_report(
    attachment, assignment_b, reporter_b, office_user
):
    others = ReportFactory(assignment=assignment_b, period=attachment.report.period)
    for user in (reporter_b, office_user):
        with pytest.raises(Http404):
            attachment_or_404(user, others.pk, attachment.pk)


def test_attachment_or_404_for_removal_needs_the_edit_permission(attachment, reporter_a, office_user):
    assert attachment_or_404(reporter_a, attachment.report_id, attachment.pk, perm="reports.edit_report")
    with pytest.raises(Http404):
        attachment_or_404(office_user, attachment.report_id, attachment.pk, perm="reports.edit_report")


def test_period_of_assignment_or_404_gives_a_period_of_the_assignments_schedule(assignment_a):
    period = PeriodFactory(schedule=assignment_a.schedule)
    assert period_of_assignment_or_404(assignment_a, period.pk) == period


def test_period_of_assignment_or_404_refuses_a_period_of_another_schedule(assignment_a):
    other = PeriodFactory(schedule=ScheduleFactory())
    with pytest.raises(Http404):
        period_of_assignment_or_404(assignment_a, other.pk)


def test_period_of_assignment_or_404_refuses_a_period_that_does_not_exist(assignment_a):
    with pytest.raises(Http404):
        period_of_assignment_or_404(assignment_a, 987654)


def test_period_of_assignment_or_404_refuses_a_period_after_the_unit_closed(task, schedule, province):
    closed = UnitFactory(code="closed", parent=province, valid_to=datetime.date(2023, 12, 1))
    assignment = AssignmentFactory(task=task, unit=closed, schedule=schedule)
    period = PeriodFactory(schedule=schedule)  # data from 15/12/2023
    with pytest.raises(Http404):
        period_of_assignment_or_404(assignment, period.pk)


def test_period_of_assignment_or_404_refuses_a_period_before_the_unit_opened(task, schedule, province):
    later = UnitFactory(code="later", parent=province, valid_from=datetime.date(2025, 1, 1))
    assignment = AssignmentFactory(task=task, unit=later, schedule=schedule)
    period = PeriodFactory(schedule=schedule)  # data until 14/06/2024
    with pytest.raises(Http404):
        period_of_assignment_or_404(assignment, period.pk)


def test_period_of_assignment_or_404_accepts_a_period_the_unit_was_open_for_part_of(task, schedule, province):
    closing = UnitFactory(code="closing", parent=province, valid_to=datetime.date(2024, 3, 31))
    assignment = AssignmentFactory(task=task, unit=closing, schedule=schedule)
    period = PeriodFactory(schedule=schedule)
    assert period_of_assignment_or_404(assignment, period.pk) == period


def test_report_page_for_a_period_of_a_closed_unit_is_404(task, schedule, province, client_for, office_user):
    closed = UnitFactory(code="closed", parent=province, valid_to=datetime.date(2023, 12, 1))
    assignment = AssignmentFactory(task=task, unit=closed, schedule=schedule)
    period = PeriodFactory(schedule=schedule)
    response = client_for(office_user).get(reverse("report_for_period", args=[assignment.pk, period.pk]))
    assert response.status_code == 404


def test_staff_of_the_reviewing_unit_read_but_do_not_change_the_reports_they_review(db, task, schedule, unit_b):
    from reports.models import ReportState
    from tests.factories import AssignmentFactory, MembershipFactory, ReportFactory, UnitFactory, UserFactory

    reviewing = UnitFactory(code="reviewer", name="Văn phòng thẩm định (thử)", kind="advisory_body", level=1)
    head = MembershipFactory(user=UserFactory(username="reviewer-head"), unit=reviewing, role="head").user
    reviewed = ReportFactory(
        assignment=AssignmentFactory(task=task, unit=unit_b, schedule=schedule, reviewing_unit=reviewing),
        state=ReportState.DRAFT,
    )
    not_reviewed = ReportFactory(assignment=AssignmentFactory(task=task, schedule=schedule), state=ReportState.DRAFT)

    assert head.has_perm("reports.read_report", reviewed)
    assert head.has_perm("reports.read_assignment", reviewed.assignment)
    assert not head.has_perm("reports.edit_report", reviewed)
    assert not head.has_perm("reports.review_report", reviewed)
    assert not head.has_perm("reports.read_report", not_reviewed)
