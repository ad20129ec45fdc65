"""Recording follow-up items and answering them. The workflow steps are in
followups/workflow.py; the status and overdue rules in followups/models.py."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import (
    AddresseeRole,
    FollowUpAddressee,
    FollowUpAttachment,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStep,
    SourceDocument,
    SourceKind,
    StepAction,
)
from followups.rules import can_answer, can_resupervise
from notifications.models import NotificationKind
from notifications.services import notifications_send_many, unit_members
from reports.attachments import CONTENT_TYPES, attachment_check, clean_file_name, upload_checked
from units.models import MembershipRole, Unit, UnitKind

UNIT_ROLES = (MembershipRole.REPORTER, MembershipRole.HEAD)


def item_due_on(deadline: datetime.date, calendar=None) -> datetime.date:
    """The day an item is due: its deadline, or the next working day when the
    deadline falls on a weekend or public holiday (as a report's due date
    moves). Overdue starts the day after; a report sent on it is on time."""
    if calendar is None:
        from reminders.calendar import WorkingCalendar

        calendar = WorkingCalendar()
    return calendar.next_working_day(deadline)


def document_record(
    *, kind: str, issued_on: datetime.date, issuing_unit: Unit, by, number: str = "", title: str = "", upload=None
) -> SourceDocument:
    """Records a source document; its file (optional) is checked like a report's attachment."""
    document = SourceDocument(
        kind=kind, number=number, issued_on=issued_on, issuing_unit=issuing_unit, title=title, created_by=by
    )
    if upload is not None:
        extension = attachment_check(upload)
        document.original_name = clean_file_name(upload.name)
        document.file.save(f"document.{extension}", upload, save=False)
    document._history_user = by
    document.save()
    return document


def item_record(
    *,
    document: SourceDocument,
    text: str,
    lead: Unit,
    deadline: datetime.date,
    verifying_unit: Unit,
    by,
    coordinating=(),
    number: str = "",
    task=None,
    about_report=None,
    previous: FollowUpItem | None = None,
    notify: bool = True,
) -> FollowUpItem:
    """Records one item addressed to ``lead`` (and the ``coordinating`` units),
    with its due date computed from the deadline, a "recorded" step on its
    timeline, and an in-app notification (and e-mail) to the addressed units'
    reporters and heads. ``previous`` makes it a re-supervision round of that item."""
    coordinating = [unit for unit in coordinating if unit.pk != lead.pk]
    with transaction.atomic():
        item = FollowUpItem(
            document=document,
            number=number,
            text=text,
            task=task,
            about_report=about_report,
            verifying_unit=verifying_unit,
            deadline=deadline,
            due_on=item_due_on(deadline),
            created_by=by,
            previous=previous,
            round=previous.round + 1 if previous else 1,
        )
        item._history_user = by
        item.save()
        FollowUpAddressee.objects.bulk_create(
            [FollowUpAddressee(item=item, unit=lead, role=AddresseeRole.LEAD)]
            + [FollowUpAddressee(item=item, unit=unit, role=AddresseeRole.COORDINATING) for unit in coordinating]
        )
        FollowUpStep.objects.create(
            item=item, action=StepAction.RECORD, from_status="", to_status=item.status, by=by, text=text
        )
        if notify:
            kind = (
                NotificationKind.FOLLOWUP_DIRECTION
                if document.kind == SourceKind.DIRECTION
                else NotificationKind.FOLLOWUP_ADDRESSED
            )
            link = reverse("followup_detail", args=[item.pk])
            notifications_send_many(
                [
                    {"recipients": list(unit_members(unit.pk, UNIT_ROLES)), "kind": kind, "actor": by, "link": link,
                     "reason": text}
                    for unit in [lead, *coordinating]
                ]
            )  # fmt: skip
    return item


def province_committee() -> Unit | None:
    """The province's Party committee (the root of the tree): the issuing body of directions."""
    return (
        Unit.objects.without_tree_fields()
        .filter(parent__isnull=True, kind=UnitKind.PARTY_COMMITTEE)
        .order_by("pk")
        .first()
    )


def default_verifier() -> Unit | None:
    """The body that verifies directions when none is chosen: the provincial
    office (the advisory body directly under the province's committee whose
    name starts with "Văn phòng"), else the province's committee."""
    root = province_committee()
    if root is None:
        return None
    office = (
        Unit.objects.without_tree_fields()
        .filter(parent=root, kind=UnitKind.ADVISORY_BODY, name__startswith="Văn phòng")
        .order_by("pk")
        .first()
    )
    return office or root


def direction_record(
    *,
    unit: Unit,
    text: str,
    deadline: datetime.date,
    by,
    task=None,
    about_report=None,
    verifying_unit: Unit | None = None,
    number: str = "",
) -> FollowUpItem:
    """A direction of the Standing Committee (ý kiến chỉ đạo) recorded where
    the Committee reads (the dashboard, a task, a report): one source document
    of kind "direction" issued today by the province's committee, one item
    addressed to ``unit`` as lead, verified by ``verifying_unit`` (default: the
    provincial office). The unit is notified and sees it on "Việc của tôi"."""
    if not by.has_perm("followups.record_direction"):
        raise PermissionDenied
    issuer = province_committee() or unit
    with transaction.atomic():
        document = document_record(
            kind=SourceKind.DIRECTION, issued_on=timezone.localdate(), issuing_unit=issuer, by=by, number=number,
            title=_("Direction on %(unit)s") % {"unit": unit.display_name},
        )  # fmt: skip
        return item_record(
            document=document,
            text=text,
            lead=unit,
            deadline=deadline,
            verifying_unit=verifying_unit or default_verifier() or issuer,
            by=by,
            task=task,
            about_report=about_report,
        )


class ResponseConflict(Exception):
    """Someone saved the item after the editor loaded it: ``current`` is the
    item as it is now, ``by`` and ``at`` who saved it last and when."""

    def __init__(self, current, by, at):
        super().__init__("stale version")
        self.current, self.by, self.at = current, by, at


def item_save_response(
    *, item: FollowUpItem, by, response: str, expected_version: int, uploads=(), progress_note: str = ""
) -> FollowUpItem:
    """Saves the addressed unit's progress and result text and its evidence
    files if nobody saved the item since ``expected_version`` (otherwise
    ResponseConflict, nothing changed), like a progress report's save. A
    first save moves "not started" and "returned" to "in progress"; every save
    is a "progress reported" step on the timeline, the files tied to it.
    Every file is checked before anything is stored (ValidationError)."""
    for upload in uploads:
        attachment_check(upload)
    with transaction.atomic():
        locked = FollowUpItem.objects.select_for_update().get(pk=item.pk)
        if locked.version != expected_version and by.has_perm("followups.read_item", locked):
            last = locked.steps.select_related("by").order_by("-at", "-pk").first()
            raise ResponseConflict(locked, last.by if last else None, last.at if last else locked.updated_at)
        if locked.version != expected_version or not can_answer(by, locked):
            raise PermissionDenied
        from_status = locked.status
        if locked.status in (FollowUpStatus.NOT_STARTED, FollowUpStatus.RETURNED):
            locked.status = FollowUpStatus.IN_PROGRESS
            locked.status_changed_at = timezone.now()
        locked.response = response
        locked.version += 1
        locked._history_user = by
        locked.save()
        roles = dict(locked.addressees.values_list("unit_id", "role"))
        from units.roles import unit_roles

        own = [unit_id for unit_id in roles if unit_id in unit_roles(by)]
        step = FollowUpStep.objects.create(
            item=locked, action=StepAction.PROGRESS, from_status=from_status, to_status=locked.status, by=by,
            text=progress_note or response, unit_id=own[0] if own else None,
        )  # fmt: skip
        for upload in uploads:
            evidence_add(item=locked, upload=upload, by=by, step=step)
    return locked


def evidence_add(*, item: FollowUpItem, upload, by, step: FollowUpStep | None = None) -> FollowUpAttachment:
    """Checks and stores one evidence file (reports/attachments.py's checks:
    content, size, type); a file already on the item is refused."""
    extension, name, sha256 = upload_checked(
        upload, item.attachments, _("“%(name)s” is already attached to this item as “%(existing)s”.")
    )
    evidence = FollowUpAttachment(
        item=item, step=step, original_name=name, content_type=CONTENT_TYPES[extension], size=upload.size,
        sha256=sha256, uploaded_by=by,
    )  # fmt: skip
    evidence.file.save(f"evidence.{extension}", upload, save=False)
    evidence._history_user = by
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        evidence.file.delete(save=False)
        raise ValidationError(_("“%(name)s” is already attached to this item.") % {"name": name}) from None
    return evidence


def item_resupervise(*, item: FollowUpItem, by, deadline: datetime.date, text: str = "") -> FollowUpItem:
    """Re-supervision (tái giám sát) of a closed item: opens the next round, a
    new item from the same source, addressed to the same units and verified by
    the same body, with a new deadline (and the text, unless a new one is
    given), linked to this one through ``previous``. This item keeps its
    verdict; its timeline records that the round was opened."""
    with transaction.atomic():
        locked = FollowUpItem.objects.select_for_update().select_related("document").get(pk=item.pk)
        if not can_resupervise(by, locked):
            raise PermissionDenied
        if locked.next_rounds.exists():
            raise ValidationError(_("A re-supervision round of this item is already open."))
        addressees = list(locked.addressees.select_related("unit"))
        lead = next(a.unit for a in addressees if a.role == AddresseeRole.LEAD)
        coordinating = [a.unit for a in addressees if a.role == AddresseeRole.COORDINATING]
        new = item_record(
            document=locked.document, text=text.strip() or locked.text, lead=lead, coordinating=coordinating,
            deadline=deadline, verifying_unit=locked.verifying_unit, by=by, number=locked.number, task=locked.task,
            previous=locked,
        )  # fmt: skip
        FollowUpStep.objects.create(
            item=locked, action=StepAction.RESUPERVISE, from_status=locked.status, to_status=locked.status, by=by,
            text=_("Round %(round)s opened, due %(deadline)s.")
            % {"round": new.round, "deadline": deadline.strftime("%d/%m/%Y")},
        )  # fmt: skip
    return new
