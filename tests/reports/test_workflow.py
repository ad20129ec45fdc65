"""The report workflow (reports/workflow.py): every transition, who may take it,
what it records and whom it tells, through the service and through the pages."""

import datetime
import threading

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.urls import reverse

from notifications.models import Notification
from reports.models import ProgressReport, ReportState, ReportTransition, TransitionAction
from reports.services import report_save
from reports.workflow import TRANSITIONS, allowed_actions, report_check_complete, report_transition
from tests.factories import AssignmentFactory, MembershipFactory, ReportFactory, UnitFactory, UserFactory
from units.roles import ADMIN_GROUP, OFFICE_GROUP

REPORT_FIELDS = ("implementation_status", "percent_complete", "results", "difficulties", "proposals", "next_steps")

# action → (a state it applies from, the user fixture that may take it, reason, state it leads to)
STEPS = {
    TransitionAction.SEND_TO_HEAD: (ReportState.DRAFT, "reporter_a", "", ReportState.PENDING_SIGNOFF),
    TransitionAction.SEND_BACK: (ReportState.PENDING_SIGNOFF, "head_a", "Bổ sung số liệu quý II.", ReportState.DRAFT),
    TransitionAction.SUBMIT: (ReportState.PENDING_SIGNOFF, "head_a", "", ReportState.SUBMITTED),
    TransitionAction.RETURN: (ReportState.SUBMITTED, "office_user", "Thiếu kết quả giám sát.", ReportState.RETURNED),
    TransitionAction.ACCEPT: (ReportState.SUBMITTED, "office_user", "", ReportState.ACCEPTED),
    TransitionAction.REOPEN: (ReportState.ACCEPTED, "office_user", "Số liệu chưa khớp.", ReportState.RETURNED),
}

PERMISSIONS = {
    TransitionAction.SEND_TO_HEAD: "reports.send_to_head",
    TransitionAction.SEND_BACK: "reports.send_back_report",
    TransitionAction.SUBMIT: "reports.submit_report",
    TransitionAction.RETURN: "reports.review_report",
    TransitionAction.ACCEPT: "reports.review_report",
    TransitionAction.REOPEN: "reports.reopen_report",
}

# action → the user fixtures that are told (never the one who acted)
RECIPIENTS = {
    TransitionAction.SEND_TO_HEAD: {"head_a"},
    TransitionAction.SEND_BACK: {"reporter_a"},
    TransitionAction.SUBMIT: {"office_user"},
    TransitionAction.RETURN: {"reporter_a", "head_a"},
    TransitionAction.ACCEPT: {"reporter_a", "head_a"},
    TransitionAction.REOPEN: {"reporter_a", "head_a"},
}

# action → (a state it does not apply from, the user fixture who would otherwise take it)
WRONG_STATES = {
    TransitionAction.SEND_TO_HEAD: (ReportState.SUBMITTED, "reporter_a"),
    TransitionAction.SEND_BACK: (ReportState.DRAFT, "head_a"),
    TransitionAction.SUBMIT: (ReportState.ACCEPTED, "head_a"),
    TransitionAction.RETURN: (ReportState.DRAFT, "office_user"),
    TransitionAction.ACCEPT: (ReportState.RETURNED, "office_user"),
    TransitionAction.REOPEN: (ReportState.SUBMITTED, "office_user"),
}

# action → user fixtures who may not take it even from the right state
NOT_ALLOWED = {
    TransitionAction.SEND_TO_HEAD: ("office_user", "committee_user", "reporter_b"),
    TransitionAction.SEND_BACK: ("reporter_a", "office_user", "committee_user", "reporter_b"),
    TransitionAction.SUBMIT: ("reporter_a", "office_user", "committee_user", "reporter_b"),
    TransitionAction.RETURN: ("reporter_a", "head_a", "committee_user", "reporter_b"),
    TransitionAction.ACCEPT: ("reporter_a", "head_a", "committee_user", "reporter_b"),
    TransitionAction.REOPEN: ("reporter_a", "head_a", "committee_user", "reporter_b"),
}

PAGE_ACTIONS = (TransitionAction.SEND_TO_HEAD, TransitionAction.SUBMIT)


@pytest.fixture
def make_report(assignment_a, reporter_a):
    def make(state=ReportState.DRAFT, **fields):
        return ReportFactory(assignment=assignment_a, created_by=reporter_a, state=state, **fields)

    return make


@pytest.fixture
def report(make_report):
    return make_report()


@pytest.fixture
def no_signoff_unit(province):
    return UnitFactory(code="unit-c", name="Đảng ủy Khối cơ quan (thử)", parent=province, requires_signoff=False)


@pytest.fixture
def reporter_c(no_signoff_unit):
    return MembershipFactory(user=UserFactory(username="reporter-c"), unit=no_signoff_unit, role="reporter").user


@pytest.fixture
def report_c(task, no_signoff_unit, schedule, reporter_c):
    assignment = AssignmentFactory(task=task, unit=no_signoff_unit, schedule=schedule)
    return ReportFactory(assignment=assignment, created_by=reporter_c)


def form_data(report, **changes):
    data = {field: getattr(report, field) for field in REPORT_FIELDS}
    data["expected_version"] = report.version
    data.update(changes)
    return data


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(report):
    return ProgressReport.objects.get(pk=report.pk)


# --- the table itself ---------------------------------------------------------------------------


def test_every_transition_is_covered_by_these_tests():
    assert set(TRANSITIONS) == set(STEPS) == set(PERMISSIONS) == set(RECIPIENTS) == set(WRONG_STATES)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_is_guarded_by_its_permission(action):
    assert TRANSITIONS[action].permission == PERMISSIONS[action]


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_leads_to_its_state(action):
    source, _actor, _reason, target = STEPS[action]
    assert source in TRANSITIONS[action].sources
    assert TRANSITIONS[action].target == target


def test_only_send_back_return_and_reopen_require_a_reason():
    needs_reason = {action for action, transition in TRANSITIONS.items() if transition.reason_required}
    assert needs_reason == {TransitionAction.SEND_BACK, TransitionAction.RETURN, TransitionAction.REOPEN}


# --- through the service --------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_records_one_step_with_who_from_to_and_reason_and_bumps_the_version(
    action, make_report, request, head_a, reporter_a, office_user
):
    source, actor_name, reason, target = STEPS[action]
    actor = request.getfixturevalue(actor_name)
    report = make_report(source)
    version = report.version

    moved = report_transition(report=report, action=action, by=actor, reason=reason)

    assert moved.state == fresh(report).state == target
    assert fresh(report).version == version + 1
    step = ReportTransition.objects.get(report=report)
    assert (step.action, step.by, step.from_state, step.to_state, step.reason) == (
        action,
        actor,
        source,
        target,
        reason,
    )
    assert fresh(report).state_changed_at is not None


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_notifies_the_right_people_and_not_the_actor(
    action, make_report, request, reporter_a, head_a, office_user, reporter_b
):
    source, actor_name, reason, _target = STEPS[action]
    actor = request.getfixturevalue(actor_name)
    report = make_report(source)

    report_transition(report=report, action=action, by=actor, reason=reason)

    expected = {request.getfixturevalue(name) for name in RECIPIENTS[action]} - {actor}
    notes = Notification.objects.filter(report=report)
    assert {note.recipient for note in notes} == expected
    assert len(notes) == len(expected)
    if expected:
        assert {note.kind for note in notes} == {TRANSITIONS[action].notify}
        assert {note.actor for note in notes} == {actor}
        assert {note.reason for note in notes} == {reason}


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_is_refused_to_users_without_its_permission(
    action, make_report, request, reporter_a, head_a, office_user, committee_user, reporter_b
):
    source, _actor, reason, _target = STEPS[action]
    report = make_report(source)
    for name in NOT_ALLOWED[action]:
        with pytest.raises(PermissionDenied):
            report_transition(report=report, action=action, by=request.getfixturevalue(name), reason=reason or "x")
    assert fresh(report).state == source
    assert not ReportTransition.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_an_action_from_a_state_it_does_not_apply_to_no_longer_applies(action, make_report, request):
    state, actor_name = WRONG_STATES[action]
    report = make_report(state)
    with pytest.raises(ValidationError) as error:
        report_transition(report=report, action=action, by=request.getfixturevalue(actor_name), reason="Lý do")
    assert "không còn áp dụng" in error.value.messages[0]
    assert fresh(report).state == state
    assert not ReportTransition.objects.exists()


def test_reporter_sends_the_report_to_the_head_for_signoff(report, reporter_a):
    report_transition(report=report, action=TransitionAction.SEND_TO_HEAD, by=reporter_a)
    assert fresh(report).state == ReportState.PENDING_SIGNOFF
    assert fresh(report).submitted_at is None


def test_head_sends_the_report_back_to_draft_with_a_reason(make_report, head_a):
    report = make_report(ReportState.PENDING_SIGNOFF)
    report_transition(report=report, action=TransitionAction.SEND_BACK, by=head_a, reason="  Bổ sung số liệu.  ")
    assert fresh(report).state == ReportState.DRAFT
    assert ReportTransition.objects.get().reason == "Bổ sung số liệu."


@pytest.mark.parametrize(
    ("action", "state", "actor_name"),
    [
        (TransitionAction.SEND_BACK, ReportState.PENDING_SIGNOFF, "head_a"),
        (TransitionAction.RETURN, ReportState.SUBMITTED, "office_user"),
        (TransitionAction.REOPEN, ReportState.ACCEPTED, "office_user"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_send_back_return_and_reopen_are_refused_without_a_reason(
    action, state, actor_name, reason, make_report, request
):
    report = make_report(state)
    with pytest.raises(ValidationError) as error:
        report_transition(report=report, action=action, by=request.getfixturevalue(actor_name), reason=reason)
    assert error.value.message_dict["reason"] == ["Hãy nêu lý do để đơn vị nắm được."]
    assert fresh(report).state == state
    assert not ReportTransition.objects.exists()
    assert not Notification.objects.exists()


def test_head_submits_the_signed_off_report_and_the_submission_is_recorded(make_report, head_a):
    report = make_report(ReportState.PENDING_SIGNOFF)
    report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)
    report = fresh(report)
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_at is not None
    assert report.submitted_by == head_a


def test_head_may_submit_a_draft_without_sending_it_to_himself(report, head_a):
    report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)
    assert fresh(report).state == ReportState.SUBMITTED


def test_resubmission_keeps_the_first_submission_time_and_submitter(make_report, head_a, office_user, unit_a):
    other_head = MembershipFactory(user=UserFactory(username="head-a2"), unit=unit_a, role="head").user
    report = make_report(ReportState.PENDING_SIGNOFF)
    first = datetime.datetime(2024, 6, 18, 9, 0, tzinfo=datetime.UTC)

    with time_machine.travel(first, tick=False):
        report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)
    with time_machine.travel(first + datetime.timedelta(days=3), tick=False):
        report_transition(report=report, action=TransitionAction.RETURN, by=office_user, reason="Bổ sung.")
    with time_machine.travel(first + datetime.timedelta(days=10), tick=False):
        report_transition(report=report, action=TransitionAction.SUBMIT, by=other_head)

    report = fresh(report)
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_at == first
    assert report.submitted_by == head_a
    assert report.state_changed_at == first + datetime.timedelta(days=10)


def test_reporter_of_a_unit_without_signoff_submits_directly(report_c, reporter_c):
    report_transition(report=report_c, action=TransitionAction.SUBMIT, by=reporter_c)
    report = fresh(report_c)
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == reporter_c


def test_reporter_of_a_unit_without_signoff_is_not_offered_the_head(report_c, reporter_c):
    assert allowed_actions(report_c, reporter_c) == [TransitionAction.SUBMIT]


def test_reporter_of_a_unit_requiring_signoff_cannot_submit(report, reporter_a):
    assert allowed_actions(report, reporter_a) == [TransitionAction.SEND_TO_HEAD]
    with pytest.raises(PermissionDenied):
        report_transition(report=report, action=TransitionAction.SUBMIT, by=reporter_a)
    assert fresh(report).state == ReportState.DRAFT
    assert fresh(report).submitted_at is None


def test_office_returns_a_submitted_report_with_a_reason(make_report, office_user):
    report = make_report(ReportState.SUBMITTED)
    report_transition(report=report, action=TransitionAction.RETURN, by=office_user, reason="Thiếu số liệu.")
    assert fresh(report).state == ReportState.RETURNED


def test_office_accepts_a_submitted_report(make_report, office_user):
    report = make_report(ReportState.SUBMITTED)
    report_transition(report=report, action=TransitionAction.ACCEPT, by=office_user)
    report = fresh(report)
    assert report.state == ReportState.ACCEPTED
    assert report.accepted_at is not None


def test_office_reopens_an_accepted_report_with_a_reason_and_clears_the_acceptance(make_report, office_user):
    report = make_report(ReportState.SUBMITTED)
    report_transition(report=report, action=TransitionAction.ACCEPT, by=office_user)
    report_transition(report=report, action=TransitionAction.REOPEN, by=office_user, reason="Số liệu chưa khớp.")
    report = fresh(report)
    assert report.state == ReportState.RETURNED
    assert report.accepted_at is None


def test_a_returned_report_is_edited_and_sent_again_like_a_draft(make_report, reporter_a, head_a):
    report = make_report(ReportState.RETURNED)
    assert reporter_a.has_perm("reports.edit_report", report)
    report_transition(report=report, action=TransitionAction.SEND_TO_HEAD, by=reporter_a)
    report_transition(report=report, action=TransitionAction.SUBMIT, by=head_a)
    assert fresh(report).state == ReportState.SUBMITTED


@pytest.fixture
def group_admin(db):
    """An administrator by group only: Django's superuser flag grants every permission."""
    return UserFactory(username="group-admin", groups=[ADMIN_GROUP])


@pytest.mark.parametrize("name", ["reporter_a", "head_a", "reporter_b", "office_user", "committee_user", "group_admin"])
def test_an_accepted_report_is_read_only_for_everyone(name, make_report, request):
    report = make_report(ReportState.ACCEPTED)
    assert not request.getfixturevalue(name).has_perm("reports.edit_report", report)


@pytest.mark.parametrize(
    "name", ["reporter_a", "head_a", "reporter_b", "office_user", "committee_user", "group_admin", "admin_user"]
)
def test_posting_to_an_accepted_report_changes_nothing_and_only_its_writers_are_told_why(
    name, make_report, request, client_for
):
    """The unit's writers (a double click, a page left open) are sent to the report
    with a message; anyone else gets 404 as for a report they may not change."""
    report = make_report(ReportState.ACCEPTED)
    response = client_for(request.getfixturevalue(name)).post(
        reverse("report_detail", args=[report.pk]), form_data(report, results="Sửa sau khi đã tiếp nhận.")
    )
    if name in ("reporter_a", "head_a", "group_admin", "admin_user"):
        assert response.status_code == 302
        assert response.url == reverse("report_detail", args=[report.pk])
    else:
        assert response.status_code == 404
    assert fresh(report).results == report.results
    assert fresh(report).version == report.version


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.ACCEPTED])
def test_even_a_superuser_cannot_save_over_a_report_that_left_the_unit(state, make_report, admin_user, client_for):
    report = make_report(state)
    with pytest.raises(PermissionDenied):
        report_save(report=report, by=admin_user, data={"results": "x"}, indicator_values={}, expected_version=1)
    response = client_for(admin_user).get(reverse("report_detail", args=[report.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert fresh(report).results == report.results


def test_accepted_report_page_shows_the_report_without_a_form(make_report, reporter_a, client_for):
    report = make_report(ReportState.ACCEPTED, results="Kết quả đã được tiếp nhận.")
    response = client_for(reporter_a).get(reverse("report_detail", args=[report.pk]))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Kết quả đã được tiếp nhận." in response.content.decode()


# --- what a report needs before it leaves the unit -----------------------------------------------------


@pytest.mark.parametrize("results", ["", "  \n  "])
def test_check_complete_refuses_a_report_without_results(results, make_report):
    with pytest.raises(ValidationError) as error:
        report_check_complete(make_report(results=results))
    assert error.value.message_dict == {"results": ["Hãy nêu kết quả đạt được trước khi gửi báo cáo."]}


def test_check_complete_refuses_a_completed_task_below_100_percent(make_report):
    report = make_report(implementation_status="completed", percent_complete=80)
    with pytest.raises(ValidationError) as error:
        report_check_complete(report)
    assert list(error.value.message_dict) == ["percent_complete"]


def test_check_complete_accepts_a_completed_task_at_100_percent(make_report):
    report_check_complete(make_report(implementation_status="completed", percent_complete=100))


@pytest.mark.parametrize(
    ("action", "state", "actor_name"),
    [
        (TransitionAction.SEND_TO_HEAD, ReportState.DRAFT, "reporter_a"),
        (TransitionAction.SUBMIT, ReportState.PENDING_SIGNOFF, "head_a"),
    ],
)
def test_an_incomplete_report_is_not_sent(action, state, actor_name, make_report, request):
    report = make_report(state, results="")
    with pytest.raises(ValidationError):
        report_transition(report=report, action=action, by=request.getfixturevalue(actor_name))
    assert fresh(report).state == state
    assert fresh(report).version == report.version
    assert not ReportTransition.objects.exists()
    assert not Notification.objects.exists()


# --- two reviewers at once ---------------------------------------------------------------------


@pytest.fixture
def second_office_user(db):
    return UserFactory(username="office-2", groups=[OFFICE_GROUP])


def test_the_second_of_two_reviewers_accepting_at_once_is_told_it_no_longer_applies(
    make_report, office_user, second_office_user
):
    report = make_report(ReportState.SUBMITTED)
    seen_by_first, seen_by_second = fresh(report), fresh(report)

    report_transition(report=seen_by_first, action=TransitionAction.ACCEPT, by=office_user)
    with pytest.raises(ValidationError) as error:
        report_transition(report=seen_by_second, action=TransitionAction.ACCEPT, by=second_office_user)

    assert "không còn áp dụng" in error.value.messages[0]
    assert ReportTransition.objects.filter(report=report).count() == 1
    assert ReportTransition.objects.get().by == office_user
    assert fresh(report).version == report.version + 1
    assert Notification.objects.filter(actor=second_office_user).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_accepting_in_parallel_connections_record_one_step(make_report, office_user, second_office_user):
    report = make_report(ReportState.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(user):
        try:
            barrier.wait(timeout=10)
            report_transition(report=report, action=TransitionAction.ACCEPT, by=user)
            outcomes.append("accepted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(user,)) for user in (office_user, second_office_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "refused"]
    assert ReportTransition.objects.filter(report=report).count() == 1
    assert fresh(report).version == report.version + 1


# --- through the pages ---------------------------------------------------------------------------


def test_reporter_sends_to_head_from_the_report_page_saving_the_text_first(report, reporter_a, head_a, client_for):
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]),
        form_data(report, results="Đã tổ chức 12 cuộc giám sát.", action="send_to_head"),
    )
    assert response.status_code == 302
    report = fresh(report)
    assert report.state == ReportState.PENDING_SIGNOFF
    assert report.results == "Đã tổ chức 12 cuộc giám sát."
    assert ReportTransition.objects.get().by == reporter_a
    assert [note.recipient for note in Notification.objects.all()] == [head_a]


def test_head_submits_from_the_report_page(make_report, head_a, client_for):
    report = make_report(ReportState.PENDING_SIGNOFF)
    response = client_for(head_a).post(reverse("report_detail", args=[report.pk]), form_data(report, action="submit"))
    assert response.status_code == 302
    report = fresh(report)
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == head_a


def test_reporter_of_a_unit_without_signoff_submits_from_the_report_page(report_c, reporter_c, client_for):
    response = client_for(reporter_c).post(
        reverse("report_detail", args=[report_c.pk]), form_data(report_c, action="submit")
    )
    assert response.status_code == 302
    assert fresh(report_c).state == ReportState.SUBMITTED


def test_reporter_of_a_unit_requiring_signoff_cannot_submit_from_the_report_page(report, reporter_a, client_for):
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]), form_data(report, action="submit")
    )
    assert response.status_code == 404
    assert fresh(report).state == ReportState.DRAFT
    assert not ReportTransition.objects.exists()


def test_report_page_offers_the_reporter_only_the_head(report, reporter_a, client_for):
    response = client_for(reporter_a).get(reverse("report_detail", args=[report.pk]))
    assert [action for action, _label in response.context["form_actions"]] == [TransitionAction.SEND_TO_HEAD]
    assert 'value="submit"' not in response.content.decode()


def test_sending_an_incomplete_report_from_the_page_keeps_the_draft_and_says_why(report, reporter_a, client_for):
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]),
        form_data(report, results="", difficulties="Thiếu kinh phí.", action="send_to_head"),
    )
    assert response.status_code == 400
    assert "Hãy nêu kết quả đạt được trước khi gửi báo cáo." in response.content.decode()
    report = fresh(report)
    assert report.state == ReportState.DRAFT
    assert report.difficulties == "Thiếu kinh phí."
    assert not ReportTransition.objects.exists()


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a not in PAGE_ACTIONS])
def test_each_review_action_works_from_the_report_page(action, make_report, request, client_for):
    source, actor_name, reason, target = STEPS[action]
    report = make_report(source)
    response = client_for(request.getfixturevalue(actor_name)).post(
        reverse("report_action", args=[report.pk, action]), {"reason": reason}
    )
    assert response.status_code == 302
    assert response.url == reverse("report_detail", args=[report.pk])
    assert fresh(report).state == target
    step = ReportTransition.objects.get()
    assert (step.from_state, step.to_state, step.reason) == (source, target, reason)


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if TRANSITIONS[a].reason_required and a not in PAGE_ACTIONS])
def test_a_review_action_without_a_reason_from_the_page_changes_nothing_and_says_why(
    action, make_report, request, client_for
):
    source, actor_name, _reason, _target = STEPS[action]
    report = make_report(source)
    response = client_for(request.getfixturevalue(actor_name)).post(
        reverse("report_action", args=[report.pk, action]), {"reason": ""}
    )
    assert response.status_code == 302
    assert "Hãy nêu lý do để đơn vị nắm được." in messages_of(response)
    assert fresh(report).state == source
    assert not ReportTransition.objects.exists()


def test_an_action_from_the_page_on_a_report_that_moved_meanwhile_says_it_no_longer_applies(
    make_report, office_user, client_for
):
    report = make_report(ReportState.ACCEPTED)
    response = client_for(office_user).post(reverse("report_action", args=[report.pk, "accept"]), {"reason": ""})
    assert response.status_code == 302
    assert any("không còn áp dụng" in message for message in messages_of(response))
    assert not ReportTransition.objects.exists()


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_committee_cannot_take_any_action(action, make_report, committee_user, client_for):
    source, _actor, _reason, _target = STEPS[action]
    report = make_report(source)
    client = client_for(committee_user)
    if action in PAGE_ACTIONS:
        response = client.post(reverse("report_detail", args=[report.pk]), form_data(report, action=action))
    else:
        response = client.post(reverse("report_action", args=[report.pk, action]), {"reason": "Ý kiến."})
    assert response.status_code == 404
    assert fresh(report).state == source
    assert fresh(report).version == report.version
    assert not ReportTransition.objects.exists()


@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a not in PAGE_ACTIONS])
def test_another_units_reporter_cannot_take_a_review_action(action, make_report, reporter_b, client_for):
    source, _actor, reason, _target = STEPS[action]
    report = make_report(source)
    response = client_for(reporter_b).post(reverse("report_action", args=[report.pk, action]), {"reason": "x"})
    assert response.status_code == 404
    assert fresh(report).state == source


def test_an_unknown_action_is_404(report, head_a, client_for):
    response = client_for(head_a).post(reverse("report_action", args=[report.pk, "delete"]), {"reason": "x"})
    assert response.status_code == 404


def test_review_actions_accept_only_post(make_report, office_user, client_for):
    report = make_report(ReportState.SUBMITTED)
    response = client_for(office_user).get(reverse("report_action", args=[report.pk, "accept"]))
    assert response.status_code == 405
    assert fresh(report).state == ReportState.SUBMITTED


def test_the_full_round_trip_leaves_a_timeline_on_the_page(report, reporter_a, head_a, office_user, client_for):
    client = client_for(reporter_a)
    client.post(reverse("report_detail", args=[report.pk]), form_data(report, action="send_to_head"))
    client = client_for(head_a)
    client.post(reverse("report_action", args=[report.pk, "send_back"]), {"reason": "Bổ sung số liệu tháng 6."})
    client = client_for(reporter_a)
    client.post(reverse("report_detail", args=[report.pk]), form_data(fresh(report), action="send_to_head"))
    client = client_for(head_a)
    client.post(reverse("report_detail", args=[report.pk]), form_data(fresh(report), action="submit"))
    client = client_for(office_user)
    client.post(reverse("report_action", args=[report.pk, "accept"]), {"reason": ""})

    steps = list(ReportTransition.objects.filter(report=report).values_list("action", "from_state", "to_state"))
    assert steps == [
        ("send_to_head", "draft", "pending_signoff"),
        ("send_back", "pending_signoff", "draft"),
        ("send_to_head", "draft", "pending_signoff"),
        ("submit", "pending_signoff", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    page = client_for(reporter_a).get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Bổ sung số liệu tháng 6." in page
