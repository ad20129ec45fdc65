"""The report workflow: which action moves a report from which states to which,
who may take it, whether it needs a reason and whom it notifies.

    draft ──send_to_head──▶ pending_signoff ──submit──▶ submitted ──accept──▶ accepted
      │ ▲                        │                        │                   │
      │ └──────send_back─────────┘                      return              reopen
      └──────────────submit (head, or unit without sign-off)──▶   ▼                   ▼
                                                               returned ◀────────────┘
A returned report is edited and sent again like a draft.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import NotificationKind
from notifications.services import notification_send, notifications_mark_done, office_members, unit_members
from reports.models import ProgressReport, ReportState, ReportTransition, TransitionAction
from units.models import MembershipRole


@dataclass(frozen=True)
class Transition:
    sources: tuple
    target: str
    permission: str
    reason_required: bool = False
    needs_content: bool = False
    notify: str | None = None
    notify_roles: tuple = ()
    notify_office: bool = False
    # Notifications about the report that this step answers: marked done for everyone.
    closes: tuple = ()


HEADS = (MembershipRole.HEAD,)
STAFF = (MembershipRole.REPORTER,)
UNIT = (MembershipRole.REPORTER, MembershipRole.HEAD)
EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)
K = NotificationKind
# Sending the report on answers whatever asked the unit to write or fix it.
UNIT_ASKED = (K.REPORT_SENT_BACK, K.REPORT_RETURNED, K.REPORT_REOPENED)
OWED = (K.REMINDER_DUE_SOON, K.REMINDER_OVERDUE, K.REMINDER_ESCALATION)
OFFICE_ASKED = (K.REPORT_SUBMITTED, K.REMINDER_REVIEW_WAITING)

TRANSITIONS = {
    TransitionAction.SEND_TO_HEAD: Transition(
        EDITABLE, ReportState.PENDING_SIGNOFF, "reports.send_to_head",
        needs_content=True, notify=NotificationKind.REPORT_SENT_TO_HEAD, notify_roles=HEADS, closes=UNIT_ASKED,
    ),
    TransitionAction.SEND_BACK: Transition(
        (ReportState.PENDING_SIGNOFF,), ReportState.DRAFT, "reports.send_back_report",
        reason_required=True, notify=NotificationKind.REPORT_SENT_BACK, notify_roles=STAFF,
        closes=(K.REPORT_SENT_TO_HEAD,),
    ),
    TransitionAction.SUBMIT: Transition(
        (*EDITABLE, ReportState.PENDING_SIGNOFF), ReportState.SUBMITTED, "reports.submit_report",
        needs_content=True, notify=NotificationKind.REPORT_SUBMITTED, notify_office=True,
        closes=(K.REPORT_SENT_TO_HEAD, *UNIT_ASKED, *OWED),
    ),
    TransitionAction.RETURN: Transition(
        (ReportState.SUBMITTED,), ReportState.RETURNED, "reports.review_report",
        reason_required=True, notify=NotificationKind.REPORT_RETURNED, notify_roles=UNIT, closes=OFFICE_ASKED,
    ),
    TransitionAction.ACCEPT: Transition(
        (ReportState.SUBMITTED,), ReportState.ACCEPTED, "reports.review_report",
        notify=NotificationKind.REPORT_ACCEPTED, notify_roles=UNIT, closes=OFFICE_ASKED,
    ),
    TransitionAction.REOPEN: Transition(
        (ReportState.ACCEPTED,), ReportState.RETURNED, "reports.reopen_report",
        reason_required=True, notify=NotificationKind.REPORT_REOPENED, notify_roles=UNIT,
    ),
}  # fmt: skip


def report_check_complete(report: ProgressReport) -> None:
    """What a report needs before it leaves the unit."""
    errors = {}
    if not report.results.strip():
        errors["results"] = _("Describe the results before sending the report.")
    if report.implementation_status == "completed" and report.percent_complete != 100:
        errors["percent_complete"] = _("A completed task is 100 percent complete.")
    if errors:
        raise ValidationError(errors)


def allowed_actions(report: ProgressReport, user) -> list[str]:
    """The actions the user may take on the report now, in display order."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if report.state in transition.sources and user.has_perm(transition.permission, report)
    ]


def report_transition(*, report: ProgressReport, action: str, by, reason: str = "") -> ProgressReport:
    """Moves the report along the workflow, records the step and notifies.

    The row is locked and its state checked again inside the transaction, so
    two reviewers clicking at once cannot both act on it."""
    transition = TRANSITIONS[action]
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason: the unit will read it.")})
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().select_related("assignment__unit").get(pk=report.pk)
        if locked.state not in transition.sources:
            raise ValidationError(
                _("This report is now “%(state)s”; the action no longer applies.")
                % {"state": locked.get_state_display()}
            )
        if not by.has_perm(transition.permission, locked):
            raise PermissionDenied
        if transition.needs_content:
            report_check_complete(locked)
        from_state, now = locked.state, timezone.now()
        locked.state, locked.state_changed_at = transition.target, now
        if action == TransitionAction.SUBMIT and locked.submitted_at is None:
            # The first submission is the one that counts for "on time".
            locked.submitted_at, locked.submitted_by = now, by
        if action == TransitionAction.ACCEPT:
            locked.accepted_at = now
        if action == TransitionAction.REOPEN:
            locked.accepted_at = None
        locked.version += 1
        locked._change_reason = reason
        locked._history_user = by
        locked.save()
        ReportTransition.objects.create(report=locked, action=action, from_state=from_state, to_state=locked.state,
                                        by=by, reason=reason)  # fmt: skip
        if transition.closes:
            notifications_mark_done(report=locked, kinds=transition.closes)
        if transition.notify:
            recipients = list(unit_members(locked.assignment.unit_id, transition.notify_roles))
            if transition.notify_office:
                recipients += office_members()
            notification_send(
                recipients=recipients,
                kind=transition.notify,
                report=locked,
                actor=by,
                reason=reason,
            )
    return locked
