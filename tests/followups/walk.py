"""Unit B's follow-up item for tests/test_url_walk.py, in the status that
matches the walk's report state, and what a request could change of it."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from followups.models import (
    Claim,
    FollowUpAttachment,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStep,
    SourceDocument,
    SourceKind,
)
from followups.services import document_record, evidence_add, item_record
from reports.models import ReportState
from tests.factories import UnitFactory

# The walk's report states, each standing for a status of the item.
STATUS_FOR = {
    ReportState.DRAFT: FollowUpStatus.IN_PROGRESS,
    ReportState.PENDING_SIGNOFF: FollowUpStatus.PENDING_SIGNOFF,
    ReportState.SUBMITTED: FollowUpStatus.REPORTED,
    ReportState.RETURNED: FollowUpStatus.RETURNED,
    ReportState.ACCEPTED: FollowUpStatus.SETTLED,
}


def followup_for_walk(state, *, unit_b, province, by, response, file_name, pdf, storage):
    """An item addressed to unit B alone, issued and verified by a board nobody
    in the walk belongs to, with ``response`` as its answer and an evidence
    file (and source document file) named ``file_name``."""
    for model in (SourceDocument, FollowUpAttachment):
        model._meta.get_field("file").storage = storage
    board = UnitFactory(code="ban-walk", name="Ban giám sát (thử)", kind="council_board", level=1, parent=province)
    document = document_record(
        kind=SourceKind.SUPERVISION, issued_on=datetime.date(2026, 3, 2), issuing_unit=board, by=by,
        number="45/BC-HĐND",
    )  # fmt: skip
    document.original_name = file_name
    document.file.save("document.pdf", ContentFile(pdf), save=True)
    item = item_record(
        document=document, text="Kiến nghị giám sát gửi đơn vị B.", lead=unit_b, deadline=datetime.date(2027, 6, 30),
        verifying_unit=board, by=by, notify=False,
    )  # fmt: skip
    evidence = evidence_add(item=item, upload=SimpleUploadedFile(file_name, pdf, content_type="application/pdf"), by=by)
    FollowUpItem.objects.filter(pk=item.pk).update(status=STATUS_FOR[state], response=response, claim=Claim.DONE)
    item.refresh_from_db()
    return item, evidence


def followup_snapshot():
    return {
        "follow-up items": sorted(FollowUpItem.objects.values_list("pk", "status", "version", "response")),
        "follow-up steps": FollowUpStep.objects.count(),
        "follow-up files": sorted(FollowUpAttachment.objects.values_list("pk", "sha256")),
        "follow-up documents": SourceDocument.objects.count(),
    }
