"""Every transition of a follow-up item and who may take it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from followups.models import Claim, FollowUpItem, FollowUpStatus, StepAction
from followups.services import ResponseConflict, item_resupervise, item_save_response
from followups.workflow import allowed_actions, item_transition
from notifications.models import Notification, NotificationKind

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
S = FollowUpStatus


def answer(item, user, text="Đã ban hành quy chế mới.", uploads=()):
    return item_save_response(item=item, by=user, response=text, expected_version=item.version, uploads=uploads)


def test_recording_notifies_every_addressed_unit_and_starts_the_timeline(reporter_b, reporter_a, head_b, request):
    item = request.getfixturevalue("item")  # after the users, so that they are told
    told = set(Notification.objects.values_list("kind", "recipient__username"))
    assert told == {
        (NotificationKind.FOLLOWUP_ADDRESSED, "reporter-b"),
        (NotificationKind.FOLLOWUP_ADDRESSED, "head-b"),
        (NotificationKind.FOLLOWUP_ADDRESSED, "reporter-a"),
    }
    link = Notification.objects.filter(recipient=reporter_b).get().get_absolute_url()
    assert link == f"/follow-ups/{item.pk}/"
    assert list(item.steps.values_list("action", flat=True)) == [StepAction.RECORD]
    assert item.status == S.NOT_STARTED


def test_the_full_path_with_sign_off(item, reporter_b, head_b, board_staff):
    pdf = SimpleUploadedFile("Quyết định ban hành.pdf", PDF, content_type="application/pdf")
    item = answer(item, reporter_b, uploads=[pdf])
    assert item.status == S.IN_PROGRESS and item.version == 2
    assert item.attachments.get().original_name == "Quyết định ban hành.pdf"
    assert allowed_actions(item, reporter_b) == [StepAction.SEND_TO_HEAD]
    item = item_transition(item=item, action=StepAction.SEND_TO_HEAD, by=reporter_b, claim=Claim.DONE)
    assert item.status == S.PENDING_SIGNOFF
    assert Notification.objects.filter(recipient=head_b, kind=NotificationKind.FOLLOWUP_SENT_TO_HEAD).exists()
    assert allowed_actions(item, reporter_b) == []
    assert allowed_actions(item, head_b) == [StepAction.SEND_BACK, StepAction.REPORT]
    item = item_transition(item=item, action=StepAction.REPORT, by=head_b)
    assert item.status == S.REPORTED and item.claim == Claim.DONE
    assert Notification.objects.filter(recipient=board_staff, kind=NotificationKind.FOLLOWUP_REPORTED).exists()
    assert allowed_actions(item, head_b) == []
    assert allowed_actions(item, board_staff) == [StepAction.ACCEPT, StepAction.RETURN]
    item = item_transition(item=item, action=StepAction.ACCEPT, by=board_staff)
    assert item.status == S.SETTLED and item.completed_on is not None and item.closed_at is not None
    assert Notification.objects.filter(recipient=reporter_b, kind=NotificationKind.FOLLOWUP_ACCEPTED).exists()
    assert list(item.steps.values_list("action", flat=True)) == [
        StepAction.RECORD, StepAction.PROGRESS, StepAction.SEND_TO_HEAD, StepAction.REPORT, StepAction.ACCEPT,
    ]  # fmt: skip
    # The audit history has a row for every save, each naming who made it.
    users = list(item.history.order_by("history_date").values_list("history_user__username", flat=True))
    assert users == ["office", "reporter-b", "reporter-b", "head-b", "board-staff"]


def test_send_back_needs_a_reason_and_returns_to_staff(item, reporter_b, head_b):
    item = answer(item, reporter_b)
    item = item_transition(item=item, action=StepAction.SEND_TO_HEAD, by=reporter_b, claim=Claim.DONE)
    with pytest.raises(ValidationError):
        item_transition(item=item, action=StepAction.SEND_BACK, by=head_b)
    item = item_transition(item=item, action=StepAction.SEND_BACK, by=head_b, reason="Bổ sung số liệu.")
    assert item.status == S.IN_PROGRESS and item.reason == "Bổ sung số liệu."
    assert Notification.objects.filter(recipient=reporter_b, kind=NotificationKind.FOLLOWUP_SENT_BACK).exists()


def test_return_by_the_verifier_and_answering_again(item, reporter_b, head_b, board_staff):
    item = answer(item, head_b)
    item = item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)
    with pytest.raises(ValidationError):
        item_transition(item=item, action=StepAction.RETURN, by=board_staff)
    item = item_transition(item=item, action=StepAction.RETURN, by=board_staff, reason="Chưa có văn bản kèm theo.")
    assert item.status == S.RETURNED
    assert Notification.objects.filter(recipient=head_b, kind=NotificationKind.FOLLOWUP_RETURNED).exists()
    item = answer(item, reporter_b, "Đã bổ sung văn bản.")
    assert item.status == S.IN_PROGRESS


def test_cannot_be_carried_out_needs_a_reason_the_verifier_accepts(item, head_b, board_staff):
    item = answer(item, head_b, "Vượt thẩm quyền cấp huyện.")
    with pytest.raises(ValidationError):
        item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.NOT_FEASIBLE)
    item = item_transition(
        item=item, action=StepAction.REPORT, by=head_b, claim=Claim.NOT_FEASIBLE, reason="Thuộc thẩm quyền Trung ương."
    )
    assert item.status == S.REPORTED and item.claim == Claim.NOT_FEASIBLE
    item = item_transition(item=item, action=StepAction.ACCEPT, by=board_staff)
    assert item.status == S.NOT_FEASIBLE and item.reason == "Thuộc thẩm quyền Trung ương."


def test_a_unit_without_sign_off_reports_straight_from_its_reporter(item, unit_b, reporter_b):
    unit_b.requires_signoff = False
    unit_b.save()
    item = answer(item, reporter_b)
    assert allowed_actions(item, reporter_b) == [StepAction.REPORT]
    item = item_transition(item=item, action=StepAction.REPORT, by=reporter_b, claim=Claim.DONE)
    assert item.status == S.REPORTED


def test_nothing_to_send_without_an_answer(item, head_b):
    with pytest.raises(ValidationError):
        item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)


@pytest.mark.parametrize("who", ["outsider", "office_user", "committee_user", "board_staff"])
def test_who_may_not_answer_or_report(who, item, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        answer(item, user)
    with pytest.raises(PermissionDenied):
        item_transition(item=item, action=StepAction.REPORT, by=user, claim=Claim.DONE)


def test_co_ordinating_staff_add_progress_but_only_the_lead_reports(item, reporter_a):
    item = answer(item, reporter_a, "Huyện A đã phối hợp rà soát.")
    assert item.status == S.IN_PROGRESS
    assert allowed_actions(item, reporter_a) == []


@pytest.mark.parametrize("who", ["head_b", "reporter_b", "office_user", "committee_user", "head_a"])
def test_only_the_verifying_body_accepts_or_returns(who, item, head_b, request):
    item = answer(item, head_b)
    item = item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)
    user = request.getfixturevalue(who)
    for action in (StepAction.ACCEPT, StepAction.RETURN):
        with pytest.raises(PermissionDenied):
            item_transition(item=item, action=action, by=user, reason="x")
    assert FollowUpItem.objects.get(pk=item.pk).status == S.REPORTED


def test_a_step_that_no_longer_applies_is_refused(item, head_b, board_staff):
    item = answer(item, head_b)
    reported = item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)
    item_transition(item=reported, action=StepAction.ACCEPT, by=board_staff)
    with pytest.raises(ValidationError):
        item_transition(item=reported, action=StepAction.RETURN, by=board_staff, reason="Muộn.")


def test_a_stale_form_is_refused_with_who_saved(item, reporter_b, head_b):
    version = item.version
    answer(item, head_b, "Bản của trưởng đơn vị.")
    with pytest.raises(ResponseConflict) as conflict:
        item_save_response(item=item, by=reporter_b, response="Bản cũ.", expected_version=version)
    assert conflict.value.by == head_b
    assert FollowUpItem.objects.get(pk=item.pk).response == "Bản của trưởng đơn vị."


def test_an_evidence_file_is_checked_like_a_report_attachment(item, reporter_b):
    fake = SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError):
        answer(item, reporter_b, uploads=[fake])
    assert FollowUpItem.objects.get(pk=item.pk).version == item.version


def test_re_supervision_opens_a_linked_round(item, head_b, board_staff, reporter_b, unit_a):
    item = answer(item, head_b)
    item = item_transition(item=item, action=StepAction.REPORT, by=head_b, claim=Claim.DONE)
    with pytest.raises(PermissionDenied):  # not closed yet
        item_resupervise(item=item, by=board_staff, deadline=datetime.date(2026, 12, 31))
    item = item_transition(item=item, action=StepAction.ACCEPT, by=board_staff)
    with pytest.raises(PermissionDenied):
        item_resupervise(item=item, by=reporter_b, deadline=datetime.date(2026, 12, 31))
    new = item_resupervise(item=item, by=board_staff, deadline=datetime.date(2026, 12, 31))
    assert new.previous == item and new.round == 2 and new.status == S.NOT_STARTED
    assert new.text == item.text and new.document == item.document and new.verifying_unit == item.verifying_unit
    assert set(new.addressees.values_list("unit_id", "role")) == set(item.addressees.values_list("unit_id", "role"))
    assert FollowUpItem.objects.get(pk=item.pk).status == S.SETTLED
    assert item.steps.last().action == StepAction.RESUPERVISE
    with pytest.raises(ValidationError):
        item_resupervise(item=item, by=board_staff, deadline=datetime.date(2027, 1, 31))


def test_an_outsider_reads_nothing(item, outsider, head_b):
    assert not outsider.has_perm("followups.read_item", item)
    assert head_b.has_perm("followups.read_item", item)


def test_the_new_items_email_gives_its_text_as_content_not_as_a_reason(reporter_b, item):
    from django.core import mail

    from notifications.emails import notification_emails_send

    addressed = Notification.objects.filter(recipient=reporter_b, kind=NotificationKind.FOLLOWUP_ADDRESSED)
    assert notification_emails_send(notification_ids=list(addressed.values_list("pk", flat=True)))["sent"] == 1
    body = mail.outbox[0].body
    assert "Nội dung: Rà soát, hoàn thiện quy chế tiếp xúc cử tri." in body
    assert "Lý do" not in body
