"""The first save of a report goes through the same version check as every later
one: when two people open the form of a report that does not exist yet and both
save, the second gets the conflict page with everything typed and uploaded kept
and is told who saved first. The conflict page always says what changed, also
for reports that have no history rows (the demo's)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports.models import Attachment, IndicatorValue, ProgressReport, ReportState
from reports.services import EditConflict, report_save
from reports.storage import private_storage
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
OTHER_PDF = PDF + b"% phu luc\n"


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def period(assignment_a):
    return PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")


@pytest.fixture
def indicator(task):
    return IndicatorFactory(task=task, code="visits", name="Số cuộc giám sát", kind="count")


@pytest.fixture
def named(reporter_a, head_a):
    for user, name in ((reporter_a, "Nguyễn Thị Lan"), (head_a, "Trần Văn Hùng")):
        user.first_name, user.last_name = name, ""
        user.save()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def new_url(assignment, period):
    return reverse("report_for_period", args=[assignment.pk, period.pk])


def version_in(html):
    return int(re.search(r'name="expected_version" value="(\d+)"', html).group(1))


def form(version, **changes):
    data = {
        "implementation_status": "in_progress",
        "percent_complete": 50,
        "results": "",
        "difficulties": "",
        "proposals": "",
        "next_steps": "",
        "expected_version": version,
        "action": "save",
    }
    data.update(changes)
    return data


def section(html, testid):
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index('<div class="row g-4">', start)]


def test_the_second_of_two_first_saves_gets_the_conflict_page_and_loses_nothing(
    assignment_a, period, indicator, reporter_a, head_a, named, private_root
):
    reporter, head = signed_in(reporter_a), signed_in(head_a)
    # Both open the empty form before anything exists.
    for client in (reporter, head):
        html = client.get(new_url(assignment_a, period)).content.decode()
        assert version_in(html) == 1
    assert not ProgressReport.objects.exists()

    first = form(1, results="Bản của chuyên viên: giám sát 20 xã.", action="send_to_head")
    assert reporter.post(new_url(assignment_a, period), first).status_code == 302

    second = form(
        1,
        results="Bản của lãnh đạo: giám sát 18 xã.",
        difficulties="Thiếu xe đi cơ sở.",
        action="submit",
        **{f"indicator_{indicator.pk}": "18"},
    )
    second["files"] = [SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/pdf")]
    response = head.post(new_url(assignment_a, period), second)

    assert response.status_code == 409
    report = ProgressReport.objects.get()
    # The first save stands, the second changed nothing but kept its file.
    assert report.results == first["results"]
    assert report.state == ReportState.PENDING_SIGNOFF
    assert not IndicatorValue.objects.filter(value__isnull=False).exists()
    assert [a.original_name for a in report.attachments.all()] == ["Biên bản.pdf"]
    html = response.content.decode()
    conflict = section(html, "conflict")
    assert "Nguyễn Thị Lan" in conflict
    assert "đã bắt đầu báo cáo này trước" in conflict
    assert first["results"] in conflict
    assert "Biên bản.pdf" in section(html, "kept-files")
    # Everything typed is in the form, which now posts to the report with its version.
    assert second["results"] in html and second["difficulties"] in html
    assert 'value="18"' in html
    assert f'action="{reverse("report_detail", args=[report.pk])}"' in html
    assert version_in(html) == report.version

    # Having read it, the head saves deliberately and wins.
    again = {**second, "expected_version": version_in(html)}
    del again["files"]
    assert head.post(reverse("report_detail", args=[report.pk]), again).status_code == 302
    report.refresh_from_db()
    assert (report.results, report.state) == (second["results"], ReportState.SUBMITTED)
    assert IndicatorValue.objects.get().value == 18
    assert report.attachments.count() == 1


def test_a_reporter_who_can_no_longer_edit_still_gets_their_text_back_and_is_told_why(
    assignment_a, period, reporter_a, named, unit_a, private_root
):
    colleague = UserFactory(username="reporter-a2", first_name="Lê Minh", last_name="")
    unit_a.memberships.create(user=colleague, role="reporter")
    mine, theirs = signed_in(reporter_a), signed_in(colleague)
    theirs.post(new_url(assignment_a, period), form(1, results="Của đồng nghiệp.", action="send_to_head"))

    data = form(1, results="Của tôi, viết cùng lúc.")
    data["files"] = [SimpleUploadedFile("Phụ lục.pdf", OTHER_PDF, content_type="application/pdf")]
    response = mine.post(new_url(assignment_a, period), data)

    assert response.status_code == 409
    report = ProgressReport.objects.get()
    assert report.results == "Của đồng nghiệp."
    assert not report.attachments.exists()
    html = response.content.decode()
    assert "Lê Minh" in section(html, "conflict")
    assert "không thể sửa báo cáo này nữa" in section(html, "conflict")
    assert "“Phụ lục.pdf” không đính kèm được" in html
    assert "Của tôi, viết cùng lúc." in html
    assert 'name="action" value="save"' not in html


def test_five_first_saves_one_after_another_keep_one_and_tell_the_other_four(
    assignment_a, period, reporter_a, unit_a, private_root
):
    clients = [signed_in(reporter_a)]
    for n in range(4):
        user = UserFactory(username=f"reporter-extra-{n}")
        unit_a.memberships.create(user=user, role="reporter")
        clients.append(signed_in(user))
    statuses = []
    for n, client in enumerate(clients):
        data = form(1, results=f"Bản số {n}.")
        data["files"] = [SimpleUploadedFile(f"tep-{n}.pdf", PDF + bytes([n]), content_type="application/pdf")]
        response = client.post(new_url(assignment_a, period), data)
        statuses.append(response.status_code)
        if response.status_code == 409:
            assert f"Bản số {n}." in response.content.decode()
    assert statuses == [302, 409, 409, 409, 409]
    report = ProgressReport.objects.get()
    assert report.results == "Bản số 0."
    assert sorted(report.attachments.values_list("original_name", flat=True)) == [f"tep-{n}.pdf" for n in range(5)]


def test_a_new_report_can_be_saved_and_sent_in_one_click(assignment_a, period, reporter_a, head_a, client_for):
    client = client_for(reporter_a)
    page = client.get(new_url(assignment_a, period))
    assert [action for action, _label in page.context["form_actions"]] == ["send_to_head"]
    assert 'data-testid="one-step-hint"' in page.content.decode()

    response = client.post(
        new_url(assignment_a, period), form(1, results="Đã làm.", action="send_to_head"), follow=True
    )

    report = ProgressReport.objects.get()
    assert report.state == ReportState.PENDING_SIGNOFF
    assert report.results == "Đã làm."
    assert [str(m) for m in response.context["messages"]] == ["Đã lưu và gửi lãnh đạo đơn vị ký duyệt."]


def test_saving_a_report_awaiting_signoff_says_it_was_not_sent(assignment_a, period, head_a, client_for):
    report = ReportFactory(assignment=assignment_a, period=period, state=ReportState.PENDING_SIGNOFF)
    client = client_for(head_a)
    page = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Lưu thay đổi" in page and "Lưu nháp" not in page

    response = client.post(
        reverse("report_detail", args=[report.pk]), form(report.version, results="Sửa."), follow=True
    )

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Đã lưu các thay đổi. Báo cáo vẫn đang chờ ký duyệt: chưa được gửi Văn phòng Tỉnh ủy."]
    assert ProgressReport.objects.get().state == ReportState.PENDING_SIGNOFF


# --- the conflict page always shows what changed ---------------------------------------------------


def test_a_conflict_on_a_report_without_history_compares_the_saved_fields_with_yours(
    assignment_a, period, reporter_a, head_a
):
    # Demo reports are bulk-created: no history rows at all.
    ReportFactory.create_batch(1, assignment=assignment_a, period=period)
    report = ProgressReport.objects.get()
    report.history.all().delete()
    ProgressReport.objects.filter(pk=report.pk).update(version=5, results="Bản đã lưu của đơn vị.")

    with pytest.raises(EditConflict) as raised:
        report_save(
            report=report,
            by=reporter_a,
            data={"results": "Bản của tôi.", "implementation_status": report.implementation_status},
            indicator_values={},
            expected_version=4,
        )
    conflict = raised.value
    assert conflict.against_yours
    assert [(str(label), old, new) for label, old, new in conflict.changes] == [
        ("kết quả đạt được", "Bản đã lưu của đơn vị.", "Bản của tôi.")
    ]

    response = signed_in(head_a).post(
        reverse("report_detail", args=[report.pk]),
        form(4, results="Bản của lãnh đạo.", implementation_status="completed", percent_complete=100),
    )
    assert response.status_code == 409
    table = section(response.content.decode(), "conflict")
    for text in ("Bản đã lưu của đơn vị.", "Bản của lãnh đạo.", "Đã lưu", "Của bạn", "Đã hoàn thành", "Chưa bắt đầu"):
        assert text in table, text


def test_a_conflict_names_a_workflow_step_taken_meanwhile_by_its_label(report_with_history, reporter_a, head_a):
    from reports.workflow import report_transition

    loaded = report_with_history.version
    report_transition(report=report_with_history, action="send_to_head", by=reporter_a)
    response = signed_in(head_a).post(
        reverse("report_detail", args=[report_with_history.pk]), form(loaded, results="Sửa của lãnh đạo.")
    )
    assert response.status_code == 409
    changes = [(str(label), old, new) for label, old, new in response.context["conflict"].changes]
    assert ("tình trạng", "Bản nháp", "Chờ ký duyệt") in changes


@pytest.fixture
def report_with_history(assignment_a, period, reporter_a):
    return ReportFactory(assignment=assignment_a, period=period, created_by=reporter_a, results="Đã làm.")
