"""The URL walk for the API: every API route, as every role (each with a
read-write key of its own), against unit B's objects, for every state of unit
B's report. No object of unit B in any list or detail for someone who may not
read it; writes refused with the same answers as the pages (404 for outsiders,
and no change); changes made only by those the pages let make them.

Every route of the API must have a row here (a route without one fails)."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from api.keys import apikey_create
from dissemination.services import cell_confirm
from reports.models import ReportState
from tests.api.walk import API_ROUTE_PREFIX
from tests.followups.walk import STATUS_FOR
from tests.test_url_walk import (  # noqa: F401 - fixtures
    ADMIN,
    ANONYMOUS,
    APPLIES_FROM,
    COMMITTEE,
    EDITABLE,
    FILE_NAME,
    FOLLOWUP_SOURCES,
    NOTE_SECRET,
    OFFICE,
    OFFICE_ACTIONS,
    PDF,
    RESULTS_SECRET,
    ROLES,
    STAFF_A,
    VIEWER_B,
    diss,
    make_world,
    private_files,
    project_patterns,
    snapshot,
)

READERS = (VIEWER_B, COMMITTEE, OFFICE, ADMIN)


@dataclass(frozen=True)
class Out:
    statuses: frozenset
    changes: bool = False
    shows_secret: bool = False

    def __str__(self):
        return "/".join(map(str, sorted(self.statuses))) + (" (acts)" if self.changes else "")


def st(*codes, **kwargs):
    return Out(frozenset(codes), **kwargs)


OK, NOT_FOUND, FORBIDDEN, UNAUTHORIZED, NOT_ALLOWED = st(200), st(404), st(403), st(401), st(405)


def expect(*, anonymous=UNAUTHORIZED, staff_a, viewer_b, committee, office, admin):
    table = {ANONYMOUS: anonymous, VIEWER_B: viewer_b, COMMITTEE: committee, OFFICE: office, ADMIN: admin}
    table.update(dict.fromkeys(STAFF_A, staff_a))
    return table


def signed_in(outcome):
    return expect(staff_a=outcome, viewer_b=outcome, committee=outcome, office=outcome, admin=outcome)


def readers(outcome, *, admin=None, others=NOT_FOUND):
    return expect(staff_a=NOT_FOUND, viewer_b=outcome, committee=outcome, office=outcome, admin=admin or outcome)


def province(outcome):
    return expect(staff_a=FORBIDDEN, viewer_b=FORBIDDEN, committee=outcome, office=outcome, admin=outcome)


def when_editable(acting, otherwise):
    return lambda state: acting if state in EDITABLE else otherwise


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    url: Callable
    expected: dict
    data: Callable = field(default=lambda w: None)
    multipart: bool = False
    # Roles that may read unit B's objects here besides READERS (dissemination: the
    # head of the unit above it reads its subtree).
    also_read: tuple = ()


def transition_case(step):
    def refused(state):
        return NOT_FOUND if state in APPLIES_FROM[step] else st(400)

    def acts(state):
        return st(200, changes=True) if state in APPLIES_FROM[step] else st(400)

    return Case(
        f"report {step}",
        "POST",
        lambda w: reverse(f"api-report-{step}", args=[w.report.pk]),
        expect(
            staff_a=NOT_FOUND,
            viewer_b=refused,
            committee=refused,
            office=acts if step in OFFICE_ACTIONS else refused,
            admin=acts,
        ),
        data=lambda w: {"reason": "Lý do thử nghiệm."},
    )


def report_patch(w):
    return {"expected_version": w.report.version, "results": "Ghi đè từ bên ngoài đơn vị.", "percent_complete": 40,
            "implementation_status": "in_progress"}  # fmt: skip


def reads_b(*, list_=True):
    """A list or detail that holds unit B's objects for its readers only."""
    return readers(st(200, shows_secret=True)) if not list_ else signed_in(OK)


def subtree(outcome):
    """Dissemination: unit B's readers and the head of the unit above it (its subtree)."""
    return readers(outcome) | {"parent_head": outcome}


SUBTREE = ("parent_head",)


def diss_case(label, url, expected, **kwargs):
    return Case(label, "GET", url, expected, also_read=SUBTREE, **kwargs)


def only_admin_records(acts):
    """Recording for unit B's committee: its own reporters and heads may (nobody in the walk
    is one), and the administrator; everyone else gets the 404 its pages answer."""
    return expect(staff_a=NOT_FOUND, viewer_b=NOT_FOUND, committee=NOT_FOUND, office=NOT_FOUND, admin=acts)


SESSION_DATA = {"held_on": "2024-03-05", "level": "district", "form": "in_person", "committee_members_present": 9,
                "party_members_present": 120, "party_members_expected": 130, "others_present": 4,
                "note": "Hội nghị học tập, quán triệt."}  # fmt: skip


def followup_action_case(step):
    """Only the administrator may take a step on unit B's item (nobody in the walk is in its
    lead staff or verifying body): readers are refused (404) where the step applies, and
    told it does not apply (400) elsewhere, as the item page tells them."""

    def refused(state):
        return NOT_FOUND if STATUS_FOR[state] in FOLLOWUP_SOURCES[step] else st(400)

    def acts(state):
        return st(200, changes=True) if STATUS_FOR[state] in FOLLOWUP_SOURCES[step] else st(400)

    return Case(
        f"follow-up {step}",
        "POST",
        lambda w: reverse(f"api-followup-{step}", args=[w.followup.pk]),
        expect(staff_a=NOT_FOUND, viewer_b=refused, committee=refused, office=refused, admin=acts),
        data=lambda w: {"reason": "Lý do thử nghiệm.", "claim": "done"},
    )


def followup_response_outcome(state):
    answerable = ("in_progress", "returned", "pending_signoff")
    return st(200, changes=True) if STATUS_FOR[state] in answerable else NOT_FOUND


API_WALK = {
    "api-directive-list": [Case("directives", "GET", lambda w: reverse("api-directive-list"), signed_in(OK))],
    "api-directive-detail": [
        Case("directive", "GET", lambda w: reverse("api-directive-detail", args=[w.directive_id]), signed_in(OK))
    ],
    "api-task-list": [Case("tasks", "GET", lambda w: reverse("api-task-list"), signed_in(OK))],
    "api-task-detail": [
        Case("task", "GET", lambda w: reverse("api-task-detail", args=[w.report.assignment.task_id]), signed_in(OK))
    ],
    "api-indicator-list": [Case("indicators", "GET", lambda w: reverse("api-indicator-list"), signed_in(OK))],
    "api-indicator-detail": [
        Case("indicator", "GET", lambda w: reverse("api-indicator-detail", args=[w.indicator.pk]), signed_in(OK))
    ],
    "api-period-list": [Case("periods", "GET", lambda w: reverse("api-period-list"), signed_in(OK))],
    "api-period-detail": [
        Case("period", "GET", lambda w: reverse("api-period-detail", args=[w.report.period_id]), signed_in(OK))
    ],
    "api-unit-list": [
        Case("units", "GET", lambda w: reverse("api-unit-list"), signed_in(OK)),
        Case(
            "units under unit B",
            "GET",
            lambda w: reverse("api-unit-list") + "?under=unit-b&on=2024-06-01",
            signed_in(OK),
        ),  # fmt: skip
    ],
    "api-unit-detail": [Case("unit B", "GET", lambda w: reverse("api-unit-detail", args=[w.unit_b.pk]), readers(OK))],
    "api-assignment-list": [
        Case("assignments", "GET", lambda w: reverse("api-assignment-list"), signed_in(OK)),
        Case(
            "assignments of unit B",
            "GET",
            lambda w: reverse("api-assignment-list") + f"?unit={w.unit_b.pk}",
            signed_in(OK),
        ),  # fmt: skip
    ],
    "api-assignment-detail": [
        Case(
            "assignment B",
            "GET",
            lambda w: reverse("api-assignment-detail", args=[w.report.assignment_id]),
            readers(OK),
        )
    ],
    "api-due-list": [Case("due", "GET", lambda w: reverse("api-due-list"), signed_in(OK))],
    "api-report-list": [
        Case("reports", "GET", lambda w: reverse("api-report-list"), signed_in(OK)),
        Case(
            "reports of unit B", "GET", lambda w: reverse("api-report-list") + f"?unit={w.unit_b.pk}", signed_in(OK)
        ),  # fmt: skip
        Case(
            "start unit B's report",
            "POST",
            lambda w: reverse("api-report-list"),
            expect(
                staff_a=NOT_FOUND,
                viewer_b=FORBIDDEN,
                committee=FORBIDDEN,
                office=FORBIDDEN,
                admin=st(201, changes=True),
            ),  # fmt: skip
            data=lambda w: {
                "assignment": w.report.assignment_id,
                "period": w.empty_period.pk,
                "implementation_status": "in_progress",
                "percent_complete": 10,
                "results": "Bắt đầu.",
            },
        ),  # fmt: skip
    ],
    "api-report-detail": [
        Case(
            "report B",
            "GET",
            lambda w: reverse("api-report-detail", args=[w.report.pk]),
            readers(st(200, shows_secret=True)),
        ),  # fmt: skip
        Case(
            "save report B",
            "PATCH",
            lambda w: reverse("api-report-detail", args=[w.report.pk]),
            readers(FORBIDDEN, admin=when_editable(st(200, changes=True), FORBIDDEN)),
            data=report_patch,
        ),
    ],
    **{f"api-report-{step}": [transition_case(str(step))] for step in APPLIES_FROM},
    "api-attachment-list": [
        Case(
            "attachments of report B", "GET", lambda w: reverse("api-attachment-list", args=[w.report.pk]), readers(OK)
        ),  # fmt: skip
        Case(
            "attach to report B",
            "POST",
            lambda w: reverse("api-attachment-list", args=[w.report.pk]),
            readers(FORBIDDEN, admin=when_editable(st(201, changes=True), FORBIDDEN)),
            data=lambda w: {"file": SimpleUploadedFile("them.pdf", PDF.replace(b"%%EOF", b"% them\n%%EOF"))},
            multipart=True,
        ),
    ],
    "api-attachment-detail": [
        Case(
            "download",
            "GET",
            lambda w: reverse("api-attachment-detail", args=[w.report.pk, w.attachment.pk]),
            readers(OK),
        ),  # fmt: skip
        Case(
            "download through unit A's report",
            "GET",
            lambda w: reverse("api-attachment-detail", args=[w.report_a.pk, w.attachment.pk]),
            signed_in(NOT_FOUND),
        ),
        Case(
            "remove",
            "DELETE",
            lambda w: reverse("api-attachment-detail", args=[w.report.pk, w.attachment.pk]),
            readers(NOT_FOUND, admin=when_editable(st(204, changes=True), NOT_FOUND)),
        ),
    ],
    "api-figures": [
        Case("figures", "GET", lambda w: reverse("api-figures") + f"?directive={w.directive_id}", province(OK)),
        Case(
            "figures of unit B",
            "GET",
            lambda w: reverse("api-figures") + f"?directive={w.directive_id}&unit={w.unit_b.pk}",
            province(OK),
        ),
    ],
    # Dissemination (#14): unit B's plan, sessions, a Party cell under unit B and its confirmation.
    "api-plan-list": [
        diss_case("plans", lambda w: reverse("api-plan-list"), signed_in(OK)),
        Case(
            "record B's plan",
            "POST",
            lambda w: reverse("api-plan-list"),
            only_admin_records(st(200, changes=True)),  # B has its plan: changed, not made
            data=lambda w: {
                "directive": diss(w).directive.pk,
                "unit": w.unit_b.pk,
                "kind": "ke_hoach",
                "number": "15-KH/HU",
                "issued_on": "2024-02-20",
                "signer": "Nguyễn Văn Bình",
            },  # fmt: skip
            also_read=SUBTREE,
        ),
    ],
    "api-plan-detail": [
        diss_case("plan of B", lambda w: reverse("api-plan-detail", args=[diss(w).plan.pk]), subtree(OK))
    ],
    "api-session-list": [
        diss_case("sessions", lambda w: reverse("api-session-list"), signed_in(OK)),
        diss_case("sessions of B", lambda w: reverse("api-session-list") + f"?unit={w.unit_b.pk}", signed_in(OK)),
        Case(
            "record a session of B",
            "POST",
            lambda w: reverse("api-session-list"),
            only_admin_records(st(201, changes=True)),
            data=lambda w: {"directive": diss(w).directive.pk, "unit": w.unit_b.pk, **SESSION_DATA},
            also_read=SUBTREE,
        ),
    ],
    "api-session-detail": [
        diss_case("session of B", lambda w: reverse("api-session-detail", args=[diss(w).session.pk]), subtree(OK)),
        Case(
            "change B's session",
            "PUT",
            lambda w: reverse("api-session-detail", args=[diss(w).session.pk]),
            only_admin_records(st(200, changes=True)),
            data=lambda w: SESSION_DATA,
            also_read=SUBTREE,
        ),
    ],
    "api-confirmation-list": [
        diss_case("confirmations", lambda w: reverse("api-confirmation-list"), signed_in(OK)),
        Case(
            "confirm for the cell under B",
            "POST",
            lambda w: reverse("api-confirmation-list"),
            expect(
                staff_a=NOT_FOUND,
                viewer_b=NOT_FOUND,
                committee=NOT_FOUND,
                office=NOT_FOUND,
                admin=st(200, changes=True),
            ),  # fmt: skip
            data=lambda w: {
                "directive": diss(w).directive.pk,
                "cell": diss(w).cell.pk,
                "met_on": "2024-03-01",
                "members_present": 8,
                "members_total": 9,
                "note": "",
            },  # fmt: skip
            also_read=SUBTREE,
        ),
    ],
    "api-confirmation-detail": [
        diss_case(
            "confirmation of the cell under B",
            lambda w: reverse("api-confirmation-detail", args=[w.confirmation.pk]),
            subtree(OK),
        )
    ],
    # The follow-up register (#15): unit B's item, in the status standing for the report state.
    "api-followup-list": [
        Case("follow-ups", "GET", lambda w: reverse("api-followup-list"), signed_in(OK)),
        Case(
            "follow-ups addressed to B, overdue or not",
            "GET",
            lambda w: reverse("api-followup-list") + f"?addressee={w.unit_b.pk}&overdue=false&source_kind=supervision",
            signed_in(OK),
        ),
    ],
    "api-followup-detail": [
        Case(
            "follow-up of B",
            "GET",
            lambda w: reverse("api-followup-detail", args=[w.followup.pk]),
            readers(st(200, shows_secret=True)),
        )
    ],
    "api-followup-response": [
        Case(
            "follow-up response",
            "POST",
            lambda w: reverse("api-followup-response", args=[w.followup.pk]),
            expect(
                staff_a=NOT_FOUND,
                viewer_b=NOT_FOUND,
                committee=NOT_FOUND,
                office=NOT_FOUND,
                admin=followup_response_outcome,
            ),  # fmt: skip
            data=lambda w: {"response": "Ghi đè từ bên ngoài đơn vị.", "expected_version": w.followup.version},
        ),
        Case(
            "follow-up response on a stale version",
            "POST",
            lambda w: reverse("api-followup-response", args=[w.followup.pk]),
            expect(
                staff_a=NOT_FOUND,
                viewer_b=st(409),
                committee=st(409),
                office=st(409),
                admin=st(409),
            ),  # fmt: skip
            data=lambda w: {"response": "Ghi đè từ bên ngoài đơn vị.", "expected_version": w.followup.version + 7},
        ),
    ],
    **{f"api-followup-{step}": [followup_action_case(step)] for step in FOLLOWUP_SOURCES},
    "api-notification-list": [Case("notifications", "GET", lambda w: reverse("api-notification-list"), signed_in(OK))],
    "api-notification-detail": [
        Case(
            "reporter B's notification",
            "GET",
            lambda w: reverse("api-notification-detail", args=[w.notification.pk]),
            signed_in(NOT_FOUND),
        ),  # fmt: skip
    ],
    "api-notification-read": [
        Case(
            "read reporter B's notification",
            "POST",
            lambda w: reverse("api-notification-read", args=[w.notification.pk]),
            signed_in(NOT_FOUND),
        ),  # fmt: skip
    ],
    "api-notification-read-all": [
        Case("read all", "POST", lambda w: reverse("api-notification-read-all"), signed_in(OK)),
    ],
}


def api_routes():
    return {name for name, _route, _callback in project_patterns() if name.startswith(API_ROUTE_PREFIX)}


def test_every_api_route_is_in_the_walk():
    routes = api_routes()
    assert not sorted(routes - set(API_WALK)), "API routes the walk does not cover"
    assert not sorted(set(API_WALK) - routes), "walk rows for routes that no longer exist"


def _ids(value, key):
    """Every value of ``key`` anywhere in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and not isinstance(v, dict | list):
                yield v
            yield from _ids(v, key)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, key)


def leaks(world, body):
    """Unit B's objects in a JSON answer: its unit, assignment, report or file."""
    try:
        document = json.loads(body)
    except ValueError:
        return [] if PDF not in body else ["the attachment's content"]
    found = []
    if world.unit_b.pk in set(_ids(document, "unit")) or "unit-b" in set(_ids(document, "code")):
        found.append("unit B")
    if world.report.assignment_id in set(_ids(document, "assignment")):
        found.append("unit B's assignment")
    if world.report.pk in set(_ids(document, "report")):
        found.append("unit B's report")
    if world.confirmation.cell_id in set(_ids(document, "cell")):
        found.append("the cell under unit B")
    return found


def request_as(world, role, case):
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {world.keys[role]}") if world.keys.get(role) else Client()
    url, data = case.url(world), case.data(world)
    if case.method == "GET":
        return client.get(url)
    if case.method == "DELETE":
        return client.delete(url)
    if case.multipart:
        return client.post(url, data)
    send = {"PATCH": client.patch, "PUT": client.put}.get(case.method, client.post)
    return send(url, json.dumps(data or {}), content_type="application/json")


def body_of(response):
    return response.getvalue() if getattr(response, "streaming", False) else response.content


@pytest.fixture
def api_world(make_world):  # noqa: F811 - the URL walk's fixture
    from tests.factories import IndicatorFactory

    def make(state):
        world = make_world(state)
        world.keys = {
            role: apikey_create(user=user, name="walk", read_only=False)[1]
            for role, user in world.users.items()
            if user is not None
        }
        world.unit_b = world.report.assignment.unit
        world.directive_id = world.report.assignment.task.directive_id
        world.indicator = IndicatorFactory(task=world.report.assignment.task)
        found = diss(world)
        world.confirmation, _created = cell_confirm(
            directive=found.directive, cell=found.cell, by=world.users[ADMIN],
            data={"met_on": datetime.date(2024, 2, 1), "members_present": 5, "members_total": 9, "note": ""},
        )  # fmt: skip
        return world

    return make


def walk(world, role, state):
    failures = []
    # Every request (its URL built inside it) is rolled back and the attachment's file
    # put back after it, so the data before each is the same: read once.
    before = snapshot(world)
    for cases in API_WALK.values():
        for case in cases:
            outcome = case.expected[role]
            outcome = outcome(state) if callable(outcome) else outcome
            with transaction.atomic():
                response = request_as(world, role, case)
                body = body_of(response)
                after = snapshot(world)
                transaction.set_rollback(True)
            if not world.storage.exists(world.attachment.file.name):
                world.storage.save(world.attachment.file.name, SimpleUploadedFile("x.pdf", PDF))
            changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
            where = f"{role} {case.method} {case.label} ({case.url(world)}) [{state}]"
            if response.status_code not in outcome.statuses:
                failures.append(f"{where}: status {response.status_code}, expected {outcome}: {body[:300]!r}")
            if changed and not outcome.changes:
                failures.append(f"{where}: changed the database: {changed}")
            if outcome.changes and not changed and response.status_code in outcome.statuses:
                failures.append(f"{where}: was expected to act but changed nothing")
            may_see = role in READERS or role in case.also_read
            if not may_see:
                for secret in (RESULTS_SECRET, FILE_NAME):
                    if secret.encode() in body:
                        failures.append(f"{where}: shows {secret!r}")
                failures.extend(f"{where}: shows {leak}" for leak in leaks(world, body))
            if NOTE_SECRET.encode() in body:
                failures.append(f"{where}: shows reporter B's notification")
            if outcome.shows_secret and RESULTS_SECRET.encode() not in body:
                failures.append(f"{where}: should show unit B's report")
            if response.status_code >= 400 and response.status_code != 405:
                error = json.loads(body)
                if not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
                    failures.append(f"{where}: error without code and message: {body[:200]!r}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("state", list(ReportState))
@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_unit_b_through_the_api_beyond_what_it_may(role, state, api_world):
    world = api_world(state)
    failures = walk(world, role, state)
    assert not failures, "\n".join(failures)


def test_readers_see_unit_b_in_the_lists(api_world):
    """The positive control of the walk's leak checks."""
    world = api_world(ReportState.SUBMITTED)
    for role in READERS:
        body = request_as(world, role, API_WALK["api-report-list"][1]).content
        assert leaks(world, body), role
        assert RESULTS_SECRET.encode() in body, role
