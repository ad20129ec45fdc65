"""Plans and sessions recorded through the API (#16 on #14): the pages' forms
check what is sent, the services record it, files go through the report
attachments' checks, and a caller who may not record for the committee gets
the 404 its pages answer."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.keys import apikey_create
from dissemination.models import DisseminationSession, ImplementingPlan
from tests.api.conftest import KeyClient
from tests.dissemination.test_pages import PDF

pytestmark = pytest.mark.django_db


def stored_files(tree):
    return [path for path in Path(tree.storage.location).rglob("*") if path.is_file()]


def client_of(user, *, read_only=False):
    return KeyClient(apikey_create(user=user, name="test", read_only=read_only)[1])


def plan_data(tree, **changes):
    data = {"directive": tree.directive.pk, "unit": tree.district.pk, "kind": "ke_hoach", "number": "15-KH/HU",
            "issued_on": "2026-01-20", "signer": "Nguyễn Văn Bình"}  # fmt: skip
    return {**data, **changes}


def session_data(tree, **changes):
    data = {"directive": tree.directive.pk, "unit": tree.district.pk, "held_on": "2026-01-25", "level": "district",
            "form": "in_person", "committee_members_present": 9, "party_members_present": 120,
            "party_members_expected": 130, "others_present": 4, "note": "Hội nghị học tập, quán triệt."}  # fmt: skip
    return {**data, **changes}


def test_a_committee_records_its_plan_with_the_document_then_changes_it(tree):
    client = client_of(tree.district_head)
    document = SimpleUploadedFile("Kế hoạch 15.pdf", PDF, content_type="application/pdf")
    made = client.post(reverse("api-plan-list"), {**plan_data(tree), "document": document})
    assert made.status_code == 201, made.content
    plan = ImplementingPlan.objects.get()
    assert (plan.number, plan.signer, plan.original_name, plan.recorded_by) == (
        "15-KH/HU", "Nguyễn Văn Bình", "Kế hoạch 15.pdf", tree.district_head
    )  # fmt: skip
    assert made.json()["has_file"] is True and made.json()["due_on"] == "2026-02-09"
    changed = client.post_json(reverse("api-plan-list"), plan_data(tree, number="16-KH/HU"))
    assert changed.status_code == 200 and changed.json()["id"] == plan.pk
    plan.refresh_from_db()
    assert plan.number == "16-KH/HU" and plan.original_name == "Kế hoạch 15.pdf"  # the file is kept
    assert ImplementingPlan.objects.count() == 1


def test_a_plan_refused_by_the_form_or_the_file_check_says_why_by_field_and_saves_nothing(tree):
    client = client_of(tree.district_head)
    future = client.post_json(reverse("api-plan-list"), plan_data(tree, issued_on="2099-01-01"))
    assert future.status_code == 400 and "issued_on" in future.json()["fields"], future.content
    fake = SimpleUploadedFile("ke-hoach.pdf", b"not a pdf at all", content_type="application/pdf")
    bad_file = client.post(reverse("api-plan-list"), {**plan_data(tree), "document": fake})
    assert bad_file.status_code == 400 and "document" in bad_file.json()["fields"], bad_file.content
    assert not ImplementingPlan.objects.exists()


def test_only_the_committees_own_staff_record_for_it(tree):
    for user in (tree.head_a, tree.commune_viewer, tree.office, tree.committee):
        answer = client_of(user).post_json(reverse("api-plan-list"), plan_data(tree))
        assert answer.status_code == 404, user.username
        answer = client_of(user).post_json(reverse("api-session-list"), session_data(tree))
        assert answer.status_code == 404, user.username
    read_only = client_of(tree.district_head, read_only=True).post_json(reverse("api-plan-list"), plan_data(tree))
    assert read_only.status_code == 403
    cell = client_of(tree.district_head).post_json(reverse("api-plan-list"), plan_data(tree, unit=tree.cell_1.pk))
    assert cell.status_code == 404  # a Party cell confirms; it has no plan
    assert not ImplementingPlan.objects.exists() and not DisseminationSession.objects.exists()


def test_a_committee_records_a_session_with_its_minutes_and_changes_it(tree):
    client = client_of(tree.district_head)
    minutes = SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf")
    made = client.post(reverse("api-session-list"), {**session_data(tree), "files": [minutes]})
    assert made.status_code == 201, made.content
    session = DisseminationSession.objects.get()
    assert (session.party_members_present, session.total_present, session.recorded_by) == (120, 133, tree.district_head)
    assert list(session.attachments.values_list("original_name", flat=True)) == ["Biên bản.pdf"]
    body = {key: value for key, value in session_data(tree, party_members_present=125).items()
            if key not in ("directive", "unit")}  # fmt: skip
    changed = client.put(reverse("api-session-detail", args=[session.pk]), body, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["party_members_present"] == 125 and DisseminationSession.objects.count() == 1


def test_a_session_refused_keeps_nothing_not_even_its_good_files(tree):
    client = client_of(tree.district_head)
    too_many = client.post_json(reverse("api-session-list"), session_data(tree, party_members_present=200))
    assert too_many.status_code == 400 and "party_members_present" in too_many.json()["fields"]
    good = SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf")
    fake = SimpleUploadedFile("anh.pdf", b"not a pdf", content_type="application/pdf")
    bad_file = client.post(reverse("api-session-list"), {**session_data(tree), "files": [good, fake]})
    assert bad_file.status_code == 400 and "files" in bad_file.json()["fields"], bad_file.content
    assert not DisseminationSession.objects.exists()
    assert stored_files(tree) == []


def test_the_same_file_twice_refuses_the_session_and_stores_no_file(tree):
    client = client_of(tree.district_head)
    files = [SimpleUploadedFile(name, PDF, content_type="application/pdf") for name in ("Biên bản.pdf", "Bản sao.pdf")]
    refused = client.post(reverse("api-session-list"), {**session_data(tree), "files": files})
    assert refused.status_code == 400 and "files" in refused.json()["fields"], refused.content
    assert not DisseminationSession.objects.exists()
    assert stored_files(tree) == []
