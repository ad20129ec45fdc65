"""User text is stored in NFC with "\\n" line ends, whatever keyboard typed it,
and free text has a maximum length with a clear Vietnamese error that keeps
what was typed (issue #10.3 and #10.12)."""

import unicodedata

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from directives.models import Directive, Task
from reports.models import ProgressReport, ReportState, ReportTransition
from reports.services import report_save
from reports.workflow import report_transition
from tests.factories import PeriodFactory, ReportFactory, UnitFactory
from tracker.text import DocumentTextField, NormalizedCharField, NormalizedTextField, normalize_text
from units.models import Unit

OUR_APPS = ("units", "directives", "reports", "notifications", "reminders", "dashboard", "followups")
TYPED = "Kết quả: đã quán triệt đến 45 chi bộ; Đảng ủy xã Gia Tân ổn định."
DECOMPOSED = unicodedata.normalize("NFD", TYPED)
SAVED = "Bản nháp đã lưu."
TOO_LONG_VI = "Nội dung này có 20.001 ký tự, vượt giới hạn 20.000 ký tự."


def nfc(value):
    return unicodedata.is_normalized("NFC", value)


def test_decomposed_and_composed_text_differ_until_normalised():
    assert DECOMPOSED != TYPED and not nfc(DECOMPOSED)
    assert normalize_text(DECOMPOSED) == TYPED
    assert normalize_text("một\r\nhai\rba\n") == "một\nhai\nba\n"
    assert normalize_text(None) is None and normalize_text(7) == 7


def test_every_text_field_of_our_models_is_normalised():
    """A new CharField or TextField must use tracker.text's fields (their
    historical copies included), or its text would be stored as typed."""
    plain = [
        f"{model._meta.label}.{field.name}"
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.name.startswith("history_")  # django-simple-history's own bookkeeping
        and not isinstance(field, NormalizedCharField | NormalizedTextField | models.SlugField | models.EmailField)
    ]
    assert plain == []


def test_free_text_fields_have_the_setting_as_their_limit_and_the_directive_text_a_larger_one():
    assert isinstance(ProgressReport._meta.get_field("results"), NormalizedTextField)
    assert isinstance(Directive._meta.get_field("full_text"), DocumentTextField)
    assert settings.TEXT_MAX_CHARS == 20000 and settings.DOCUMENT_TEXT_MAX_CHARS == 200000


def test_fields_describe_themselves_to_migrations_as_djangos_own():
    _name, path, _args, _kwargs = ProgressReport._meta.get_field("results").deconstruct()
    assert path == "django.db.models.TextField"
    _name, path, _args, kwargs = Unit._meta.get_field("name").deconstruct()
    assert (path, kwargs["max_length"]) == ("django.db.models.CharField", 255)


# --- a model saved by a service, and the other ways to the database -----------------------------


@pytest.fixture
def report(assignment_a, reporter_a):
    period = PeriodFactory(schedule=assignment_a.schedule, key="2024-H1")
    return ReportFactory(assignment=assignment_a, period=period, created_by=reporter_a, results=SAVED)


def test_report_saved_by_the_service_is_stored_composed(report, reporter_a):
    saved = report_save(
        report=report,
        by=reporter_a,
        data={"results": DECOMPOSED + "\r\nDòng hai", "next_steps": DECOMPOSED},
        indicator_values={},
        expected_version=report.version,
    )

    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.results == TYPED + "\nDòng hai" and stored.next_steps == TYPED
    assert saved.results == stored.results  # the instance holds what was stored
    assert stored.history.first().results == stored.results


def test_reason_given_to_the_workflow_is_stored_composed(report, reporter_a, head_a):
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    report_transition(report=report, action="send_back", by=head_a, reason=DECOMPOSED)

    assert ReportTransition.objects.get(action="send_back").reason == TYPED
    assert ProgressReport.objects.get(pk=report.pk).history.first().history_change_reason == TYPED


def test_a_reason_of_the_longest_allowed_length_is_kept_in_the_history(report, reporter_a, head_a):
    # The history's change reason once was 100 characters: PostgreSQL refused anything longer.
    reason = "Đề nghị bổ sung số liệu. " * 160  # 4,000 characters
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    report_transition(report=report, action="send_back", by=head_a, reason=reason)

    assert ProgressReport.objects.get(pk=report.pk).history.first().history_change_reason == reason.strip()


def test_bulk_create_update_and_lookups_are_normalised_too(province):
    Unit.objects.bulk_create([Unit(code="bulk", name=DECOMPOSED, kind="other", level=2, parent=province)])
    unit = Unit.objects.get(code="bulk")
    assert unit.name == TYPED

    Unit.objects.filter(pk=unit.pk).update(short_name=unicodedata.normalize("NFD", "Gia Lộc"))
    assert Unit.objects.get(pk=unit.pk).short_name == "Gia Lộc"
    # A value looked up in decomposed form finds the composed text.
    assert Unit.objects.filter(name=DECOMPOSED).get() == unit
    assert Unit.objects.filter(name__in=[DECOMPOSED]).get() == unit


def test_a_name_is_counted_after_normalisation(province):
    # 200 letters typed decomposed are 400 code points, yet fit a 255-character name.
    unit = UnitFactory.build(code="dai", parent=province, name=unicodedata.normalize("NFD", "ế" * 200))
    unit.full_clean()
    assert unit.name == "ế" * 200


# --- the report form -------------------------------------------------------------------------------


def form_data(report, **changes):
    data = {
        "implementation_status": "in_progress",
        "percent_complete": 40,
        "results": "",
        "difficulties": "",
        "proposals": "",
        "next_steps": "",
        "expected_version": report.version,
        "action": "save",
    }
    return {**data, **changes}


def test_report_form_stores_decomposed_text_composed(report, reporter_a, client_for):
    url = reverse("report_detail", args=[report.pk])
    response = client_for(reporter_a).post(url, form_data(report, results=DECOMPOSED, proposals="a\r\nb"))

    assert response.status_code == 302
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.results == TYPED and nfc(stored.results)
    assert stored.proposals == "a\nb"


def test_report_form_refuses_text_over_the_limit_in_vietnamese_and_keeps_it(report, reporter_a, client_for):
    too_long = "Đ" * 19990 + "0123456789X"  # 20,001 characters
    url = reverse("report_detail", args=[report.pk])
    response = client_for(reporter_a).post(url, form_data(report, difficulties=too_long, results=TYPED))

    assert response.status_code == 400
    html = response.content.decode()
    assert TOO_LONG_VI in html
    assert too_long in html and TYPED in html  # everything typed is still in the form
    assert "maxlength" not in html.split('name="difficulties"')[1].split(">")[0]  # no silent cut by the browser
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.difficulties, stored.results, stored.version) == ("", SAVED, report.version)


def test_report_form_accepts_text_at_the_limit_counted_after_normalisation(report, reporter_a, client_for):
    # 20,000 characters once CRLF is one line end and the letters are composed.
    typed = unicodedata.normalize("NFD", "ộ" * 9999) + "\r\n" + "a" * 10000
    assert len(typed) > settings.TEXT_MAX_CHARS
    url = reverse("report_detail", args=[report.pk])
    response = client_for(reporter_a).post(url, form_data(report, results=typed))

    assert response.status_code == 302
    assert len(ProgressReport.objects.get(pk=report.pk).results) == settings.TEXT_MAX_CHARS


def test_limit_is_a_setting(report, reporter_a, client_for, settings):
    settings.TEXT_MAX_CHARS = 10
    url = reverse("report_detail", args=[report.pk])
    response = client_for(reporter_a).post(url, form_data(report, results="mười một ký"))

    assert response.status_code == 400
    assert "Nội dung này có 11 ký tự, vượt giới hạn 10 ký tự." in response.content.decode()


def test_too_long_a_reason_is_refused_with_its_message(report, reporter_a, head_a, client_for):
    report = report_transition(report=report, action="send_to_head", by=reporter_a)
    url = reverse("report_action", args=[report.pk, "send_back"])
    response = client_for(head_a).post(url, {"reason": "x" * 4001}, follow=True)

    assert "Nội dung này có 4.001 ký tự, vượt giới hạn 4.000 ký tự." in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.PENDING_SIGNOFF


# --- the admin -------------------------------------------------------------------------------------


def admin_form_data(response):
    """What the admin's change form would post back unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(field.widget, forms.MultiWidget):  # a date and a time, say
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = field.widget.widgets[index].format_value(part)
        else:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    return data


@pytest.fixture
def task_change(admin_user, client_for, task):
    client = client_for(admin_user)
    url = reverse("admin:directives_task_change", args=[task.pk])
    return client, url, admin_form_data(client.get(url))


def test_admin_stores_decomposed_text_composed(task_change, task):
    client, url, data = task_change
    response = client.post(url, {**data, "title": DECOMPOSED[:200], "text": DECOMPOSED + "\r\nhai"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.title == TYPED[:200] and task.text == TYPED + "\nhai"


def test_admin_refuses_text_over_the_limit_in_vietnamese_and_keeps_it(task_change, task):
    client, url, data = task_change
    too_long = "ư" * 20001
    response = client.post(url, {**data, "text": too_long})

    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_LONG_VI in html and too_long in html
    assert Task.objects.get(pk=task.pk).text == task.text


def test_admin_text_fields_use_the_normalising_form_field():
    task_admin = admin.site._registry[Task]
    formfield = task_admin.formfield_for_dbfield(Task._meta.get_field("text"), request=None)
    with pytest.raises(ValidationError):
        formfield.clean("x" * (settings.TEXT_MAX_CHARS + 1))
    assert formfield.clean(DECOMPOSED) == TYPED


def test_a_persons_name_typed_in_the_admin_is_stored_composed(admin_user, client_for, reporter_a):
    client = client_for(admin_user)
    url = reverse("admin:auth_user_change", args=[reporter_a.pk])
    data = admin_form_data(client.get(url))
    data.pop("password", None)
    response = client.post(url, {**data, "first_name": unicodedata.normalize("NFD", "Nguyễn Thị"), "last_name": "Hà"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    reporter_a.refresh_from_db()
    assert reporter_a.first_name == "Nguyễn Thị" and nfc(reporter_a.first_name)
