"""Entering many follow-up items from a workbook (followups/imports.py): the
check's row-by-row preview, errors by row and column, all or nothing, the
audit trail, who may import, and the register's export read back."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from followups.imports import SHEET_TITLE, headers, items_import, register_workbook
from followups.models import FollowUpItem, FollowUpStep, SourceDocument
from followups.roll_models import ItemImport
from notifications.models import Notification, NotificationKind
from tests.factories import MembershipFactory, UnitFactory, UserFactory

D = datetime.date


@pytest.fixture
def units(province, hdnd):
    return {
        "ubnd": UnitFactory(code="ubnd-tinh", name="UBND tỉnh (thử)", parent=province),
        "stc": UnitFactory(code="so-tai-chinh", name="Sở Tài chính (thử)", parent=province),
        "sxd": UnitFactory(code="so-xay-dung", name="Sở Xây dựng (thử)", parent=province),
    }


@pytest.fixture
def ubnd_reporter(units):
    return MembershipFactory(user=UserFactory(username="reporter-ubnd"), unit=units["ubnd"], role="reporter").user


def row(number="1", **changes):
    values = {
        "Loại nguồn": "Kiến nghị giám sát",
        "Số văn bản": "125/BC-HĐND",
        "Ngày ban hành": "15/03/2025",
        "Mã cơ quan ban hành": "tt-hdnd",
        "Trích yếu": "Kết quả giám sát việc sắp xếp trụ sở",
        "Số thứ tự": number,
        "Nội dung": f"Kiến nghị số {number}: rà soát, lập phương án sử dụng trụ sở dôi dư.",
        "Văn bản (số hoặc mã)": "",
        "Nhiệm vụ số": "",
        "Mã đơn vị chủ trì": "ubnd-tinh",
        "Mã đơn vị phối hợp": "so-tai-chinh, so-xay-dung",
        "Hạn giải quyết": "28/06/2025",  # a Saturday
        "Mã cơ quan theo dõi, xác nhận": "tt-hdnd",
    }
    values.update(changes)
    return values


def workbook(*rows):
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(headers())
    for values in rows:
        sheet.append([values.get(column, "") for column in headers()])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def check(data, user, dry_run=True):
    return items_import(data=data, filename="kien-nghi.xlsx", dry_run=dry_run, user=user)


def statuses(report):
    return [(row.number, row.status) for row in report.sheets[0].rows]


def errors(report):
    return [(row.number, column, message) for row in report.sheets[0].rows for column, message in row.errors]


def test_the_check_previews_every_row_and_writes_nothing(units, office_user):
    report = check(workbook(row("1"), row("2"), row("3")), office_user)

    assert statuses(report) == [(2, "new"), (3, "new"), (4, "new")]
    assert report.ok and not report.applied
    assert not FollowUpItem.objects.exists()
    assert not SourceDocument.objects.exists()


def test_applying_creates_the_items_with_their_document_units_and_due_date_and_tells_the_units(
    units, office_user, ubnd_reporter
):
    report = check(workbook(row("1"), row("2")), office_user, dry_run=False)

    assert report.applied
    items = list(FollowUpItem.objects.order_by("number"))
    assert [item.number for item in items] == ["1", "2"]
    document = SourceDocument.objects.get()
    assert (document.kind, document.number, document.issued_on) == ("supervision", "125/BC-HĐND", D(2025, 3, 15))
    item = items[0]
    assert (item.deadline, item.due_on) == (D(2025, 6, 28), D(2025, 6, 30))  # Saturday → Monday
    assert dict(item.addressees.values_list("unit__code", "role")) == {
        "ubnd-tinh": "lead", "so-tai-chinh": "coordinating", "so-xay-dung": "coordinating"}  # fmt: skip
    assert item.created_by == office_user
    assert item.history.first().history_user == office_user
    assert FollowUpStep.objects.filter(item=item, action="record").count() == 1
    notes = Notification.objects.filter(recipient=ubnd_reporter, kind=NotificationKind.FOLLOWUP_ADDRESSED)
    assert sorted(n.link for n in notes) == sorted(f"/follow-ups/{i.pk}/" for i in items)


def test_importing_the_same_file_again_changes_nothing_and_an_edited_cell_changes_only_that(units, office_user):
    check(workbook(row("1"), row("2")), office_user, dry_run=False)

    again = check(workbook(row("1"), row("2")), office_user)
    edited = check(workbook(row("1", **{"Hạn giải quyết": "31/07/2025"}), row("2", **{"Mã đơn vị phối hợp": ""})),
                   office_user)  # fmt: skip

    assert statuses(again) == [(2, "unchanged"), (3, "unchanged")]
    assert statuses(edited) == [(2, "changed"), (3, "changed")]
    changed = [row.changed for row in edited.sheets[0].rows]
    assert "Hạn giải quyết" in changed[0]
    assert changed[1] == ["đơn vị được giao"]


def test_errors_name_the_row_the_column_and_what_is_wrong_and_nothing_is_written(units, office_user):
    report = check(
        workbook(
            row("1"),
            row("2", **{"Mã đơn vị chủ trì": "khong-co"}),
            row("3", **{"Hạn giải quyết": "31/02/2025"}),
            row(""),
            row("1"),
            row("6", **{"Mã cơ quan ban hành": "khong-co"}),
        ),
        office_user,
        dry_run=False,
    )

    assert not report.applied
    found = errors(report)
    assert (3, "Mã đơn vị chủ trì", "Không có đơn vị nào mã “khong-co”.") in found
    assert any(number == 4 and column == "Hạn giải quyết" and "31/02/2025" in message
               for number, column, message in found)  # fmt: skip
    assert (5, "Số thứ tự", "Ghi số thứ tự của việc trong văn bản nguồn.") in found
    assert (6, "Số thứ tự", "Trùng với việc ở dòng 2.") in found
    assert (7, "Mã cơ quan ban hành", "Không có đơn vị nào mã “khong-co”.") in found
    assert not FollowUpItem.objects.exists()
    assert not SourceDocument.objects.exists()


def test_a_closed_item_cannot_be_changed_by_an_import(units, office_user):
    check(workbook(row("1")), office_user, dry_run=False)
    FollowUpItem.objects.update(status="settled", completed_on=D(2025, 6, 1))

    report = check(workbook(row("1", **{"Nội dung": "Nội dung khác"})), office_user)

    assert errors(report) == [(2, None, "Việc này đã kết thúc; không thể sửa bằng tệp nhập.")]


def test_the_registers_export_reads_back_unchanged(units, office_user):
    check(workbook(row("1"), row("2")), office_user, dry_run=False)
    exported = register_workbook(FollowUpItem.objects.order_by("pk"), D(2025, 7, 1))

    sheet = load_workbook(io.BytesIO(exported))[SHEET_TITLE]
    assert [cell.value for cell in sheet[1]][: len(headers())] == headers()
    assert sheet.cell(row=2, column=len(headers()) + 2).value == 1  # one day overdue on 01/07
    assert statuses(check(exported, office_user)) == [(2, "unchanged"), (3, "unchanged")]


def test_the_export_writes_formulas_as_text_and_its_queries_do_not_grow(units, office_user):
    # Items copied from a document often begin with a dash, which a spreadsheet reads as a formula.
    check(workbook(row("1", **{"Nội dung": "-Rà soát trụ sở dôi dư"})), office_user, dry_run=False)
    with CaptureQueriesContext(connection) as few:
        register_workbook(FollowUpItem.objects.all(), D(2025, 7, 1))
    check(workbook(*[row(str(n)) for n in range(2, 12)]), office_user, dry_run=False)
    with CaptureQueriesContext(connection) as many:
        data = register_workbook(FollowUpItem.objects.all(), D(2025, 7, 1))

    assert len(many) == len(few)
    cell = load_workbook(io.BytesIO(data))[SHEET_TITLE].cell(row=2, column=headers().index("Nội dung") + 1)
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", "-Rà soát trụ sở dôi dư", True)


# --- the pages -------------------------------------------------------------------------------------


def upload(client, data, name="kien-nghi.xlsx"):
    return client.post(reverse("followup_import"), {"file": SimpleUploadedFile(name, data)})


def test_the_office_uploads_checks_and_confirms_and_the_upload_is_kept(client, units, office_user):
    client.force_login(office_user)
    answer = upload(client, workbook(row("1"), row("2", **{"Mã đơn vị chủ trì": "khong-co"})))
    batch = ItemImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("followup_import_preview", args=[batch.pk])
    page = client.get(answer["Location"])
    assert "khong-co" in page.content.decode() and batch.state == "refused"
    assert page.context["may_confirm"] is False

    answer = upload(client, workbook(row("1"), row("2")))
    batch = ItemImport.objects.order_by("-created_at").first()
    assert batch.state == "checked" and not FollowUpItem.objects.exists()
    client.post(reverse("followup_import_preview", args=[batch.pk]))
    client.post(reverse("followup_import_preview", args=[batch.pk]))  # a second click imports nothing more
    batch.refresh_from_db()
    assert batch.state == "applied" and batch.applied_at is not None
    assert FollowUpItem.objects.count() == 2
    assert batch.report["counts"]["new"] == 2


def test_a_file_that_is_not_the_workbook_is_refused_with_a_message(client, units, office_user):
    client.force_login(office_user)
    answer = upload(client, b"not a workbook")

    assert answer.status_code == 400
    assert not ItemImport.objects.exists()


@pytest.mark.parametrize("who", ["committee_user", "reporter_a", "head_a"])
def test_only_the_office_and_administrators_import(client, units, request, who, office_user):
    client.force_login(office_user)
    upload(client, workbook(row("1")))
    batch = ItemImport.objects.get()
    client.force_login(request.getfixturevalue(who))

    for url in (reverse("followup_import"), reverse("followup_import_template"),
                reverse("followup_import_preview", args=[batch.pk])):  # fmt: skip
        assert client.get(url).status_code == 404
    assert upload(client, workbook(row("2"))).status_code == 404
    assert client.post(reverse("followup_import_preview", args=[batch.pk])).status_code == 404
    assert not FollowUpItem.objects.exists()


def test_an_administrator_may_import_but_not_confirm_another_persons_check(client, units, office_user, admin_user):
    client.force_login(office_user)
    upload(client, workbook(row("1")))
    batch = ItemImport.objects.get()
    client.force_login(admin_user)

    assert client.get(reverse("followup_import_template")).status_code == 200
    assert client.get(reverse("followup_import_preview", args=[batch.pk])).status_code == 200
    assert client.post(reverse("followup_import_preview", args=[batch.pk])).status_code == 404
    assert not FollowUpItem.objects.exists()


def test_the_register_export_holds_only_what_the_user_may_read(client, make_item, unit_a, unit_b, reporter_a):
    make_item(unit_a, number="1", text="Việc của đơn vị A")
    make_item(unit_b, number="2", text="Việc của đơn vị B")
    client.force_login(reporter_a)

    answer = client.get(reverse("followup_export"))

    sheet = load_workbook(io.BytesIO(answer.content))[SHEET_TITLE]
    texts = [row[headers().index("Nội dung")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert texts == ["Việc của đơn vị A"]
