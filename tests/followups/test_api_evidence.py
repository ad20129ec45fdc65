"""A follow-up item's response through the API with its evidence files (#16 on
#15): checked as report attachments are, tied to the progress step, and a
refused file refuses the whole response."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.keys import apikey_create
from followups.models import FollowUpItem
from tests.api.conftest import KeyClient
from tests.dissemination.test_pages import PDF

pytestmark = pytest.mark.django_db


def test_a_response_carries_its_evidence_files_onto_the_timeline(item, head_b):
    client = KeyClient(apikey_create(user=head_b, name="test", read_only=False)[1])
    url = reverse("api-followup-response", args=[item.pk])
    evidence = SimpleUploadedFile("Quy chế.pdf", PDF, content_type="application/pdf")
    answer = client.post(url, {"expected_version": item.version, "response": "Đã ban hành quy chế.",
                               "evidence": [evidence]})  # fmt: skip
    assert answer.status_code == 200, answer.content
    saved = FollowUpItem.objects.get(pk=item.pk)
    step = saved.steps.order_by("-at", "-pk").first()
    assert saved.response == "Đã ban hành quy chế."
    assert list(step.attachments.values_list("original_name", flat=True)) == ["Quy chế.pdf"]

    fake = SimpleUploadedFile("anh.pdf", b"not a pdf", content_type="application/pdf")
    refused = client.post(url, {"expected_version": saved.version, "response": "Bản mới.", "evidence": [fake]})
    assert refused.status_code == 400 and "evidence" in refused.json()["fields"], refused.content
    assert FollowUpItem.objects.get(pk=item.pk).version == saved.version  # nothing changed

    as_json = client.post_json(url, {"expected_version": saved.version, "response": "Không kèm tệp."})
    assert as_json.status_code == 200 and FollowUpItem.objects.get(pk=item.pk).response == "Không kèm tệp."
