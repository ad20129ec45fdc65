"""Walks every URL pattern of the project, as every role, against the objects of
unit B, by GET and by POST, and fails on any leak: a page or file of unit B
shown to someone who may not read it, a change made by someone who may not
make it, or unit B's text in an error or redirect.

Every URL pattern must have a row in WALK saying how to build its URL for unit
B's objects and what each role may get; a pattern without a row fails the test,
so a new view cannot be added without being walked. Only Django's own admin
(staff only, see test_admin_sends_every_non_staff_role_to_the_admin_login and
the admin tests) and ``set_language`` are left out.
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api.keys import apikey_create
from api.models import ApiKey
from dashboard.models import ExportJob, ExportKind, ExportState
from notifications.models import Notification, NotificationKind
from notifications.services import notification_send
from reports.attachments import attachment_add
from reports.models import Attachment, IndicatorValue, ProgressReport, ReportState, ReportTransition
from tests.factories import MembershipFactory, PeriodFactory, ReportFactory, UserFactory
from tests.followups.walk import STATUS_FOR, followup_for_walk, followup_snapshot

# Only unit B's readers may ever see these; nobody in the walk may see NOTE_SECRET
# (it is in reporter_b's own notification).
RESULTS_SECRET = "KQ-BI-MAT-TU-KY-7Q2X: đã giám sát 12 xã"
NOTE_SECRET = "LY-DO-RIENG-TU-KY-5K9P"
FILE_NAME = "Biên bản riêng Tứ Kỳ 3W8M.pdf"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

ANONYMOUS = "anonymous"
STAFF_A = ("reporter_a", "head_a", "parent_head")  # unit staff who may not read unit B
VIEWER_B = "viewer_b"  # a read-only member of unit B itself
COMMITTEE, OFFICE, ADMIN = "committee", "office", "admin"
ROLES = (ANONYMOUS, *STAFF_A, VIEWER_B, COMMITTEE, OFFICE, ADMIN)
READERS = (VIEWER_B, COMMITTEE, OFFICE, ADMIN)  # may read unit B's reports

EDITABLE = (ReportState.DRAFT, ReportState.RETURNED, ReportState.PENDING_SIGNOFF)
# The workflow as the design describes it, written out independently of reports/workflow.py:
# action → states it applies from.
APPLIES_FROM = {
    "send_to_head": (ReportState.DRAFT, ReportState.RETURNED),
    "send_back": (ReportState.PENDING_SIGNOFF,),
    "submit": (ReportState.DRAFT, ReportState.RETURNED, ReportState.PENDING_SIGNOFF),
    "return": (ReportState.SUBMITTED,),
    "accept": (ReportState.SUBMITTED,),
    "reopen": (ReportState.ACCEPTED,),
}
OFFICE_ACTIONS = ("return", "accept", "reopen")


# --- what a role may get -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    statuses: frozenset
    redirect_to: str | None = None  # URL name the 302 must lead to
    changes: bool = False  # the request must change the database (the role acts); otherwise it must not
    shows_secret: bool = False  # positive control: the page must show unit B's text

    def __str__(self):
        text = "/".join(str(s) for s in sorted(self.statuses))
        if self.redirect_to:
            text += f" → {self.redirect_to}"
        return text + (" (acts)" if self.changes else "")


def status(*codes, **kwargs):
    return Outcome(frozenset(codes), **kwargs)


OK = status(200)
NOT_FOUND = status(404)
POST_ONLY = status(405)
LOGIN = status(302, redirect_to="login")
FORBIDDEN = status(403)


def to(name, **kwargs):
    return status(302, redirect_to=name, **kwargs)


def acts(name):
    return to(name, changes=True)


def expect(*, anonymous, staff_a, viewer_b, committee, office, admin):
    """Every role's outcome, named so that none can be forgotten. A value is an
    Outcome or a function of unit B's report state returning one."""
    table = {ANONYMOUS: anonymous, VIEWER_B: viewer_b, COMMITTEE: committee, OFFICE: office, ADMIN: admin}
    table.update(dict.fromkeys(STAFF_A, staff_a))
    return table


def everyone(outcome):
    return expect(
        anonymous=outcome, staff_a=outcome, viewer_b=outcome, committee=outcome, office=outcome, admin=outcome
    )


def signed_in(outcome):
    return expect(anonymous=LOGIN, staff_a=outcome, viewer_b=outcome, committee=outcome, office=outcome, admin=outcome)


def readers_only(outcome, *, admin=None):
    return expect(
        anonymous=LOGIN,
        staff_a=NOT_FOUND,
        viewer_b=outcome,
        committee=outcome,
        office=outcome,
        admin=admin or outcome,
    )


def province_only(outcome):
    """The dashboard and its exports: the province-wide roles; unit staff are refused."""
    return expect(
        anonymous=LOGIN, staff_a=FORBIDDEN, viewer_b=FORBIDDEN, committee=outcome, office=outcome, admin=outcome
    )


def dashboard_page(name, url):
    return [Case(name, url, get=province_only(OK), post=everyone(POST_ONLY))]


def dashboard_export(name, url):
    """An export: downloaded by GET, or by POST (the form that makes a large one a job)."""
    return [Case(name, url, get=province_only(OK), post=province_only(OK))]


def reviewers_only(outcome):
    return expect(
        anonymous=LOGIN, staff_a=NOT_FOUND, viewer_b=NOT_FOUND, committee=NOT_FOUND, office=outcome, admin=outcome
    )


def refused_or_told_no_longer_applies(action):
    """A reader who may not take the action: 404 whenever it would change the report;
    when the state does not allow it anyway, the report page may say so."""

    def outcome(state):
        return NOT_FOUND if state in APPLIES_FROM[action] else status(302, 404, redirect_to="report_detail")

    return outcome


def may_act(action):
    def outcome(state):
        if state in APPLIES_FROM[action]:
            return acts("report_detail")
        return status(302, 404, redirect_to="report_detail")

    return outcome


def admin_edits(state):
    return acts("report_detail") if state in EDITABLE else NOT_FOUND


def admin_saves(state):
    """The administrator writes every unit's reports: a report form sent once the
    report can no longer be edited is told so on the report page, and changes nothing."""
    return acts("report_detail") if state in EDITABLE else to("report_detail")


def accepts_if_submitted(state):
    return acts("inbox") if state == ReportState.SUBMITTED else to("inbox")


def followup_import_of(user):
    """A checked upload of follow-up items that had errors (nothing to import)."""
    from followups.roll_models import ItemImport, ItemImportState

    return ItemImport.objects.create(user=user, filename="kien-nghi.xlsx", state=ItemImportState.REFUSED)


# --- the table: every URL pattern, how to reach unit B's objects, what each role gets ------------


@dataclass(frozen=True)
class Case:
    label: str
    url: Callable
    get: dict
    post: dict
    data: Callable = field(default=lambda world: {})


def edit_data(version):
    return {
        "implementation_status": "in_progress",
        "percent_complete": 40,
        "results": "Nội dung ghi đè từ bên ngoài đơn vị.",
        "difficulties": "",
        "proposals": "",
        "next_steps": "",
        "expected_version": version,
        "action": "save",
    }


def action_case(action):
    office = may_act(action) if action in OFFICE_ACTIONS else refused_or_told_no_longer_applies(action)
    return Case(
        f"report_action:{action}",
        lambda w: reverse("report_action", args=[w.report.pk, action]),
        get=everyone(POST_ONLY),
        post=expect(
            anonymous=LOGIN,
            staff_a=NOT_FOUND,
            viewer_b=refused_or_told_no_longer_applies(action),
            committee=refused_or_told_no_longer_applies(action),
            office=office,
            admin=may_act(action),
        ),
        data=lambda w: {"reason": "Lý do thử nghiệm."},
    )


def subtree_readers(outcome):
    """Dissemination pages: unit B's readers and the head of the unit above it."""
    return readers_only(outcome) | {"parent_head": outcome}


DISS_PLAN_DATA = {"kind": "ke_hoach", "number": "9-KH/HU", "issued_on": "2024-02-01", "signer": "Nguyễn Văn A"}
DISS_SESSION_DATA = {
    "held_on": "2024-02-10",
    "level": "district",
    "form": "in_person",
    "committee_members_present": "5",
    "party_members_present": "50",
    "party_members_expected": "60",
    "others_present": "0",
    "note": "",
}


# Not the report's PDF: a subtree reader (parent_head) may download these.
DISS_PDF = PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n% dissemination\n")


def diss(world):
    """Unit B's dissemination objects, made on first use (and the session's file
    put back when a request removed it)."""
    if not hasattr(world, "dissemination"):
        from dissemination.models import DisseminationSession, ImplementingPlan
        from dissemination.services import session_attachment_add
        from tests.factories import DirectiveFactory, UnitFactory

        admin = world.users[ADMIN]
        unit_b, unit_a = world.report.assignment.unit, world.report_a.assignment.unit
        directive = DirectiveFactory(issuing_unit=unit_b.parent, signed_on=datetime.date(2024, 1, 1))
        plan = ImplementingPlan(
            directive=directive,
            unit=unit_b,
            number="1-KH/HU",
            issued_on=datetime.date(2024, 1, 5),
            signer="Trần Văn B",
            original_name="ke-hoach.pdf",
            content_type="application/pdf",
        )
        plan.file.save("plan.pdf", ContentFile(DISS_PDF), save=True)
        session = DisseminationSession.objects.create(
            directive=directive,
            unit=unit_b,
            held_on=datetime.date(2024, 1, 9),
            level="district",
            party_members_expected=10,
        )
        session_a = DisseminationSession.objects.create(
            directive=directive, unit=unit_a, held_on=datetime.date(2024, 1, 9), level="district"
        )
        upload = SimpleUploadedFile("bien-ban.pdf", DISS_PDF, content_type="application/pdf")
        attachment = session_attachment_add(session=session, upload=upload, by=admin)
        cell = UnitFactory(code="unit-b-cb1", name="Chi bộ dưới B", kind="party_cell", level=4, parent=unit_b)
        world.dissemination = SimpleNamespace(
            directive=directive,
            unit=unit_b,
            plan=plan,
            session=session,
            session_a=session_a,
            attachment=attachment,
            cell=cell,
        )
    found = world.dissemination
    for name in (found.plan.file.name, found.attachment.file.name):
        if not world.storage.exists(name):
            world.storage.save(name, SimpleUploadedFile("x.pdf", DISS_PDF))
    return found


WALK = {
    "login": [
        Case(
            "login",
            lambda w: reverse("login"),
            get=expect(
                anonymous=OK,
                staff_a=to("home"),
                viewer_b=to("home"),
                committee=to("home"),
                office=to("home"),
                admin=to("home"),
            ),  # fmt: skip
            post=expect(
                anonymous=OK,
                staff_a=to("home"),
                viewer_b=to("home"),
                committee=to("home"),
                office=to("home"),
                admin=to("home"),
            ),  # fmt: skip
        )
    ],
    "logout": [Case("logout", lambda w: reverse("logout"), get=everyone(POST_ONLY), post=everyone(to("login")))],
    # The user's own password; an empty POST re-shows the form with its errors.
    "password_change": [
        Case("password_change", lambda w: reverse("password_change"), get=signed_in(OK), post=signed_in(OK))
    ],
    "password_change_done": [
        Case(
            "password_change_done",
            lambda w: reverse("password_change_done"),
            get=signed_in(OK),
            post=signed_in(POST_ONLY),
        )
    ],
    "password_reset": [
        Case("password_reset", lambda w: reverse("password_reset"), get=everyone(OK), post=everyone(OK))
    ],
    "password_reset_done": [
        Case(
            "password_reset_done",
            lambda w: reverse("password_reset_done"),
            get=everyone(OK),
            post=everyone(POST_ONLY),
        )
    ],
    # A link for unit B's reporter with a token that is not theirs: nobody gets in.
    "password_reset_confirm": [
        Case(
            "password_reset_confirm:forged token",
            lambda w: reverse(
                "password_reset_confirm",
                args=[urlsafe_base64_encode(force_bytes(w.report.created_by_id)), "cz9k7p-0123456789abcdef"],
            ),
            get=everyone(OK),
            post=everyone(OK),
            data=lambda w: {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
        )
    ],
    "password_reset_complete": [
        Case(
            "password_reset_complete",
            lambda w: reverse("password_reset_complete"),
            get=everyone(OK),
            post=everyone(POST_ONLY),
        )
    ],
    # The broker may be down on a development machine: 503 is an honest answer too.
    "healthz": [
        Case("healthz", lambda w: reverse("healthz"), get=everyone(status(200, 503)), post=everyone(POST_ONLY))
    ],
    "ping": [Case("ping", lambda w: reverse("ping"), get=everyone(OK), post=everyone(POST_ONLY))],
    "floor": [Case("floor", lambda w: reverse("floor"), get=signed_in(OK), post=everyone(POST_ONLY))],
    "home": [
        Case(
            "home",
            lambda w: reverse("home"),
            get=expect(
                anonymous=LOGIN,
                staff_a=to("my_work"),
                viewer_b=to("my_work"),
                committee=to("dashboard"),
                office=to("inbox"),
                admin=OK,
            ),  # fmt: skip
            post=expect(
                anonymous=LOGIN,
                staff_a=to("my_work"),
                viewer_b=to("my_work"),
                committee=to("dashboard"),
                office=to("inbox"),
                admin=OK,
            ),  # fmt: skip
        )
    ],
    "my_work": [Case("my_work", lambda w: reverse("my_work"), get=signed_in(OK), post=signed_in(OK))],
    "report_for_period": [
        Case(
            "report_for_period:with report",
            lambda w: reverse("report_for_period", args=[w.report.assignment_id, w.report.period_id]),
            get=readers_only(to("report_detail")),
            # A first save that finds the report already there is a save like any other:
            # checked against its version and the right to edit, never dropped.
            post=readers_only(to("report_detail"), admin=admin_saves),
            data=lambda w: edit_data(w.report.version),
        ),
        Case(
            "report_for_period:not started",
            lambda w: reverse("report_for_period", args=[w.report.assignment_id, w.empty_period.pk]),
            get=readers_only(OK),
            post=readers_only(OK, admin=acts("report_detail")),
            data=lambda w: edit_data(1),
        ),
    ],
    "report_detail": [
        Case(
            "report_detail",
            lambda w: reverse("report_detail", args=[w.report.pk]),
            get=readers_only(status(200, shows_secret=True)),
            post=readers_only(NOT_FOUND, admin=admin_saves),
            data=lambda w: edit_data(w.report.version),
        )
    ],
    "report_action": [
        *[action_case(action) for action in APPLIES_FROM],
        Case(
            "report_action:unknown",
            lambda w: reverse("report_action", args=[w.report.pk, "delete"]),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND),
        ),
    ],
    "attachment_download": [
        Case(
            "attachment_download",
            lambda w: reverse("attachment_download", args=[w.report.pk, w.attachment.pk]),
            get=readers_only(OK),
            post=readers_only(OK),
        ),
        Case(
            "attachment_download:through unit A's report",
            lambda w: reverse("attachment_download", args=[w.report_a.pk, w.attachment.pk]),
            get=signed_in(NOT_FOUND),
            post=signed_in(NOT_FOUND),
        ),
    ],
    "attachment_remove": [
        Case(
            "attachment_remove",
            lambda w: reverse("attachment_remove", args=[w.report.pk, w.attachment.pk]),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND, admin=admin_edits),
        ),
        Case(
            "attachment_remove:through unit A's report",
            lambda w: reverse("attachment_remove", args=[w.report_a.pk, w.attachment.pk]),
            get=everyone(POST_ONLY),
            post=signed_in(NOT_FOUND),
        ),
    ],
    "dashboard": dashboard_page("dashboard", lambda w: reverse("dashboard")),
    "dashboard_unit": dashboard_page(
        "dashboard_unit", lambda w: reverse("dashboard_unit", args=[w.report.assignment.unit_id])
    ),
    "dashboard_matrix_children": dashboard_page(
        "dashboard_matrix_children",
        lambda w: reverse("dashboard_matrix_children", args=[w.report.assignment.unit.parent_id]),
    ),
    "dashboard_task": dashboard_page(
        "dashboard_task", lambda w: reverse("dashboard_task", args=[w.report.assignment.task_id])
    ),
    "dashboard_figure_rows": dashboard_page(
        "dashboard_figure_rows",
        lambda w: reverse("dashboard_figure_rows") + f"?unit={w.report.assignment.unit_id}&measure=overdue",
    ),
    "dissemination_coverage": dashboard_page(
        "dissemination_coverage",
        lambda w: reverse("dissemination_coverage") + f"?directive={w.report.assignment.task.directive_id}",
    ),
    "dissemination_coverage_cells": dashboard_page(
        "dissemination_coverage_cells",
        lambda w: reverse("dissemination_coverage_cells") + f"?directive={w.report.assignment.task.directive_id}",
    ),
    "dissemination_coverage_unit": dashboard_page(
        "dissemination_coverage_unit",
        lambda w: (
            reverse("dissemination_coverage_unit", args=[w.report.assignment.unit_id])
            + f"?directive={w.report.assignment.task.directive_id}"
        ),
    ),
    "dashboard_selection_periods": dashboard_page(
        "dashboard_selection_periods",
        lambda w: reverse("dashboard_selection_periods") + f"?directive={w.report.assignment.task.directive_id}",
    ),
    "dashboard_remind_now": [
        Case(
            "dashboard_remind_now",
            lambda w: reverse("dashboard_remind_now", args=[w.report.assignment_id, w.empty_period.pk]),
            get=everyone(POST_ONLY),
            post=expect(
                anonymous=LOGIN,
                staff_a=FORBIDDEN,
                viewer_b=FORBIDDEN,
                committee=FORBIDDEN,
                office=acts("dashboard"),
                admin=acts("dashboard"),
            ),
        )
    ],
    "dashboard_export_xlsx": dashboard_export("dashboard_export_xlsx", lambda w: reverse("dashboard_export_xlsx")),
    "dashboard_summary_docx": dashboard_export("dashboard_summary_docx", lambda w: reverse("dashboard_summary_docx")),
    "dashboard_summary_pdf": dashboard_export("dashboard_summary_pdf", lambda w: reverse("dashboard_summary_pdf")),
    "dashboard_summary_template": dashboard_page(
        "dashboard_summary_template", lambda w: reverse("dashboard_summary_template")
    ),
    # An export job is its requester's alone (the office here): everyone else of the province gets 404.
    "dashboard_export_job": [
        Case(
            "dashboard_export_job",
            lambda w: reverse("dashboard_export_job", args=[w.export_job.pk]),
            get=province_only(NOT_FOUND) | {OFFICE: OK},
            post=everyone(POST_ONLY),
        )
    ],
    "dashboard_export_download": [
        Case(
            "dashboard_export_download",
            lambda w: reverse("dashboard_export_download", args=[w.export_job.pk]),
            get=province_only(NOT_FOUND) | {OFFICE: OK},
            post=everyone(POST_ONLY),
        )
    ],
    "inbox": [Case("inbox", lambda w: reverse("inbox"), get=reviewers_only(OK), post=reviewers_only(OK))],
    "inbox_accept": [
        Case(
            "inbox_accept",
            lambda w: reverse("inbox_accept"),
            get=everyone(POST_ONLY),
            post=reviewers_only(accepts_if_submitted),
            data=lambda w: {"report": [w.report.pk]},
        )
    ],
    "notification_list": [
        Case("notification_list", lambda w: reverse("notification_list"), get=signed_in(OK), post=signed_in(OK))
    ],
    "notification_open": [
        Case(
            "notification_open:someone else's",
            lambda w: reverse("notification_open", args=[w.notification.pk]),
            get=everyone(POST_ONLY),
            post=signed_in(to("notification_list")),
        )
    ],
    "notification_mark_all_read": [
        Case(
            "notification_mark_all_read",
            lambda w: reverse("notification_mark_all_read"),
            get=everyone(POST_ONLY),
            post=signed_in(to("notification_list")),
        )
    ],
    # The user's own e-mail preference: nothing of unit B's is reachable; an
    # empty POST re-shows the form.
    # The API's schema and documentation: no data, open to all (the data needs a key or a session).
    "api_schema": [Case("api_schema", lambda w: reverse("api_schema"), get=everyone(OK), post=everyone(POST_ONLY))],
    "api_docs": [Case("api_docs", lambda w: reverse("api_docs"), get=everyone(OK), post=everyone(POST_ONLY))],
    "api_redoc": [Case("api_redoc", lambda w: reverse("api_redoc"), get=everyone(OK), post=everyone(POST_ONLY))],
    # The user's own API keys; a POST makes one for the poster.
    "api_keys": [
        Case(
            "api_keys",
            lambda w: reverse("api_keys"),
            get=signed_in(OK),
            post=signed_in(OK),
            data=lambda w: {"name": "Hệ thống thử", "read_only": "1"},
        )  # fmt: skip
    ],
    "api_key_revoke": [
        Case(
            "api_key_revoke:someone else's",
            lambda w: reverse("api_key_revoke", args=[w.api_key.pk]),
            get=everyone(POST_ONLY),
            post=signed_in(NOT_FOUND),
        )
    ],
    "notification_settings": [
        Case(
            "notification_settings",
            lambda w: reverse("notification_settings"),
            get=signed_in(OK),
            post=signed_in(OK),
        )
    ],
    # The follow-up register's import and export (followups/roll_views.py): only the office and
    # administrators import; a check is confirmed by whoever uploaded it (the office here).
    "followup_export": [
        Case("followup_export", lambda w: reverse("followup_export"), get=signed_in(OK), post=everyone(POST_ONLY))
    ],
    "followup_import": [
        Case(
            "followup_import",
            lambda w: reverse("followup_import"),
            get=reviewers_only(OK) | {COMMITTEE: NOT_FOUND},
            post=reviewers_only(status(400)) | {COMMITTEE: NOT_FOUND},
        )
    ],
    "followup_import_template": [
        Case(
            "followup_import_template",
            lambda w: reverse("followup_import_template"),
            get=reviewers_only(OK) | {COMMITTEE: NOT_FOUND},
            post=everyone(POST_ONLY),
        )
    ],
    "followup_import_preview": [
        Case(
            "followup_import_preview",
            lambda w: reverse("followup_import_preview", args=[followup_import_of(w.users[OFFICE]).pk]),
            get=reviewers_only(OK) | {COMMITTEE: NOT_FOUND},
            post=reviewers_only(to("followup_import_preview")) | {ADMIN: NOT_FOUND, COMMITTEE: NOT_FOUND},
        )
    ],
    # Dissemination (issue #14): unit B's plan, session, its file and a Party cell under unit B.
    # A committee reads its whole subtree, so the province's head (parent_head) reads unit B's here.
    "dissemination_home": [
        Case("dissemination_home", lambda w: reverse("dissemination_home"), get=signed_in(OK), post=everyone(POST_ONLY))
    ],
    "dissemination_unit": [
        Case(
            "dissemination_unit",
            lambda w: reverse("dissemination_unit", args=[diss(w).directive.pk, diss(w).unit.pk]),
            get=subtree_readers(OK),
            post=everyone(POST_ONLY),
        )
    ],
    "dissemination_plan": [
        Case(
            "dissemination_plan",
            lambda w: reverse("dissemination_plan", args=[diss(w).directive.pk, diss(w).unit.pk]),
            get=readers_only(NOT_FOUND, admin=OK),
            post=readers_only(NOT_FOUND, admin=acts("dissemination_unit")),
            data=lambda w: DISS_PLAN_DATA,
        )
    ],
    "dissemination_plan_file": [
        Case(
            "dissemination_plan_file",
            lambda w: reverse("dissemination_plan_file", args=[diss(w).directive.pk, diss(w).unit.pk]),
            get=subtree_readers(OK),
            post=everyone(POST_ONLY),
        )
    ],
    "dissemination_session_new": [
        Case(
            "dissemination_session_new",
            lambda w: reverse("dissemination_session_new", args=[diss(w).directive.pk, diss(w).unit.pk]),
            get=readers_only(NOT_FOUND, admin=OK),
            post=readers_only(NOT_FOUND, admin=acts("dissemination_unit")),
            data=lambda w: DISS_SESSION_DATA,
        )
    ],
    "dissemination_session": [
        Case(
            "dissemination_session",
            lambda w: reverse("dissemination_session", args=[diss(w).session.pk]),
            get=subtree_readers(OK),
            post=readers_only(NOT_FOUND, admin=acts("dissemination_unit")),
            data=lambda w: DISS_SESSION_DATA,
        )
    ],
    "dissemination_session_attachment": [
        Case(
            "dissemination_session_attachment",
            lambda w: reverse("dissemination_session_attachment", args=[diss(w).session.pk, diss(w).attachment.pk]),
            get=subtree_readers(OK),
            post=everyone(POST_ONLY),
        ),
        Case(
            "dissemination_session_attachment:through unit A's session",
            lambda w: reverse("dissemination_session_attachment", args=[diss(w).session_a.pk, diss(w).attachment.pk]),
            get=signed_in(NOT_FOUND),
            post=everyone(POST_ONLY),
        ),
    ],
    "dissemination_session_attachment_remove": [
        Case(
            "dissemination_session_attachment_remove",
            lambda w: reverse(
                "dissemination_session_attachment_remove", args=[diss(w).session.pk, diss(w).attachment.pk]
            ),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND, admin=acts("dissemination_session")),
        )
    ],
    "dissemination_cell": [
        Case(
            "dissemination_cell",
            lambda w: reverse("dissemination_cell", args=[diss(w).directive.pk, diss(w).cell.pk]),
            get=subtree_readers(OK),
            post=readers_only(NOT_FOUND, admin=acts("dissemination_cell")),
            data=lambda w: {"met_on": "2024-03-01", "members_present": "8", "members_total": "9", "note": ""},
        )
    ],
}

# --- the follow-up register (followups/): unit B's item, in the status standing for the report state ---

FOLLOWUP_SOURCES = {
    "send_to_head": ("in_progress", "returned"),
    "send_back": ("pending_signoff",),
    "report": ("in_progress", "returned", "pending_signoff"),
    "accept": ("reported",),
    "return": ("reported",),
}


def followup_admin_acts_if(*statuses):
    def outcome(state):
        return acts("followup_detail") if STATUS_FOR[state] in statuses else NOT_FOUND

    return outcome


def followup_action_case(action):
    """Only the administrator may take a step here (nobody in the walk is in unit B's lead
    staff or the verifying body); a reader is refused (404) when the step would apply and
    told on the item page when it does not."""

    def reader(state):
        return NOT_FOUND if STATUS_FOR[state] in FOLLOWUP_SOURCES[action] else to("followup_detail")

    def admin(state):
        return acts("followup_detail") if STATUS_FOR[state] in FOLLOWUP_SOURCES[action] else to("followup_detail")

    return Case(
        f"followup_action:{action}",
        lambda w: reverse("followup_action", args=[w.followup.pk, action]),
        get=everyone(POST_ONLY),
        post=expect(anonymous=LOGIN, staff_a=NOT_FOUND, viewer_b=reader, committee=reader, office=reader, admin=admin),
        data=lambda w: {"reason": "Lý do thử nghiệm.", "claim": "done"},
    )


FOLLOWUP_WALK = {
    "followup_register": [
        Case("followup_register", lambda w: reverse("followup_register"), get=signed_in(OK), post=everyone(POST_ONLY))
    ],
    # Recording: the office and administrators; unit staff for their own units (an empty form: 400).
    "followup_new": [
        Case(
            "followup_new",
            lambda w: reverse("followup_new"),
            get=expect(anonymous=LOGIN, staff_a=OK, viewer_b=FORBIDDEN, committee=FORBIDDEN, office=OK, admin=OK),
            post=expect(
                anonymous=LOGIN,
                staff_a=status(400),
                viewer_b=FORBIDDEN,
                committee=FORBIDDEN,
                office=status(400),
                admin=status(400),
            ),  # fmt: skip
        )
    ],
    "followup_direction": [
        Case(
            "followup_direction:on unit B's report",
            lambda w: reverse("followup_direction") + f"?report={w.report.pk}",
            get=expect(anonymous=LOGIN, staff_a=FORBIDDEN, viewer_b=FORBIDDEN, committee=OK, office=OK, admin=OK),
            post=expect(
                anonymous=LOGIN,
                staff_a=FORBIDDEN,
                viewer_b=FORBIDDEN,
                committee=status(400),
                office=status(400),
                admin=status(400),
            ),  # fmt: skip
        )
    ],
    "followup_detail": [
        Case(
            "followup_detail",
            lambda w: reverse("followup_detail", args=[w.followup.pk]),
            get=readers_only(status(200, shows_secret=True)),
            post=everyone(POST_ONLY),
        )
    ],
    "followup_respond": [
        Case(
            "followup_respond",
            lambda w: reverse("followup_respond", args=[w.followup.pk]),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND, admin=followup_admin_acts_if("in_progress", "returned", "pending_signoff")),
            data=lambda w: {"response": "Nội dung ghi đè từ bên ngoài đơn vị.", "expected_version": w.followup.version},
        )
    ],
    "followup_action": [
        *[followup_action_case(action) for action in FOLLOWUP_SOURCES],
        Case(
            "followup_action:unknown",
            lambda w: reverse("followup_action", args=[w.followup.pk, "delete"]),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND),
        ),
    ],
    "followup_resupervise": [
        Case(
            "followup_resupervise",
            lambda w: reverse("followup_resupervise", args=[w.followup.pk]),
            get=everyone(POST_ONLY),
            post=readers_only(NOT_FOUND, admin=followup_admin_acts_if("settled")),
            data=lambda w: {"deadline": "2027-12-31"},
        )
    ],
    "followup_document": [
        Case(
            "followup_document",
            lambda w: reverse("followup_document", args=[w.followup.pk]),
            get=readers_only(OK),
            post=readers_only(OK),
        )
    ],
    "followup_evidence": [
        Case(
            "followup_evidence",
            lambda w: reverse("followup_evidence", args=[w.followup.pk, w.followup_evidence.pk]),
            get=readers_only(OK),
            post=readers_only(OK),
        )
    ],
}
WALK.update(FOLLOWUP_WALK)

NOT_WALKED = {"set_language"}  # Django's language switch: no object, no data
# The API's routes (api-…) are walked as every role, with a key each, by tests/api/test_api_walk.py.
API_ROUTE_PREFIX = "api-"


def project_patterns(resolver=None, prefix=""):
    """(name, route, callback) of every URL pattern outside Django's admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from project_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.name or route, route, pattern.callback


# --- unit B's objects and the users ---------------------------------------------------------------


@dataclass
class World:
    report: ProgressReport
    report_a: ProgressReport
    empty_period: object
    attachment: Attachment
    notification: Notification
    users: dict
    storage: FileSystemStorage
    export_job: ExportJob  # the office's own finished export
    followup: object = None  # unit B's follow-up item (followups/)
    followup_evidence: object = None


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(ExportJob._meta.get_field("file"), "storage", storage)
    from dissemination.models import ImplementingPlan, SessionAttachment

    monkeypatch.setattr(ImplementingPlan._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(SessionAttachment._meta.get_field("file"), "storage", storage)
    return storage


def world_in_state(state, *, fixtures, storage):
    f = fixtures
    half_year = PeriodFactory(schedule=f["schedule"], key="2024-H1")
    year = PeriodFactory(
        schedule=f["schedule"],
        key="2024",
        kind="annual",
        starts_on=datetime.date(2023, 12, 15),
        ends_on=datetime.date(2024, 12, 14),
        due_on=datetime.date(2024, 12, 19),
    )
    reporter_b = f["reporter_b"]
    report = ReportFactory(
        assignment=f["assignment_b"], period=half_year, results=RESULTS_SECRET, created_by=reporter_b
    )
    report_a = ReportFactory(assignment=f["assignment_a"], period=half_year, created_by=f["reporter_a"])
    upload = SimpleUploadedFile(FILE_NAME, PDF, content_type="application/pdf")
    attachment = attachment_add(report=report, upload=upload, by=reporter_b)
    (notification,) = notification_send(
        recipients=[reporter_b],
        kind=NotificationKind.REPORT_RETURNED,
        report=report,
        actor=f["office_user"],
        reason=NOTE_SECRET,
    )
    now = timezone.now()
    sent = state in (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED)
    ProgressReport.objects.filter(pk=report.pk).update(
        state=state,
        state_changed_at=now,
        submitted_at=now if sent else None,
        submitted_by=reporter_b if sent else None,
        accepted_at=now if state == ReportState.ACCEPTED else None,
    )
    report.refresh_from_db()
    parent_head = MembershipFactory(user=UserFactory(username="head-province"), unit=f["province"], role="head").user
    viewer_b = MembershipFactory(user=UserFactory(username="viewer-b"), unit=f["unit_b"], role="viewer").user
    users = {
        ANONYMOUS: None,
        "reporter_a": f["reporter_a"],
        "head_a": f["head_a"],
        "parent_head": parent_head,
        VIEWER_B: viewer_b,
        COMMITTEE: f["committee_user"],
        OFFICE: f["office_user"],
        ADMIN: f["admin_user"],
    }
    export_job = ExportJob(user=f["office_user"], kind=ExportKind.XLSX, query="", state=ExportState.DONE,
                           progress=100, filename="bao-cao.xlsx")  # fmt: skip
    export_job.file.save("export.xlsx", ContentFile(b"PK export"), save=True)
    followup, evidence = followup_for_walk(
        state, unit_b=f["unit_b"], province=f["province"], by=f["office_user"], response=RESULTS_SECRET,
        file_name=FILE_NAME, pdf=PDF, storage=storage,
    )  # fmt: skip
    world = World(report, report_a, year, attachment, notification, users, storage, export_job, followup, evidence)
    world.api_key = apikey_create(user=reporter_b, name="Khóa của Tứ Kỳ", read_only=False)[0]
    return world


@pytest.fixture
def make_world(
    private_files, province, unit_b, schedule, assignment_a, assignment_b,
    reporter_a, head_a, reporter_b, office_user, committee_user, admin_user,
):  # fmt: skip
    fixtures = {
        "province": province,
        "unit_b": unit_b,
        "schedule": schedule,
        "assignment_a": assignment_a,
        "assignment_b": assignment_b,
        "reporter_a": reporter_a,
        "head_a": head_a,
        "reporter_b": reporter_b,
        "office_user": office_user,
        "committee_user": committee_user,
        "admin_user": admin_user,
    }

    def make(state):
        return world_in_state(state, fixtures=fixtures, storage=private_files)

    return make


def dissemination_snapshot():
    from dissemination.models import CellConfirmation, DisseminationSession, ImplementingPlan, SessionAttachment

    return (
        sorted(ImplementingPlan.objects.values_list("pk", "number", "issued_on")),
        sorted(DisseminationSession.objects.values_list("pk", "held_on", "party_members_present")),
        sorted(SessionAttachment.objects.values_list("pk", "sha256")),
        sorted(CellConfirmation.objects.values_list("pk", "members_present")),
    )


def snapshot(world):
    """Everything a request could change that matters here (sessions aside)."""
    return {
        "reports": sorted(
            ProgressReport.objects.values_list(
                "pk", "state", "version", "results", "percent_complete", "submitted_at", "accepted_at"
            )
        ),
        "transitions": sorted(ReportTransition.objects.values_list("pk", flat=True)),
        "attachments": sorted(Attachment.objects.values_list("pk", "report_id", "sha256")),
        "attachment file": world.storage.exists(world.attachment.file.name),
        "indicator values": sorted(IndicatorValue.objects.values_list("pk", "value")),
        "notifications": sorted(Notification.objects.values_list("pk", "recipient_id", "read_at")),
        "report history": ProgressReport.history.count(),
        "api keys revoked": sorted(ApiKey.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)),
        **followup_snapshot(),
        "dissemination": dissemination_snapshot(),
    }


def body_of(response):
    if getattr(response, "streaming", False):
        # Reading the stream closes the file (the test client closes the response then).
        return response.getvalue()
    return response.content


def signed_in_cookies(world, role):
    """The cookies of a session signed in as the role (none for anonymous), made
    outside the walk's rolled-back requests so that it outlives them."""
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client.cookies


def request_as(world, role, method, url, data, *, cookies=None):
    """One request from a fresh client: signed in anew, or with a session's cookies
    (a request that signs out or rotates the session changes only its own copy)."""
    if cookies is None:
        cookies = signed_in_cookies(world, role)
    client = Client()
    client.cookies = copy.deepcopy(cookies)
    return client.get(url) if method == "GET" else client.post(url, data)


def problems_with(response, body, outcome, *, role, changed):
    problems = []
    if response.status_code not in outcome.statuses:
        problems.append(f"status {response.status_code}, expected {outcome}")
    if outcome.redirect_to and response.status_code == 302:
        target = resolve(urlsplit(response.url).path).url_name
        if target != outcome.redirect_to:
            problems.append(f"redirects to {response.url}, expected {outcome.redirect_to}")
    if changed and not outcome.changes:
        problems.append(f"changed the database: {changed}")
    if outcome.changes and not changed:
        problems.append("was expected to act but changed nothing")
    may_see = role in READERS and response.status_code == 200
    for secret in (RESULTS_SECRET, FILE_NAME):
        if secret.encode() in body and not may_see:
            problems.append(f"shows {secret!r}")
    if PDF in body and not may_see:
        problems.append("sends the attachment's content")
    if NOTE_SECRET.encode() in body:
        problems.append("shows reporter_b's notification")
    if outcome.shows_secret and RESULTS_SECRET.encode() not in body:
        problems.append("should show unit B's report (so that the absence checks mean something)")
    return problems


def built_url(case, world):
    """The case's URL, and whether building it wrote to the database (some cases make
    their objects the first time their URL is built)."""
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        url = case.url(world)
    return url, any(not sql.lstrip().upper().startswith("SELECT") for sql in statements)


def walk(world, role, state):
    failures = []
    cookies = signed_in_cookies(world, role)
    # Every request is rolled back and the attachment's file put back after it, so the
    # data before a request is read again only when building a URL made its objects.
    before = snapshot(world)
    for cases in WALK.values():
        for case in cases:
            url, wrote = built_url(case, world)
            if wrote:
                before = snapshot(world)
            for method, table in (("GET", case.get), ("POST", case.post)):
                outcome = table[role](state) if callable(table[role]) else table[role]
                with transaction.atomic():
                    response = request_as(world, role, method, url, case.data(world), cookies=cookies)
                    body = body_of(response)
                    after = snapshot(world)
                    transaction.set_rollback(True)  # every request starts from the same data
                if not world.storage.exists(world.attachment.file.name):
                    world.storage.save(world.attachment.file.name, SimpleUploadedFile("x.pdf", PDF))
                changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
                for problem in problems_with(response, body, outcome, role=role, changed=changed):
                    failures.append(f"{role} {method} {case.label} ({url}) [{state}]: {problem}")
    return failures


# --- the tests ------------------------------------------------------------------------------------


def test_every_url_pattern_of_the_project_is_in_the_walk():
    patterns = {name: (route, callback) for name, route, callback in project_patterns()}
    walked_elsewhere = {name for name in patterns if name.startswith(API_ROUTE_PREFIX)}
    missing = [
        f"{name} ({patterns[name][0]!r})" for name in sorted(set(patterns) - set(WALK) - NOT_WALKED - walked_elsewhere)
    ]
    assert not missing, f"URL patterns the walk does not cover (add them to WALK in {__name__}): {missing}"
    stale = sorted(set(WALK) - set(patterns))
    assert not stale, f"WALK rows for patterns that no longer exist: {stale}"


def test_each_walked_url_resolves_to_the_pattern_it_stands_for(make_world):
    world = make_world(ReportState.SUBMITTED)
    for name, cases in WALK.items():
        for case in cases:
            assert resolve(urlsplit(case.url(world)).path).url_name == name, case.label
            assert set(case.get) == set(case.post) == set(ROLES), case.label


@pytest.mark.slow
@pytest.mark.parametrize("state", list(ReportState))
@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_unit_b_beyond_what_it_may(role, state, make_world):
    world = make_world(state)
    failures = walk(world, role, state)
    assert not failures, "\n".join(failures)


def test_another_users_notification_stays_unread_and_unrevealed(make_world, client_for, reporter_a):
    world = make_world(ReportState.RETURNED)
    client = client_for(reporter_a)
    response = client.post(reverse("notification_open", args=[world.notification.pk]), follow=True)
    assert response.redirect_chain == [(reverse("notification_list"), 302)]
    assert NOTE_SECRET not in response.content.decode()
    assert Notification.objects.get(pk=world.notification.pk).read_at is None


@pytest.mark.parametrize("role", [ANONYMOUS, *STAFF_A, VIEWER_B, COMMITTEE, OFFICE])
def test_admin_sends_every_non_staff_role_to_the_admin_login(role, make_world):
    world = make_world(ReportState.SUBMITTED)
    change_page = reverse("admin:reports_progressreport_change", args=[world.report.pk])
    for url in (reverse("admin:index"), change_page):
        response = request_as(world, role, "GET", url, {})
        assert response.status_code == 302, (role, url)
        assert urlsplit(response.url).path == reverse("admin:login"), (role, url)
        assert RESULTS_SECRET not in response.content.decode()


def test_admin_is_open_to_the_administrator(make_world):
    world = make_world(ReportState.SUBMITTED)
    assert request_as(world, ADMIN, "GET", reverse("admin:index"), {}).status_code == 200


def test_a_parent_unit_head_reads_unit_b_once_the_parent_allows_it(make_world):
    """The positive twin of the walk's parent_head: the 404 comes from the setting."""
    world = make_world(ReportState.SUBMITTED)
    parent = world.users["parent_head"].memberships.get().unit
    parent.heads_read_descendants = True
    parent.save()
    response = request_as(world, "parent_head", "GET", reverse("report_detail", args=[world.report.pk]), {})
    assert response.status_code == 200
    assert RESULTS_SECRET in response.content.decode()
