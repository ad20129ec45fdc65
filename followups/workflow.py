"""The follow-up workflow: which action moves an item from which statuses to
which, who may take it (a rule in followups/rules.py), whether it needs a
reason, and whom it notifies.

    not_started / in_progress / returned ──send_to_head──▶ pending_signoff ──report──▶ reported
          │                  ▲                              │                           │
          │                  └──────────send_back───────────┘                 accept ──┼──▶ settled ("done")
          └──────────report (head, or a unit without sign-off)──────────▶              ├──▶ not_feasible
                                                                            return ──┴──▶ returned

Saving progress (services.item_save_response) moves not_started and returned to in_progress.
A closed item (settled, not feasible) can open a re-supervision round (services.item_resupervise).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import (
    ANSWERABLE_STATUSES,
    Claim,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStep,
    StepAction,
)
from followups.rules import lead_unit_id
from notifications.models import NotificationKind
from notifications.services import notification_send, unit_members
from units.models import MembershipRole

S = FollowUpStatus
WRITING = (S.NOT_STARTED, S.IN_PROGRESS, S.RETURNED)
UNIT = (MembershipRole.REPORTER, MembershipRole.HEAD)


@dataclass(frozen=True)
class Transition:
    sources: tuple
    permission: str
    reason_required: bool = False
    # Whom to tell: the lead unit's members of these roles, or the verifying body's staff.
    notify: str | None = None
    notify_lead_roles: tuple = ()
    notify_verifier: bool = False


TRANSITIONS = {
    StepAction.SEND_TO_HEAD: Transition(
        WRITING, "followups.send_to_head",
        notify=NotificationKind.FOLLOWUP_SENT_TO_HEAD, notify_lead_roles=(MembershipRole.HEAD,),
    ),
    StepAction.SEND_BACK: Transition(
        (S.PENDING_SIGNOFF,), "followups.send_back", reason_required=True,
        notify=NotificationKind.FOLLOWUP_SENT_BACK, notify_lead_roles=(MembershipRole.REPORTER,),
    ),
    StepAction.REPORT: Transition(
        ANSWERABLE_STATUSES, "followups.report_item",
        notify=NotificationKind.FOLLOWUP_REPORTED, notify_verifier=True,
    ),
    StepAction.ACCEPT: Transition(
        (S.REPORTED,), "followups.verify_item", notify=NotificationKind.FOLLOWUP_ACCEPTED, notify_lead_roles=UNIT,
    ),
    StepAction.RETURN: Transition(
        (S.REPORTED,), "followups.verify_item", reason_required=True,
        notify=NotificationKind.FOLLOWUP_RETURNED, notify_lead_roles=UNIT,
    ),
}  # fmt: skip


def _target(item, action, claim):
    if action == StepAction.SEND_TO_HEAD:
        return S.PENDING_SIGNOFF
    if action == StepAction.SEND_BACK:
        return S.IN_PROGRESS
    if action == StepAction.REPORT:
        return S.REPORTED
    if action == StepAction.ACCEPT:
        return S.NOT_FEASIBLE if item.claim == Claim.NOT_FEASIBLE else S.SETTLED
    return S.RETURNED


def allowed_actions(item: FollowUpItem, user) -> list[str]:
    """The workflow actions ``user`` may take on the item now, in display order."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if item.status in transition.sources and user.has_perm(transition.permission, item)
    ]


def item_transition(*, item: FollowUpItem, action: str, by, reason: str = "", claim: str = "") -> FollowUpItem:
    """Moves the item along the workflow, records the step and notifies.

    Sending to the head and reporting take a ``claim``: "done", or "not
    feasible" with the reason it cannot be carried out (required). Returning
    and sending back need a reason. Accepting closes the item as settled or
    not feasible according to the claim, and sets ``completed_on`` to the day
    the accepted report was sent (what "on time" is judged by). The row is
    locked and its status checked again inside the transaction."""
    transition = TRANSITIONS[action]
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason: the unit will read it.")})
    with transaction.atomic():
        locked = FollowUpItem.objects.select_for_update().select_related("document").get(pk=item.pk)
        if locked.status not in transition.sources:
            raise ValidationError(
                _("This item is now “%(status)s”; the action no longer applies.")
                % {"status": locked.get_status_display()}
            )
        if not by.has_perm(transition.permission, locked):
            raise PermissionDenied
        if action in (StepAction.SEND_TO_HEAD, StepAction.REPORT):
            if action == StepAction.REPORT and locked.status == S.PENDING_SIGNOFF and not claim:
                claim = locked.claim  # the head signs off what the staff sent
                reason = reason or (locked.reason if claim == Claim.NOT_FEASIBLE else "")
            if claim not in Claim.values:
                raise ValidationError({"claim": _("Say whether the item was carried out or cannot be.")})
            if claim == Claim.NOT_FEASIBLE and not reason:
                raise ValidationError(
                    {"reason": _("Say why it cannot be carried out: the verifying body decides on it.")}
                )
            if not locked.response.strip():
                raise ValidationError({"response": _("Describe the progress and result before sending it on.")})
            locked.claim = claim
        now = timezone.now()
        from_status = locked.status
        locked.status = _target(locked, action, claim)
        locked.status_changed_at = now
        if action == StepAction.REPORT:
            locked.reported_at = now
        if action == StepAction.ACCEPT:
            locked.closed_at = now
            locked.completed_on = timezone.localdate(locked.reported_at or now)
        if reason:
            locked.reason = reason
        locked.version += 1
        locked._change_reason = reason
        locked._history_user = by
        locked.save()
        step = FollowUpStep.objects.create(
            item=locked, action=action, from_status=from_status, to_status=locked.status, by=by, at=now, text=reason,
            unit_id=lead_unit_id(locked) if action in (StepAction.SEND_TO_HEAD, StepAction.REPORT) else None,
        )  # fmt: skip
        _notify(locked, transition, by, reason)
    locked.last_step = step
    return locked


def _notify(item, transition, by, reason):
    if not transition.notify:
        return
    recipients = []
    if transition.notify_lead_roles and lead_unit_id(item) is not None:
        recipients += list(unit_members(lead_unit_id(item), transition.notify_lead_roles))
    if transition.notify_verifier:
        recipients += list(unit_members(item.verifying_unit_id, UNIT))
    notification_send(
        recipients=recipients,
        kind=transition.notify,
        actor=by,
        reason=reason,
        link=reverse("followup_detail", args=[item.pk]),
    )
