"""The report form: an empty form for a new report, drafts saved, errors shown next
to their field in Vietnamese without losing anything typed or uploaded, indicator
values, the previous period beside the form, and edit conflicts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports.models import Attachment, IndicatorValue, ProgressReport, ReportState
from reports.storage import private_storage
from reports.workflow import report_transition
from tests.factories import IndicatorFactory, PeriodFactory, ReportFactory

REPORT_FIELDS = ("implementation_status", "percent_complete", "results", "difficulties", "proposals", "next_steps")
COMPLETED_BELOW_100 = "Nhiệm vụ đã hoàn thành thì tỷ lệ hoàn thành phải là 100 phần trăm."
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def period(assignment_a):
    return PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")


@pytest.fixture
def earlier_period(assignment_a):
    return PeriodFactory(
        schedule=assignment_a.schedule,
        key="2023",
        kind="annual",
        starts_on=datetime.date(2022, 12, 15),
        ends_on=datetime.date(2023, 12, 14),
        due_on=datetime.date(2023, 12, 19),
    )


@pytest.fixture
def report(assignment_a, period, reporter_a):
    return ReportFactory(
        assignment=assignment_a,
        period=period,
        created_by=reporter_a,
        implementation_status="in_progress",
        percent_complete=30,
        results="Bản nháp đã lưu: quán triệt đến 45 chi bộ.",
    )


@pytest.fixture
def indicators(task):
    return {
        "yes_no": IndicatorFactory(task=task, code="has-plan", name="Đã ban hành kế hoạch", kind="yes_no"),
        "percent": IndicatorFactory(task=task, code="coverage", name="Tỷ lệ chi bộ quán triệt", kind="percent"),
        "count": IndicatorFactory(task=task, code="visits", name="Số cuộc giám sát", kind="count"),
    }


def new_report_url(assignment, period):
    return reverse("report_for_period", args=[assignment.pk, period.pk])


def detail_url(report):
    return reverse("report_detail", args=[report.pk])


def typed(**changes):
    data = {
        "implementation_status": "in_progress",
        "percent_complete": 60,
        "results": "Đã tổ chức 12 cuộc giám sát tại các xã Gia Tân, Gia Khánh.",
        "difficulties": "Kinh phí hạn hẹp, cán bộ kiêm nhiệm nhiều việc.",
        "proposals": "Đề nghị bổ sung biên chế cho Ban Tuyên giáo.",
        "next_steps": "Sơ kết 6 tháng vào tháng 7/2024.",
        "expected_version": 1,
        "action": "save",
    }
    data.update(changes)
    return data


def as_saved(report, **changes):
    """The form as it comes back with the report's saved values, plus ``changes``."""
    data = {field: getattr(report, field) for field in REPORT_FIELDS}
    return {**data, "expected_version": report.version, "action": "save", **changes}


def field_block(html, name):
    """The HTML of one field: from its wrapper to the next field's."""
    start = html.index(f'id="div_id_{name}"')
    following = html.find('id="div_id_', start + 1)
    return html[start : following if following != -1 else len(html)]


def section(html, testid, until):
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index(until, start)]


def fresh(report):
    return ProgressReport.objects.get(pk=report.pk)


# --- a new report ---------------------------------------------------------------------------------


def test_a_new_report_opens_as_an_empty_form_and_creates_nothing(assignment_a, period, reporter_a, client_for):
    response = client_for(reporter_a).get(new_report_url(assignment_a, period))

    assert response.status_code == 200
    form = response.context["form"]
    assert form is not None and not form.is_bound
    assert form["results"].value() == ""
    assert form["expected_version"].value() == 1
    assert 'data-testid="report-form"' in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_saving_the_new_form_creates_the_draft_with_what_was_typed(assignment_a, period, reporter_a, client_for):
    response = client_for(reporter_a).post(new_report_url(assignment_a, period), typed())

    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(report)
    assert (report.assignment, report.period, report.state) == (assignment_a, period, ReportState.DRAFT)
    assert report.created_by == reporter_a
    for field, value in typed().items():
        if field in REPORT_FIELDS:
            assert getattr(report, field) == value
    assert report.version == 2


def test_the_new_report_link_leads_to_the_report_once_it_exists(report, reporter_a, client_for):
    response = client_for(reporter_a).get(new_report_url(report.assignment, report.period))
    assert response.status_code == 302
    assert response.url == detail_url(report)


def test_saving_the_draft_again_keeps_one_report_and_moves_the_version(report, reporter_a, client_for):
    response = client_for(reporter_a).post(detail_url(report), typed(expected_version=report.version))
    assert response.status_code == 302
    assert ProgressReport.objects.count() == 1
    assert fresh(report).results == typed()["results"]
    assert fresh(report).version == report.version + 1


# --- errors next to their field, nothing lost ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"percent_complete": 150}, "Tỷ lệ hoàn thành phải từ 0 đến 100."),
        (
            {"implementation_status": "completed", "percent_complete": 80},
            COMPLETED_BELOW_100,
        ),
        ({"percent_complete": -5}, "Đảm bảo giá trị này lớn hơn hoặc bằng"),
    ],
    ids=["over 100", "completed below 100", "negative"],
)
def test_a_wrong_percent_is_shown_next_to_the_field_in_vietnamese_keeping_everything_typed(
    changes, message, report, reporter_a, client_for
):
    data = typed(expected_version=report.version, **changes)
    response = client_for(reporter_a).post(detail_url(report), data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["percent_complete"]
    html = response.content.decode()
    assert message in field_block(html, "percent_complete")
    for field in ("results", "difficulties", "proposals", "next_steps"):
        assert data[field] in field_block(html, field)
    assert f'value="{data["percent_complete"]}"' in field_block(html, "percent_complete")


def test_a_failed_save_does_not_touch_the_saved_draft(report, reporter_a, client_for):
    before = fresh(report)
    response = client_for(reporter_a).post(
        detail_url(report), typed(expected_version=report.version, percent_complete=150)
    )
    assert response.status_code == 400
    after = fresh(report)
    assert [getattr(after, f) for f in (*REPORT_FIELDS, "version")] == [
        getattr(before, f) for f in (*REPORT_FIELDS, "version")
    ]


def test_a_failed_save_keeps_the_file_uploaded_with_it(report, reporter_a, client_for, private_root):
    data = typed(expected_version=report.version, percent_complete=150)
    data["files"] = [SimpleUploadedFile("Biên bản hội nghị.pdf", PDF, content_type="application/pdf")]
    response = client_for(reporter_a).post(detail_url(report), data)

    assert response.status_code == 400
    attachment = Attachment.objects.get(report=report)
    assert attachment.original_name == "Biên bản hội nghị.pdf"
    assert "Biên bản hội nghị.pdf" in section(response.content.decode(), "attachments", "</ul>")
    assert typed()["results"] in response.content.decode()


def test_a_failed_first_save_keeps_what_was_typed_and_the_file(
    assignment_a, period, reporter_a, client_for, private_root
):
    data = typed(implementation_status="completed", percent_complete=80)
    data["files"] = [SimpleUploadedFile("Kế hoạch.pdf", PDF, content_type="application/pdf")]
    response = client_for(reporter_a).post(new_report_url(assignment_a, period), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert COMPLETED_BELOW_100 in field_block(html, "percent_complete")
    assert typed()["results"] in field_block(html, "results")
    report = ProgressReport.objects.get()
    assert report.attachments.get().original_name == "Kế hoạch.pdf"
    # The draft exists to hold the file; what was typed waits in the form for the next save.
    assert report.results == ""
    response = client_for(reporter_a).post(
        detail_url(report), typed(percent_complete=100, implementation_status="completed", expected_version=1)
    )
    assert response.status_code == 302
    assert fresh(report).results == typed()["results"]


def test_a_task_not_started_cannot_have_progress(report, reporter_a, client_for):
    response = client_for(reporter_a).post(
        detail_url(report), typed(expected_version=report.version, implementation_status="not_started")
    )
    assert response.status_code == 400
    assert "percent_complete" in response.context["form"].errors


# --- indicator values -------------------------------------------------------------------------------


def indicator_data(indicators, **values):
    return {f"indicator_{indicators[kind].pk}": value for kind, value in values.items()}


def test_indicator_values_are_saved(report, indicators, reporter_a, client_for):
    data = typed(expected_version=report.version, **indicator_data(indicators, yes_no="1", percent="87.5", count="12"))
    response = client_for(reporter_a).post(detail_url(report), data)

    assert response.status_code == 302
    saved = {value.indicator_id: value.value for value in IndicatorValue.objects.filter(report=report)}
    assert saved == {
        indicators["yes_no"].pk: Decimal(1),
        indicators["percent"].pk: Decimal("87.5"),
        indicators["count"].pk: Decimal(12),
    }


def test_indicator_values_are_changed_by_the_next_save(report, indicators, reporter_a, client_for):
    client = client_for(reporter_a)
    client.post(detail_url(report), typed(expected_version=report.version, **indicator_data(indicators, count="3")))
    client.post(detail_url(report), typed(expected_version=report.version + 1, **indicator_data(indicators, count="5")))
    assert IndicatorValue.objects.get(report=report, indicator=indicators["count"]).value == 5


def test_saved_indicator_values_are_shown_in_the_form(report, indicators, reporter_a, client_for):
    IndicatorValue.objects.create(report=report, indicator=indicators["count"], value=7)
    response = client_for(reporter_a).get(detail_url(report))
    assert response.context["form"][f"indicator_{indicators['count'].pk}"].value() == 7
    assert "Số cuộc giám sát" in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("yes_no", "2"),
        ("yes_no", "0.5"),
        ("percent", "100.5"),
        ("percent", "-1"),
        ("count", "2.5"),
        ("count", "-3"),
        ("count", "nhiều"),
    ],
)
def test_a_wrong_indicator_value_is_refused_next_to_the_indicator(
    kind, value, report, indicators, reporter_a, client_for
):
    data = typed(expected_version=report.version, **indicator_data(indicators, **{kind: value}))
    response = client_for(reporter_a).post(detail_url(report), data)

    assert response.status_code == 400
    name = f"indicator_{indicators[kind].pk}"
    assert list(response.context["form"].errors) == [name]
    assert "invalid-feedback" in field_block(response.content.decode(), name)
    assert not IndicatorValue.objects.exists()
    assert fresh(report).version == report.version


@pytest.mark.parametrize(("kind", "value"), [("yes_no", "0"), ("percent", "100"), ("percent", "0"), ("count", "0")])
def test_indicator_values_at_their_limits_are_accepted(kind, value, report, indicators, reporter_a, client_for):
    data = typed(expected_version=report.version, **indicator_data(indicators, **{kind: value}))
    response = client_for(reporter_a).post(detail_url(report), data)
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=indicators[kind]).value == Decimal(value)


def test_an_indicator_left_empty_is_saved_as_no_value(report, indicators, reporter_a, client_for):
    data = typed(expected_version=report.version, **indicator_data(indicators, count=""))
    assert client_for(reporter_a).post(detail_url(report), data).status_code == 302
    assert IndicatorValue.objects.get(indicator=indicators["count"]).value is None


def test_an_indicator_of_another_task_cannot_be_filled_in(report, reporter_a, client_for):
    stranger = IndicatorFactory(code="other-task")
    data = typed(expected_version=report.version, **{f"indicator_{stranger.pk}": "9"})
    assert client_for(reporter_a).post(detail_url(report), data).status_code == 302
    assert not IndicatorValue.objects.exists()


# --- the previous period beside the form -----------------------------------------------------------------


@pytest.fixture
def previous_report(assignment_a, earlier_period, indicators):
    previous = ReportFactory(
        assignment=assignment_a,
        period=earlier_period,
        state=ReportState.ACCEPTED,
        implementation_status="in_progress",
        percent_complete=40,
        results="Kỳ trước: đã quán triệt đến 30 chi bộ.",
        difficulties="Kỳ trước: thiếu tài liệu.",
        next_steps="Kỳ trước: mở rộng ra các xã còn lại.",
    )
    IndicatorValue.objects.create(report=previous, indicator=indicators["count"], value=4)
    return previous


def test_the_previous_periods_report_is_shown_beside_the_form(report, previous_report, reporter_a, client_for):
    response = client_for(reporter_a).get(detail_url(report))

    assert response.context["previous"] == previous_report
    aside = section(response.content.decode(), "previous-report", "</section>")
    for text in (previous_report.results, previous_report.difficulties, previous_report.next_steps, "40%"):
        assert text in aside
    assert "Số cuộc giám sát: 4" in aside


def test_the_previous_periods_report_is_shown_beside_a_new_form(
    assignment_a, period, previous_report, reporter_a, client_for
):
    response = client_for(reporter_a).get(new_report_url(assignment_a, period))
    assert previous_report.results in section(response.content.decode(), "previous-report", "</section>")


def test_a_later_periods_report_is_not_shown_as_the_previous_one(
    assignment_a, earlier_period, report, reporter_a, client_for
):
    earlier = ReportFactory(assignment=assignment_a, period=earlier_period)
    response = client_for(reporter_a).get(detail_url(earlier))
    assert response.context["previous"] is None
    assert report.results not in section(response.content.decode(), "previous-report", "</section>")


def test_another_units_report_is_not_shown_as_the_previous_one(
    assignment_b, earlier_period, report, reporter_a, client_for
):
    ReportFactory(assignment=assignment_b, period=earlier_period, results="Của đơn vị khác.")
    response = client_for(reporter_a).get(detail_url(report))
    assert response.context["previous"] is None
    assert "Của đơn vị khác." not in response.content.decode()


# --- edit conflicts ----------------------------------------------------------------------------------


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def version_in(html):
    return int(re.search(r'name="expected_version" value="(\d+)"', html).group(1))


def test_the_second_of_two_editors_is_told_what_changed_and_loses_nothing(report, indicators, reporter_a, head_a):
    first, second = signed_in(reporter_a), signed_in(head_a)
    loaded = version_in(first.get(detail_url(report)).content.decode())
    assert version_in(second.get(detail_url(report)).content.decode()) == loaded == report.version

    mine = "Người thứ nhất: đã giám sát 20 xã."
    assert first.post(detail_url(report), as_saved(report, results=mine)).status_code == 302

    theirs = typed(
        results="Người thứ hai: đã giám sát 18 xã, còn 2 xã.",
        difficulties="Người thứ hai: thiếu xe đi cơ sở.",
        expected_version=loaded,
        **indicator_data(indicators, count="18"),
    )
    response = second.post(detail_url(report), theirs)

    assert response.status_code == 409
    saved = fresh(report)
    assert saved.results == mine
    assert saved.difficulties == report.difficulties
    assert saved.version == loaded + 1
    assert not IndicatorValue.objects.filter(value__isnull=False).exists()

    html = response.content.decode()
    conflict = section(html, "conflict", 'data-testid="report-form"')
    assert "Kết quả đạt được" in conflict
    assert mine in conflict
    assert reporter_a.get_full_name() in conflict
    assert [str(label) for label, _old, _new in response.context["conflict"].changes] == ["kết quả đạt được"]
    assert theirs["results"] in field_block(html, "results")
    assert theirs["difficulties"] in field_block(html, "difficulties")
    assert version_in(html) == saved.version

    # Having read what changed, the second editor saves deliberately and wins.
    again = {**theirs, "expected_version": version_in(html)}
    assert second.post(detail_url(report), again).status_code == 302
    saved = fresh(report)
    assert saved.results == theirs["results"]
    assert saved.difficulties == theirs["difficulties"]
    assert IndicatorValue.objects.get(indicator=indicators["count"]).value == 18


def test_a_conflicting_save_names_every_field_changed_meanwhile(report, reporter_a, head_a):
    first, second = signed_in(reporter_a), signed_in(head_a)
    first.post(
        detail_url(report),
        typed(expected_version=report.version, results="Mới.", next_steps="Bước tiếp theo mới.", percent_complete=70),
    )
    response = second.post(detail_url(report), typed(expected_version=report.version))

    assert response.status_code == 409
    labels = {str(label) for label, _old, _new in response.context["conflict"].changes}
    assert {"kết quả đạt được", "tỷ lệ hoàn thành (%)"} <= {label.lower() for label in labels}
    conflict = section(response.content.decode(), "conflict", 'data-testid="report-form"')
    assert "Kết quả đạt được" in conflict


def test_a_conflicting_save_keeps_the_file_uploaded_with_it(report, reporter_a, head_a, private_root):
    first, second = signed_in(reporter_a), signed_in(head_a)
    first.post(detail_url(report), typed(expected_version=report.version))
    data = typed(expected_version=report.version, results="Của người thứ hai.")
    data["files"] = [SimpleUploadedFile("Phụ lục.pdf", PDF, content_type="application/pdf")]
    response = second.post(detail_url(report), data)

    assert response.status_code == 409
    assert report.attachments.get().original_name == "Phụ lục.pdf"
    assert fresh(report).results == typed()["results"]


def test_a_workflow_step_meanwhile_also_counts_as_a_change(report, reporter_a, head_a):
    loaded = report.version
    report_transition(report=report, action="send_to_head", by=reporter_a)
    response = signed_in(head_a).post(detail_url(report), typed(expected_version=loaded, results="Sửa của lãnh đạo."))

    assert response.status_code == 409
    assert fresh(report).results == report.results
    assert version_in(response.content.decode()) == fresh(report).version
