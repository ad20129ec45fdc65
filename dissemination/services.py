"""Recording plans, sessions and cell confirmations. Views stay thin: the
checks on files and the rules on confirming twice live here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.models import (
    CellConfirmation,
    CellSize,
    DisseminationSetting,
    ImplementingPlan,
    SessionAttachment,
)
from dissemination.rules import confirms_on_behalf
from reports.attachments import CONTENT_TYPES, attachment_check, clean_file_name, file_sha256, upload_checked

PLAN_FIELDS = ("kind", "number", "issued_on", "signer")
SESSION_FIELDS = (
    "held_on",
    "level",
    "form",
    "committee_members_present",
    "party_members_present",
    "party_members_expected",
    "others_present",
    "note",
)
CONFIRMATION_FIELDS = ("met_on", "members_present", "members_total", "note")


def setting_for(directive):
    """The directive's deadlines; the defaults (unsaved) when none were set."""
    try:
        return directive.dissemination_setting
    except DisseminationSetting.DoesNotExist:
        return DisseminationSetting(directive=directive)


@transaction.atomic
def setting_save(*, setting):
    """Saves the deadlines and moves the due dates already copied into the
    directive's plans and confirmations."""
    setting.save()
    ImplementingPlan.objects.filter(directive=setting.directive).update(due_on=setting.plan_due_on())
    CellConfirmation.objects.filter(directive=setting.directive).update(due_on=setting.cell_due_on())
    return setting


def plan_for(directive, unit):
    """The committee's implementing plan for the directive, or a new unsaved
    one (a committee has one plan per directive)."""
    return ImplementingPlan.objects.filter(directive=directive, unit=unit).first() or ImplementingPlan(
        directive=directive, unit=unit
    )


def _store_file(field_file, upload, extension):
    field_file.save(f"upload.{extension}", upload, save=False)


@transaction.atomic
def plan_save(*, plan, data, upload=None, by):
    """Creates or changes the committee's implementing plan; ``upload`` (the
    document) replaces the stored file. ValidationError says what is wrong
    with the file."""
    if not by.has_perm("dissemination.record_for_unit", plan.unit):
        raise PermissionDenied
    for name in PLAN_FIELDS:
        setattr(plan, name, data[name])
    plan.due_on = setting_for(plan.directive).plan_due_on()
    if plan.pk is None:
        plan.recorded_by = by
    old_file = plan.file.name if plan.file else None
    if upload is not None:
        extension = attachment_check(upload)
        plan.original_name = clean_file_name(upload.name)
        plan.content_type = CONTENT_TYPES[extension]
        plan.size = upload.size
        plan.sha256 = file_sha256(upload)
        _store_file(plan.file, upload, extension)
    plan._history_user = by
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # Another first save of the same committee's plan won: drop our copy of the file.
        if upload is not None:
            plan.file.storage.delete(plan.file.name)
        raise
    if upload is not None and old_file:
        plan.file.storage.delete(old_file)
    return plan


@transaction.atomic
def session_save(*, session, data, by):
    if not by.has_perm("dissemination.record_for_unit", session.unit):
        raise PermissionDenied
    for name in SESSION_FIELDS:
        setattr(session, name, data[name])
    if session.pk is None:
        session.recorded_by = by
    session._history_user = by
    session.full_clean(exclude=["directive", "unit", "recorded_by"])
    session.save()
    return session


def session_attachment_add(*, session, upload, by):
    """Checks and stores one file (minutes or a photo) on the session, as a
    report attachment is checked."""
    if not by.has_perm("dissemination.record_for_unit", session.unit):
        raise PermissionDenied
    extension, name, sha256 = upload_checked(
        upload, session.attachments, _("“%(name)s” is already attached to this session as “%(existing)s”.")
    )
    attachment = SessionAttachment(
        session=session,
        original_name=name,
        content_type=CONTENT_TYPES[extension],
        size=upload.size,
        sha256=sha256,
        uploaded_by=by,
    )
    _store_file(attachment.file, upload, extension)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        attachment.file.delete(save=False)
        raise ValidationError(_("“%(name)s” is already attached to this session.") % {"name": name}) from None
    return attachment


def session_attachment_delete(*, attachment, by):
    if not by.has_perm("dissemination.record_for_unit", attachment.session.unit):
        raise PermissionDenied
    attachment.file.delete(save=False)
    attachment.delete()


def cell_confirm(*, directive, cell, data, by, now=None):
    """Records that the cell disseminated the directive. A cell has one
    confirmation per directive: confirming again updates it (the history
    keeps the earlier version) and keeps the first confirmation's date, so a
    cell counts once and an on-time cell stays on time. Made by anyone but the
    cell's own secretaries, it is recorded as made on the cell's behalf.
    Returns (confirmation, created)."""
    if not by.has_perm("dissemination.confirm_cell", cell):
        raise PermissionDenied
    now = now or timezone.now()
    values = {name: data[name] for name in CONFIRMATION_FIELDS}
    values.update(confirmed_by=by, on_behalf=confirms_on_behalf(by, cell))
    due_on = setting_for(directive).cell_due_on()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                confirmation = (
                    CellConfirmation.objects.select_for_update().filter(directive=directive, cell=cell).first()
                )
                created = confirmation is None
                if created:
                    confirmation = CellConfirmation(
                        directive=directive,
                        cell=cell,
                        confirmed_at=now,
                        confirmed_on=timezone.localdate(now),
                    )
                for name, value in values.items():
                    setattr(confirmation, name, value)
                confirmation.due_on = due_on
                confirmation._history_user = by
                confirmation.full_clean(exclude=["directive", "cell", "confirmed_by"], validate_unique=False)
                confirmation.save()
                CellSize.objects.update_or_create(cell=cell, defaults={"party_members": values["members_total"]})
                return confirmation, created
        except IntegrityError:
            # Someone confirmed the same cell at the same moment: update theirs.
            continue
    raise IntegrityError("cell confirmation could not be saved")
