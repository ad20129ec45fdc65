"""The committee's pages and the cell's page: who sees and does what, forms
that keep what was typed, files checked like report attachments."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dissemination.models import (
    CellConfirmation,
    DisseminationSession,
    ImplementingPlan,
    SessionAttachment,
)
from dissemination.services import cell_confirm

pytestmark = pytest.mark.django_db
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def unit_url(tree, unit):
    return reverse("dissemination_unit", args=[tree.directive.pk, unit.pk])


def cell_url(tree, cell):
    return reverse("dissemination_cell", args=[tree.directive.pk, cell.pk])


def plan_url(tree, unit):
    return reverse("dissemination_plan", args=[tree.directive.pk, unit.pk])


def confirm_data(**changes):
    return {"met_on": "2026-02-20", "members_present": "15", "members_total": "17", "note": "Đã quán triệt."} | changes


# --- reading -------------------------------------------------------------------------------------

READS = [
    # (user, unit, status)
    ("secretary_1", "cell_1", 200),
    ("secretary_1", "cell_2", 404),  # another cell
    ("secretary_1", "cell_a", 404),
    ("commune_head", "cell_1", 200),
    ("commune_viewer", "cell_2", 200),
    ("district_head", "cell_1", 200),  # its subtree
    ("head_a", "cell_1", 404),  # another district
    ("head_a", "cell_a", 200),
    ("office", "cell_1", 200),
    ("committee", "cell_1", 200),
    ("admin", "cell_1", 200),
]


@pytest.mark.parametrize(("who", "cell", "expected"), READS)
def test_the_cell_page_is_read_by_the_cell_its_committees_and_the_province(tree, client, who, cell, expected):
    client.force_login(getattr(tree, who))
    assert client.get(cell_url(tree, getattr(tree, cell))).status_code == expected


COMMITTEE_READS = [
    ("secretary_1", "commune", 404),  # a cell secretary sees only the cell
    ("commune_head", "commune", 200),
    ("commune_head", "district", 404),  # not upwards
    ("district_head", "commune", 200),
    ("head_a", "commune", 404),
    ("office", "commune", 200),
    ("committee", "district", 200),
]


@pytest.mark.parametrize(("who", "unit", "expected"), COMMITTEE_READS)
def test_a_committee_sees_its_subtree(tree, client, who, unit, expected):
    client.force_login(getattr(tree, who))
    assert client.get(unit_url(tree, getattr(tree, unit))).status_code == expected


def test_a_cell_is_not_a_committee_page_and_a_committee_is_not_a_cell_page(tree, client):
    client.force_login(tree.admin)
    assert client.get(unit_url(tree, tree.cell_1)).status_code == 404
    assert client.get(cell_url(tree, tree.commune)).status_code == 404
    assert client.post(cell_url(tree, tree.commune), confirm_data()).status_code == 404
    assert not CellConfirmation.objects.exists()


# --- confirming ------------------------------------------------------------------------------------


def test_the_secretary_confirms_then_corrects_and_the_cell_counts_once(tree, client):
    client.force_login(tree.secretary_1)
    response = client.post(cell_url(tree, tree.cell_1), confirm_data())
    assert response.status_code == 302
    response = client.post(cell_url(tree, tree.cell_1), confirm_data(members_present="16"), follow=True)
    assert "Đã cập nhật xác nhận của chi bộ." in response.content.decode()
    confirmation = CellConfirmation.objects.get()
    assert (confirmation.members_present, confirmation.on_behalf) == (16, False)
    assert confirmation.history.count() == 2


@pytest.mark.parametrize("who", ["secretary_2", "commune_viewer", "district_head", "office", "committee", "head_a"])
def test_only_the_secretary_and_the_grassroots_committee_confirm(tree, client, who):
    client.force_login(getattr(tree, who))
    assert client.post(cell_url(tree, tree.cell_1), confirm_data()).status_code == 404
    assert not CellConfirmation.objects.exists()


def test_the_grassroots_committee_confirms_on_behalf_from_its_list(tree, client):
    client.force_login(tree.commune_head)
    page = client.get(unit_url(tree, tree.commune)).content.decode()
    assert "Xác nhận thay" in page
    cell_page = client.get(cell_url(tree, tree.cell_2)).content.decode()
    assert 'data-testid="cell-on-behalf"' in cell_page
    client.post(cell_url(tree, tree.cell_2), confirm_data())
    assert CellConfirmation.objects.get(cell=tree.cell_2).on_behalf
    page = client.get(unit_url(tree, tree.commune)).content.decode()
    assert 'data-testid="diss-on-behalf"' in page


def test_a_refused_confirmation_keeps_what_was_typed_and_says_why_in_vietnamese(tree, client):
    client.force_login(tree.secretary_1)
    response = client.post(cell_url(tree, tree.cell_1), confirm_data(members_present="30", note="Ghi chú của tôi"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ghi chú của tôi" in body and 'value="30"' in body
    assert "Số đảng viên dự họp (30) nhiều hơn số đảng viên của chi bộ (17)." in body
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(cell_url(tree, tree.cell_1), confirm_data(met_on=future))
    assert "Ngày này chưa đến." in response.content.decode()
    assert not CellConfirmation.objects.exists()


# --- the plan and the sessions ------------------------------------------------------------------


def plan_data(**changes):
    return {"kind": "ke_hoach", "number": "45-KH/HU", "issued_on": "2026-02-01", "signer": "Nguyễn Văn Thành"} | changes


def test_the_committee_records_its_plan_with_its_file_and_it_is_on_time(tree, client):
    client.force_login(tree.district_head)
    upload = SimpleUploadedFile("Kế hoạch 45.pdf", PDF, content_type="application/pdf")
    response = client.post(plan_url(tree, tree.district), plan_data(document=upload))
    assert response.status_code == 302
    plan = ImplementingPlan.objects.get()
    assert (plan.number, plan.original_name, plan.due_on, plan.is_late) == (
        "45-KH/HU",
        "Kế hoạch 45.pdf",
        datetime.date(2026, 2, 9),
        False,
    )
    download = client.get(reverse("dissemination_plan_file", args=[tree.directive.pk, tree.district.pk]))
    assert b"".join(download.streaming_content) == PDF
    client.post(plan_url(tree, tree.district), plan_data(issued_on="2026-02-15"))
    plan.refresh_from_db()
    assert plan.is_late and plan.original_name == "Kế hoạch 45.pdf"
    assert ImplementingPlan.objects.count() == 1


def test_a_plan_with_a_wrong_file_keeps_what_was_typed(tree, client):
    client.force_login(tree.district_head)
    fake = SimpleUploadedFile("ke-hoach.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(plan_url(tree, tree.district), plan_data(number="77-KH/HU", document=fake))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="77-KH/HU"' in body and "không phải là tệp PDF" in body
    assert not ImplementingPlan.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("commune_head", 404),
        ("commune_viewer", 404),
        ("secretary_1", 404),
        ("office", 404),
        ("committee", 404),
        ("admin", 200),
    ],
)
def test_only_the_committee_and_administrators_record_its_plan(tree, client, who, expected):
    client.force_login(getattr(tree, who))
    assert client.get(plan_url(tree, tree.district)).status_code == expected


def session_data(**changes):
    return {
        "held_on": "2026-02-10",
        "level": "district",
        "form": "in_person",
        "committee_members_present": "9",
        "party_members_present": "180",
        "party_members_expected": "200",
        "others_present": "12",
        "note": "",
    } | changes


def test_sessions_several_per_unit_with_minutes_and_the_count_checked(tree, client):
    client.force_login(tree.district_head)
    url = reverse("dissemination_session_new", args=[tree.directive.pk, tree.district.pk])
    response = client.post(url, session_data(party_members_present="210", note="Nội dung tôi đã gõ"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nội dung tôi đã gõ" in body and "nhiều hơn số dự kiến" in body
    minutes = SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf")
    assert client.post(url, session_data(files=[minutes])).status_code == 302
    assert (
        client.post(
            url, session_data(held_on="2026-03-01", party_members_present="20", party_members_expected="20")
        ).status_code
        == 302
    )
    assert DisseminationSession.objects.filter(unit=tree.district).count() == 2
    attachment = SessionAttachment.objects.get()
    assert attachment.original_name == "Biên bản.pdf"
    download = client.get(reverse("dissemination_session_attachment", args=[attachment.session_id, attachment.pk]))
    assert b"".join(download.streaming_content) == PDF
    # The commune reads the district's session? No: a committee sees its own subtree, not upwards.
    client.force_login(tree.commune_head)
    assert client.get(reverse("dissemination_session", args=[attachment.session_id])).status_code == 404
    client.force_login(tree.office)
    page = client.get(reverse("dissemination_session", args=[attachment.session_id]))
    assert page.status_code == 200 and 'data-testid="diss-session-readonly"' in page.content.decode()
    assert (
        client.post(reverse("dissemination_session", args=[attachment.session_id]), session_data()).status_code == 404
    )


def test_the_committee_page_reads_in_few_queries_whatever_the_number_of_cells(
    tree, client, django_assert_max_num_queries
):
    from tests.factories import UnitFactory

    for number in range(3, 30):
        cell = UnitFactory(
            code=f"xa-b-cb{number}", name=f"Chi bộ {number}", kind="party_cell", level=4, parent=tree.commune
        )
        cell_confirm(
            directive=tree.directive,
            cell=cell,
            data={"met_on": datetime.date(2026, 2, 1), "members_present": 5, "members_total": 9, "note": ""},
            by=tree.admin,
        )
    client.force_login(tree.commune_head)
    with django_assert_max_num_queries(20):
        response = client.get(unit_url(tree, tree.commune))
    assert response.content.decode().count('data-testid="diss-cell-row"') == 29


def test_a_second_first_save_of_a_plan_stores_nothing(tree):
    """Two first saves at once: the second finds the row there and keeps no file."""
    import os

    from django.db import IntegrityError

    from dissemination.services import plan_save

    data = {"kind": "ke_hoach", "number": "1-KH/HU", "issued_on": datetime.date(2026, 2, 1), "signer": "A"}
    plan_save(plan=ImplementingPlan(directive=tree.directive, unit=tree.district), data=data, by=tree.district_head)
    upload = SimpleUploadedFile("Kế hoạch.pdf", PDF, content_type="application/pdf")
    with pytest.raises(IntegrityError):
        plan_save(
            plan=ImplementingPlan(directive=tree.directive, unit=tree.district),
            data=data,
            upload=upload,
            by=tree.district_head,
        )
    assert ImplementingPlan.objects.count() == 1
    stored = [name for _root, _dirs, names in os.walk(tree.storage.location) for name in names]
    assert stored == []
