import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Exists, F, OuterRef

from directives.models import Directive
from reports.demo import demo_data_create
from reports.models import (
    Assignment,
    ImplementationStatus,
    IndicatorValue,
    ProgressReport,
    ReportingPeriod,
    ReportState,
)
from units.models import Membership, Unit
from units.roles import ADMIN_GROUP, COMMITTEE_GROUP, OFFICE_GROUP

TODAY = datetime.date(2026, 11, 26)
EARLIER_TODAY = datetime.date(2024, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return demo_data_create(today=TODAY)


def _open_during(unit, period):
    return Unit.objects.filter(pk=unit.pk).open_during(period.starts_on, period.ends_on).exists()


def _latest_past_due(today):
    return ReportingPeriod.objects.past_due(today).order_by("-due_on").first()


def _overdue_assignments(period):
    sent = ProgressReport.objects.filter(
        assignment=OuterRef("pk"), period=period, state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED]
    )
    owing = Assignment.objects.filter(
        schedule=period.schedule, unit__in=Unit.objects.open_during(period.starts_on, period.ends_on)
    )
    return owing.filter(~Exists(sent))


def test_command_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data", stdout=StringIO())
    assert not get_user_model().objects.exists()
    assert not Unit.objects.exists()
    assert not ProgressReport.objects.exists()


def test_command_creates_the_data_and_prints_the_logins(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_data", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "progressreport created" in text
    assert "'demo'" in text
    assert "admin" in text and "office" in text and "committee" in text
    assert "r-hu-tu-ky / h-hu-tu-ky" in text

    out = StringIO()
    call_command("demo_data", "--today", TODAY.isoformat(), stdout=out)
    assert "Nothing to do" in out.getvalue()


def test_demo_data_loads_the_directive_when_it_is_missing(demo):
    assert Directive.objects.count() == 1
    assert demo["directive created"] == 1


def test_every_unit_with_an_assignment_gets_a_reporter_and_a_head(demo):
    units = Unit.objects.filter(assignments__isnull=False).distinct()
    assert units.count() > 30
    for unit in units:
        assert Membership.objects.filter(unit=unit, user__username=f"r-{unit.code}", role="reporter").exists()
        assert Membership.objects.filter(unit=unit, user__username=f"h-{unit.code}", role="head").exists()
    reporter = get_user_model().objects.get(username="r-hu-tu-ky")
    assert list(reporter.memberships.values_list("unit__code", "role")) == [("hu-tu-ky", "reporter")]
    head = get_user_model().objects.get(username="h-vptu")
    assert list(head.memberships.values_list("unit__code", "role")) == [("vptu", "head")]
    assert head.email == "h-vptu@demo.invalid"
    assert head.first_name and head.last_name


def test_province_users_have_their_groups(demo):
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.groups.filter(name=ADMIN_GROUP).exists()
    assert users.get(username="committee").groups.filter(name=COMMITTEE_GROUP).exists()
    assert users.get(username="office").groups.filter(name=OFFICE_GROUP).exists()
    assert not users.get(username="office").memberships.exists()


def test_demo_passwords_work(demo):
    for username in ("admin", "office", "r-hu-tu-ky", "h-vptu"):
        assert get_user_model().objects.get(username=username).check_password("demo")


def test_reports_exist_in_every_state(demo):
    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert states == set(ReportState.values)
    latest = _latest_past_due(TODAY)
    assert set(latest.reports.values_list("state", flat=True)) == set(ReportState.values)


def test_older_periods_are_mostly_accepted_and_some_reports_late(demo):
    old = ProgressReport.objects.filter(period__due_on__lt=datetime.date(2025, 1, 1))
    assert old.filter(state=ReportState.ACCEPTED).count() >= 0.9 * old.count()
    late = ProgressReport.objects.filter(submitted_at__date__gt=F("period__due_on"))
    assert late.filter(state=ReportState.ACCEPTED).exists()
    assert old.filter(submitted_at__date__lte=F("period__due_on")).exists()


@pytest.mark.parametrize("today", [TODAY, EARLIER_TODAY])
def test_a_period_is_due_within_a_week(today):
    demo_data_create(today=today)
    assert ReportingPeriod.objects.due_between(today, today + datetime.timedelta(days=7)).exists()


@pytest.mark.parametrize("today", [TODAY, EARLIER_TODAY])
def test_some_assignments_are_overdue_and_one_has_a_draft(today):
    demo_data_create(today=today)
    latest = _latest_past_due(today)
    overdue = _overdue_assignments(latest)
    assert overdue.exists()
    assert overdue.filter(reports__period=latest, reports__state=ReportState.DRAFT).exists()
    assert overdue.exclude(reports__period=latest).exists(), "some reports should be missing entirely"


def test_ad_hoc_period_is_labelled_and_relative_to_today(demo):
    period = ReportingPeriod.objects.get(kind="ad_hoc")
    assert period.key == "demo-2026-11-26"
    assert "dữ liệu mẫu" in period.title
    assert period.due_on == TODAY + datetime.timedelta(days=5)
    assert period.ends_on < TODAY


def test_no_ad_hoc_period_when_a_regular_one_is_due_this_week():
    today = datetime.date(2024, 6, 15)  # 2024-H1 is due on 19/06/2024
    demo_data_create(today=today)
    assert not ReportingPeriod.objects.filter(kind="ad_hoc").exists()


@pytest.mark.parametrize("today", [TODAY, EARLIER_TODAY])
def test_reports_are_generated_relative_to_today(today):
    demo_data_create(today=today)
    reports = ProgressReport.objects.all()
    assert reports.exists()
    assert not reports.filter(period__starts_on__gt=today).exists()
    last_day = max(r.submitted_at.date() for r in reports.exclude(submitted_at=None))
    assert last_day <= today
    assert not reports.filter(accepted_at__date__gt=today).exists()
    assert not reports.filter(created_at__date__gt=today).exists()


def test_sample_communes_are_flagged_and_assigned(demo):
    communes = Unit.objects.filter(level=3)
    assert communes.count() == 6
    for commune in communes:
        assert commune.is_sample
        assert "dữ liệu mẫu" in commune.name
        assert commune.name.startswith("Đảng ủy xã ")
        assert commune.parent.code in {"hu-gia-loc", "hu-tu-ky"}
        assignments = commune.assignments.all()
        assert sorted(a.task.number for a in assignments) == [1, 4]
        assert {(a.role, a.reviewing_unit.code) for a in assignments} == {("lead", "vptu")}
        assert Membership.objects.filter(unit=commune, user__username=f"r-{commune.code}").exists()
        assert commune.assignments.filter(reports__isnull=False).exists()


def test_reports_only_for_units_open_during_the_period(demo):
    for report in ProgressReport.objects.select_related("assignment__unit", "period"):
        assert _open_during(report.assignment.unit, report.period), report
    merged = ProgressReport.objects.filter(assignment__unit__code__in=["btgtu", "bdvtu"])
    assert merged.exists()
    assert not merged.filter(period__starts_on__gt=datetime.date(2025, 2, 28)).exists()
    successor = ProgressReport.objects.filter(assignment__unit__code="btgdvtu")
    assert successor.exists()
    assert not successor.filter(period__ends_on__lt=datetime.date(2025, 3, 1)).exists()


def test_report_fields_are_consistent_with_their_state(demo):
    reports = ProgressReport.objects.select_related("assignment__task", "submitted_by", "period")
    for report in reports.prefetch_related(
        "indicator_values__indicator", "assignment__task__indicators", "transitions"
    ).select_related("assignment__unit"):
        if report.implementation_status == ImplementationStatus.COMPLETED:
            assert report.percent_complete == 100
        elif report.implementation_status == ImplementationStatus.NOT_STARTED:
            assert report.percent_complete == 0
        else:
            assert 0 < report.percent_complete < 100
        assert report.results and report.difficulties and report.proposals and report.next_steps
        assert report.created_by.username == f"r-{report.assignment.unit.code}"
        steps = list(report.transitions.all())
        assert report.state_changed_at is not None
        assert report.version == 1 + len(steps)
        if report.state in (ReportState.DRAFT, ReportState.PENDING_SIGNOFF):
            assert report.submitted_at is None and report.submitted_by is None and report.accepted_at is None
            assert not report.indicator_values.all()
            assert [s.to_state for s in steps] == ([] if report.state == ReportState.DRAFT else [report.state])
            continue
        assert steps[-1].to_state == report.state
        assert steps[0].action == "submit" and steps[0].at == report.submitted_at
        sender = "h" if report.assignment.unit.requires_signoff else "r"
        assert report.submitted_by.username == f"{sender}-{report.assignment.unit.code}"
        assert report.created_at <= report.submitted_at
        assert (report.accepted_at is not None) == (report.state == ReportState.ACCEPTED)
        if report.accepted_at:
            assert report.accepted_at > report.submitted_at
        values = list(report.indicator_values.all())
        assert {v.indicator_id for v in values} == {i.pk for i in report.assignment.task.indicators.all()}
        for value in values:
            value.indicator.validate_value(value.value)


def test_second_run_changes_nothing(demo):
    models = [m for m in apps.get_models() if m._meta.app_label in {"auth", "units", "directives", "reports"}]
    before = {m: m.objects.count() for m in models}
    states = dict(ProgressReport.objects.values_list("pk", "state"))
    assert demo_data_create(today=TODAY) == {}
    assert {m: m.objects.count() for m in models} == before
    assert dict(ProgressReport.objects.values_list("pk", "state")) == states
    assert IndicatorValue.objects.count() == before[IndicatorValue]


def test_a_later_run_keeps_existing_reports():
    demo_data_create(today=EARLIER_TODAY)
    first = dict(ProgressReport.objects.values_list("pk", "updated_at"))
    demo_data_create(today=TODAY)
    assert dict(ProgressReport.objects.filter(pk__in=first).values_list("pk", "updated_at")) == first
    assert ProgressReport.objects.count() > len(first)
    assert get_user_model().objects.filter(username="r-hu-tu-ky").count() == 1
