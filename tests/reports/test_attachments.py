"""Report attachments (reports/attachments.py and the report page): accepted by
content as well as by name, limited in size, stored privately under random names,
fingerprinted, downloaded only by those who may read the report."""

import datetime
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote

import filetype
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.attachments import attachment_add, attachment_delete
from reports.models import Attachment, ProgressReport, ReportState
from reports.storage import private_storage
from tests.factories import PeriodFactory, ReportFactory

REPORT_FIELDS = ("implementation_status", "percent_complete", "results", "difficulties", "proposals", "next_steps")


# --- real, minimal files of each accepted kind -------------------------------------------------------


def pdf(text="Biên bản"):
    body = text.encode()
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpg():
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xd9"


def _zip(members, *, stored_first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first[0]), stored_first[1], compress_type=zipfile.ZIP_STORED)
        for name, data in members:
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx():
    # filetype looks for a member under word/ among the first entries of the zip.
    return _zip(
        [
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("_rels/.rels", '<?xml version="1.0"?><Relationships/>'),
            ("word/document.xml", '<?xml version="1.0"?><w:document>Báo cáo</w:document>'),
        ]
    )


def xlsx():
    return _zip(
        [
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("_rels/.rels", '<?xml version="1.0"?><Relationships/>'),
            ("xl/workbook.xml", '<?xml version="1.0"?><workbook/>'),
        ]
    )


def _open_document(mime):
    # The first member is an uncompressed "mimetype" naming the kind of document.
    return _zip(
        [("content.xml", "<office:document-content/>"), ("META-INF/manifest.xml", "<manifest/>")],
        stored_first=("mimetype", mime),
    )


def odt():
    return _open_document("application/vnd.oasis.opendocument.text")


def ods():
    return _open_document("application/vnd.oasis.opendocument.spreadsheet")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole2(marker_at_512):
    # Word and Excel 97-2003 files: the compound-file header, then the first stream's
    # signature at offset 512 (what filetype checks).
    return (OLE2 + b"\x00" * 504 + marker_at_512).ljust(1024, b"\x00")


def doc():
    return _ole2(b"\xec\xa5\xc1\x00")


def xls():
    return _ole2(b"\x09\x08\x10\x00\x00\x06\x05\x00")


# name → (content, content type recorded)
ACCEPTED = {
    "Báo cáo.pdf": (pdf(), "application/pdf"),
    "Công văn.doc": (doc(), "application/msword"),
    "Kế hoạch.docx": (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "Số liệu.xls": (xls(), "application/vnd.ms-excel"),
    "Tổng hợp.xlsx": (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "Tờ trình.odt": (odt(), "application/vnd.oasis.opendocument.text"),
    "Bảng biểu.ods": (ods(), "application/vnd.oasis.opendocument.spreadsheet"),
    "Ảnh hội nghị.jpg": (jpg(), "image/jpeg"),
    "Ảnh chụp.jpeg": (jpg() + b"\x00", "image/jpeg"),
    "Sơ đồ.png": (png(), "image/png"),
}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    """PRIVATE_MEDIA_ROOT in a temporary folder. The field's storage was built from the
    setting when the model was imported, so it is built again from the new value."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def make_report(assignment_a, reporter_a):
    def make(state=ReportState.DRAFT, **fields):
        return ReportFactory(assignment=assignment_a, created_by=reporter_a, state=state, **fields)

    return make


@pytest.fixture
def report(make_report):
    return make_report()


def form_data(report, **changes):
    data = {field: getattr(report, field) for field in REPORT_FIELDS}
    data["expected_version"] = report.version
    data.update(changes)
    return data


def stored_path(attachment):
    return Path(attachment.file.storage.path(attachment.file.name))


def refusal(report, name, content, by):
    with pytest.raises(ValidationError) as error:
        attachment_add(report=report, upload=upload(name, content), by=by)
    return " ".join(error.value.messages)


# --- the files the tests build are what they claim to be ------------------------------------------------


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_the_sample_files_are_recognised_by_filetype(name):
    content, content_type = ACCEPTED[name]
    kind = filetype.guess(content)
    assert kind is not None
    # Word and Excel 97-2003 share a container; the rest are recognised exactly.
    assert kind.mime == content_type


# --- accepted by content -------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_each_accepted_type_is_stored_with_its_size_checksum_type_and_uploader(name, report, reporter_a, private_root):
    content, content_type = ACCEPTED[name]
    attachment = attachment_add(report=report, upload=upload(name, content), by=reporter_a)

    attachment.refresh_from_db()
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == reporter_a
    assert stored_path(attachment).read_bytes() == content


def test_all_accepted_types_attach_at_once_through_the_report_page(report, reporter_a, client_for, private_root):
    files = [upload(name, content) for name, (content, _type) in ACCEPTED.items()]
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]), {**form_data(report), "files": files}
    )

    assert response.status_code == 302
    assert sorted(report.attachments.values_list("original_name", flat=True)) == sorted(ACCEPTED)


def test_the_attached_file_is_listed_on_the_report_page(report, reporter_a, client_for, private_root):
    attachment_add(report=report, upload=upload("Biên bản họp.pdf", pdf()), by=reporter_a)
    page = client_for(reporter_a).get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Biên bản họp.pdf" in page


# --- refused by content, by name, by size ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Báo cáo.pdf", png(), "PDF"),
        ("Báo cáo.pdf", "Chỉ là văn bản thường.".encode(), "PDF"),
        ("Kế hoạch.docx", xlsx(), "DOCX"),
        ("Kế hoạch.docx", _zip([("readme.txt", "không phải Word")]), "DOCX"),
        ("Công văn.doc", pdf(), "DOC"),
        ("Tờ trình.odt", ods(), "ODT"),
        ("Ảnh.jpg", png(), "JPG"),
        ("Sơ đồ.png", jpg(), "PNG"),
        ("Số liệu.xlsx", b"MZ\x90\x00" + b"\x00" * 60, "XLSX"),
    ],
)
def test_a_file_whose_content_does_not_match_its_name_is_refused_naming_the_file(
    name, content, kind, report, reporter_a, private_root
):
    message = refusal(report, name, content, reporter_a)
    assert message == f"Nội dung tệp “{name}” không phải là tệp {kind}."
    assert not Attachment.objects.exists()
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("trang.html", b"<!doctype html><script>alert(1)</script>"),
        ("báo cáo.pdf.exe", pdf()),
        ("khong-co-duoi", pdf()),
        ("archive.zip", _zip([("a.txt", "x")])),
    ],
)
def test_a_file_of_a_type_not_accepted_is_refused_naming_the_file_and_the_accepted_types(
    name, content, report, reporter_a, private_root
):
    message = refusal(report, name, content, reporter_a)
    assert f"Tệp “{name}” không thuộc loại được chấp nhận." in message
    assert "PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, JPG, PNG" in message
    assert not Attachment.objects.exists()


def test_the_extension_is_checked_whatever_its_case(report, reporter_a, private_root):
    attachment = attachment_add(report=report, upload=upload("SCAN.PDF", pdf()), by=reporter_a)
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf")


def test_a_file_over_the_size_limit_is_refused_with_the_limit(settings, report, reporter_a, private_root):
    settings.ATTACHMENT_MAX_BYTES = 1024
    message = refusal(report, "Báo cáo dài.pdf", pdf("x" * 2000), reporter_a)
    assert message.startswith("Tệp “Báo cáo dài.pdf” có dung lượng ")
    assert "giới hạn cho phép là 1,0\xa0KB" in message
    assert not Attachment.objects.exists()


def test_a_file_of_exactly_the_size_limit_is_accepted(settings, report, reporter_a, private_root):
    content = pdf().ljust(1024, b" ")
    settings.ATTACHMENT_MAX_BYTES = len(content)
    assert attachment_add(report=report, upload=upload("Vừa đủ.pdf", content), by=reporter_a).size == 1024


def test_an_empty_file_is_refused(report, reporter_a, private_root):
    assert refusal(report, "Trống.pdf", b"", reporter_a) == "Tệp “Trống.pdf” không có nội dung."
    assert not Attachment.objects.exists()


def test_a_refused_file_on_the_report_page_is_named_in_the_answer_and_the_rest_is_kept(
    report, reporter_a, client_for, private_root
):
    files = [upload("Ảnh.pdf", png()), upload("Biên bản.pdf", pdf())]
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]),
        {**form_data(report, results="Kết quả quý II."), "files": files},
    )

    assert response.status_code == 400
    assert "Nội dung tệp “Ảnh.pdf” không phải là tệp PDF." in response.content.decode()
    assert list(report.attachments.values_list("original_name", flat=True)) == ["Biên bản.pdf"]
    assert ProgressReport.objects.get(pk=report.pk).results == "Kết quả quý II."


def test_an_oversized_file_on_the_report_page_is_refused_with_a_clear_message(
    settings, report, reporter_a, client_for, private_root
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]), {**form_data(report), "files": [upload("Lớn.pdf", pdf("x" * 5000))]}
    )
    assert response.status_code == 400
    assert "Tệp “Lớn.pdf” có dung lượng" in response.content.decode()
    assert "giới hạn cho phép là" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_empty_file_on_the_report_page_is_refused(report, reporter_a, client_for, private_root):
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]), {**form_data(report), "files": [upload("Trống.pdf", b"")]}
    )
    assert response.status_code == 400
    assert "Tệp “Trống.pdf” không có nội dung." in response.content.decode()
    assert not Attachment.objects.exists()


# --- duplicates ----------------------------------------------------------------------------------


def test_the_same_file_twice_on_one_report_is_refused_naming_the_first_copy(report, reporter_a, private_root):
    attachment_add(report=report, upload=upload("Biên bản.pdf", pdf()), by=reporter_a)
    message = refusal(report, "Biên bản (bản sao).pdf", pdf(), reporter_a)
    assert message == "Tệp “Biên bản (bản sao).pdf” đã được đính kèm vào báo cáo này với tên “Biên bản.pdf”."
    assert report.attachments.count() == 1
    assert len(list(private_root.rglob("*.pdf"))) == 1


def test_the_same_file_on_another_report_is_accepted(make_report, period_2, reporter_a, private_root):
    first, second = make_report(), make_report(period=period_2)
    attachment_add(report=first, upload=upload("Biên bản.pdf", pdf()), by=reporter_a)
    attachment_add(report=second, upload=upload("Biên bản.pdf", pdf()), by=reporter_a)
    assert Attachment.objects.count() == 2


@pytest.fixture
def period_2(assignment_a):
    return PeriodFactory(
        schedule=assignment_a.schedule,
        key="2024",
        kind="annual",
        ends_on=datetime.date(2024, 12, 14),
        due_on=datetime.date(2024, 12, 19),
    )


def test_the_same_file_uploaded_twice_on_the_report_page_is_attached_once(report, reporter_a, client_for, private_root):
    client = client_for(reporter_a)
    client.post(reverse("report_detail", args=[report.pk]), {**form_data(report), "files": [upload("A.pdf", pdf())]})
    response = client.post(
        reverse("report_detail", args=[report.pk]),
        {**form_data(ProgressReport.objects.get(pk=report.pk)), "files": [upload("B.pdf", pdf())]},
    )
    assert response.status_code == 400
    assert "đã được đính kèm vào báo cáo này" in response.content.decode()
    assert report.attachments.count() == 1


# --- where and under which name it is stored ----------------------------------------------------


def test_the_stored_name_is_random_not_the_users_name(report, reporter_a, private_root):
    first = attachment_add(report=report, upload=upload("Báo cáo mật.pdf", pdf("1")), by=reporter_a)
    second = attachment_add(report=report, upload=upload("Báo cáo mật.pdf", pdf("2")), by=reporter_a)

    for attachment in (first, second):
        assert re.fullmatch(rf"attachments/{report.pk}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
        assert "Báo" not in attachment.file.name
        assert "upload" not in attachment.file.name
    assert first.file.name != second.file.name


def test_the_file_is_stored_under_the_private_media_root(report, reporter_a, private_root, settings):
    attachment = attachment_add(report=report, upload=upload("Báo cáo.pdf", pdf()), by=reporter_a)
    path = stored_path(attachment).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert path.read_bytes() == pdf()


def test_attachment_storage_is_the_private_root_outside_every_web_root():
    field = Attachment._meta.get_field("file")
    assert field._storage_callable is private_storage
    location = Path(field.storage.location).resolve()
    assert location == Path(django_settings.PRIVATE_MEDIA_ROOT).resolve()
    for web_root in (django_settings.STATIC_ROOT, django_settings.MEDIA_ROOT):
        web_root = Path(web_root).resolve()
        assert not location.is_relative_to(web_root)
        assert not web_root.is_relative_to(location)
    static_sources = [
        entry[1] if isinstance(entry, tuple | list) else entry for entry in django_settings.STATICFILES_DIRS
    ]
    assert not any(location.is_relative_to(Path(folder).resolve()) for folder in static_sources)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/Báo cáo.pdf", "Báo cáo.pdf"),
        ("..\\..\\Windows\\Báo cáo.pdf", "Báo cáo.pdf"),
        ("/tmp/Biên bản họp Ban Thường vụ.pdf", "Biên bản họp Ban Thường vụ.pdf"),
        (unicodedata.normalize("NFD", "Kết quả giám sát.pdf"), "Kết quả giám sát.pdf"),
        ("Báo\x00 cáo\n.pdf", "Báo cáo.pdf"),
    ],
)
def test_the_users_file_name_keeps_vietnamese_letters_and_drops_folders(given, kept, report, reporter_a, private_root):
    attachment = attachment_add(report=report, upload=upload(given, pdf(given)), by=reporter_a)
    attachment.refresh_from_db()
    assert attachment.original_name == kept
    assert unicodedata.is_normalized("NFC", attachment.original_name)
    assert stored_path(attachment).resolve().is_relative_to(private_root.resolve())


def test_a_long_name_within_the_stored_limit_is_kept_whole(report, reporter_a, private_root):
    # 197 characters and ".pdf": refused as "not a PDF" when names were cut at 200.
    name = "Báo cáo " + "d" * 189 + ".pdf"
    assert len(name) == 201
    attachment = attachment_add(report=report, upload=upload(name, pdf()), by=reporter_a)
    assert attachment.original_name == name


def test_a_name_longer_than_the_stored_limit_is_shortened_keeping_its_extension(
    report, reporter_a, client_for, private_root
):
    limit = Attachment._meta.get_field("original_name").max_length
    name = "Biên bản hội nghị " * 30 + ".docx"
    assert len(name) > limit
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]), {**form_data(report), "files": [upload(name, docx())]}
    )

    assert response.status_code == 302
    kept = report.attachments.get().original_name
    assert len(kept) <= limit and kept.endswith(".docx")
    assert name.startswith(kept.removesuffix(".docx"))
    assert kept.startswith("Biên bản hội nghị Biên bản")


def test_a_name_made_only_of_a_long_extension_is_cut_and_refused_as_a_type(report, reporter_a, private_root):
    message = refusal(report, "a." + "p" * 300, pdf(), reporter_a)
    assert "không thuộc loại được chấp nhận" in message


def test_a_file_name_with_folders_sent_through_the_page_is_kept_without_them(
    report, reporter_a, client_for, private_root
):
    response = client_for(reporter_a).post(
        reverse("report_detail", args=[report.pk]),
        {**form_data(report), "files": [upload("../../etc/Báo cáo.pdf", pdf())]},
    )
    assert response.status_code == 302
    assert report.attachments.get().original_name == "Báo cáo.pdf"


# --- who may attach ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["office_user", "committee_user", "reporter_b"])
def test_users_who_may_not_edit_the_report_cannot_attach(name, report, request, private_root):
    with pytest.raises(PermissionDenied):
        attachment_add(report=report, upload=upload("Báo cáo.pdf", pdf()), by=request.getfixturevalue(name))
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.ACCEPTED])
@pytest.mark.parametrize("name", ["reporter_a", "head_a", "admin_user"])
def test_nobody_attaches_to_a_report_that_left_the_unit(name, state, make_report, request, private_root):
    report = make_report(state)
    with pytest.raises(PermissionDenied):
        attachment_add(report=report, upload=upload("Báo cáo.pdf", pdf()), by=request.getfixturevalue(name))
    assert not Attachment.objects.exists()


# --- download ------------------------------------------------------------------------------------


@pytest.fixture
def attachment(report, reporter_a, private_root):
    return attachment_add(report=report, upload=upload("Báo cáo quý II.pdf", pdf()), by=reporter_a)


@pytest.mark.parametrize("name", ["reporter_a", "head_a", "office_user", "committee_user", "admin_user"])
def test_readers_download_the_file_under_its_vietnamese_name(name, attachment, request, client_for):
    response = client_for(request.getfixturevalue(name)).get(
        reverse("attachment_download", args=[attachment.report_id, attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Báo cáo quý II.pdf')}" in disposition


def test_another_units_reporter_cannot_download_the_file(attachment, reporter_b, client_for):
    response = client_for(reporter_b).get(reverse("attachment_download", args=[attachment.report_id, attachment.pk]))
    assert response.status_code == 404
    assert pdf() not in response.content


def test_the_file_cannot_be_reached_through_another_report(attachment, assignment_b, reporter_b, client_for):
    others = ReportFactory(assignment=assignment_b, period=attachment.report.period)
    response = client_for(reporter_b).get(reverse("attachment_download", args=[others.pk, attachment.pk]))
    assert response.status_code == 404


def test_downloading_needs_signing_in(attachment, client):
    response = client.get(reverse("attachment_download", args=[attachment.report_id, attachment.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_file_missing_from_the_disk_is_404_not_an_error(attachment, reporter_a, client_for):
    stored_path(attachment).unlink()
    response = client_for(reporter_a).get(reverse("attachment_download", args=[attachment.report_id, attachment.pk]))
    assert response.status_code == 404


# --- removal -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reporter_a", "head_a"])
def test_unit_staff_remove_a_file_while_the_report_is_editable(name, attachment, request, client_for):
    path = stored_path(attachment)
    response = client_for(request.getfixturevalue(name)).post(
        reverse("attachment_remove", args=[attachment.report_id, attachment.pk])
    )
    assert response.status_code == 302
    assert response.url == reverse("report_detail", args=[attachment.report_id])
    assert not Attachment.objects.exists()
    assert not path.exists()


def test_the_head_removes_a_file_while_the_report_awaits_signoff(attachment, head_a, client_for):
    ProgressReport.objects.filter(pk=attachment.report_id).update(state=ReportState.PENDING_SIGNOFF)
    response = client_for(head_a).post(reverse("attachment_remove", args=[attachment.report_id, attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["office_user", "committee_user", "reporter_b"])
def test_others_cannot_remove_a_file_even_from_a_draft(name, attachment, request, client_for):
    response = client_for(request.getfixturevalue(name)).post(
        reverse("attachment_remove", args=[attachment.report_id, attachment.pk])
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_path(attachment).exists()


# The head (and an administrator) still edit a report awaiting sign-off; the reporter does not.
NOT_THEIRS = [
    ("reporter_a", ReportState.PENDING_SIGNOFF),
    *[(name, state) for name in ("reporter_a", "head_a", "admin_user") for state in ("submitted", "accepted")],
]


@pytest.mark.parametrize(("name", "state"), NOT_THEIRS)
def test_nobody_removes_a_file_once_the_report_is_no_longer_theirs_to_edit(
    name, state, attachment, request, client_for
):
    ProgressReport.objects.filter(pk=attachment.report_id).update(state=state)
    response = client_for(request.getfixturevalue(name)).post(
        reverse("attachment_remove", args=[attachment.report_id, attachment.pk])
    )
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_path(attachment).exists()


def test_the_remove_service_refuses_a_submitted_report(attachment, reporter_a):
    ProgressReport.objects.filter(pk=attachment.report_id).update(state=ReportState.SUBMITTED)
    attachment.report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        attachment_delete(attachment=attachment, by=reporter_a)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_removing_requires_post(attachment, reporter_a, client_for):
    response = client_for(reporter_a).get(reverse("attachment_remove", args=[attachment.report_id, attachment.pk]))
    assert response.status_code == 405
    assert Attachment.objects.exists()
