"""The scale demo data (demo_data --scale) on a tiny tree: 2 provinces x 3 communes."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.http import HttpRequest

from reports.demo_scale import DemoScaleRefused, Scale, demo_scale_check, demo_scale_create
from reports.models import Assignment, AssignmentRole, IndicatorValue, ProgressReport, ReportingPeriod, ReportState
from tests.factories import UnitFactory
from units.models import Membership, MembershipRole, Unit, UnitKind, UnitLevel
from units.roles import ADMIN_GROUP, COMMITTEE_GROUP, OFFICE_GROUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="demo_data --scale loads with PostgreSQL COPY; run with DATABASE_URL=postgres://...",
    ),
]

TODAY = datetime.date(2026, 11, 26)
TINY = Scale(provinces=2, communes=3)
UNITS_PER_PROVINCE = 1 + 20 + 3 * 4


@pytest.fixture
def scale_data():
    return demo_scale_create(scale=TINY, today=TODAY, seed=2021, progress=False)


class _Rollback(Exception):
    pass


def _digest_of_a_build(seed):
    """A digest of every generated row by natural keys (ids of periods and tasks
    come from sequences, which a rollback does not rewind), then rolls back."""
    try:
        with transaction.atomic():
            demo_scale_create(scale=TINY, today=TODAY, seed=seed, progress=False)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT md5(string_agg(concat_ws('|', u.code, u.name, t.number, a.role, p.key, r.state, "
                    "r.implementation_status, r.percent_complete, r.results, r.difficulties, r.proposals, r.version, "
                    "r.created_at, r.updated_at, r.submitted_at, r.accepted_at, r.state_changed_at), ',' "
                    "ORDER BY u.code, t.number, p.key)) "
                    "FROM reports_progressreport r JOIN reports_assignment a ON a.id = r.assignment_id "
                    "JOIN units_unit u ON u.id = a.unit_id JOIN directives_task t ON t.id = a.task_id "
                    "JOIN reports_reportingperiod p ON p.id = r.period_id"
                )
                digest = cursor.fetchone()[0]
            raise _Rollback
    except _Rollback:
        return digest


def _past_due_reports():
    return ProgressReport.objects.filter(period__due_on__lt=TODAY)


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    first = _digest_of_a_build(2021)
    assert first is not None
    assert _digest_of_a_build(2021) == first
    assert _digest_of_a_build(7) != first


def test_tree_has_province_committees_their_bodies_and_communes(scale_data):
    assert Unit.objects.exclude(kind=UnitKind.PARTY_CELL).count() == TINY.provinces * UNITS_PER_PROVINCE
    roots = Unit.objects.filter(parent=None)
    assert roots.count() == TINY.provinces
    for root in roots:
        assert root.kind == UnitKind.PARTY_COMMITTEE and root.level == UnitLevel.PROVINCE
        assert root.name.startswith(("Tỉnh ủy ", "Thành ủy "))
        children = list(root.children.all())
        bodies = [u for u in children if u.level == UnitLevel.PROVINCE]
        communes = [u for u in children if u.level == UnitLevel.COMMUNE]
        assert len(bodies) == 20 and len(communes) == TINY.communes
        assert sum(u.code.endswith("-vptu") for u in bodies) == 1
        for commune in communes:
            assert commune.kind == UnitKind.PARTY_COMMITTEE
            assert commune.name.startswith(("Đảng ủy xã ", "Đảng ủy phường "))
            below = commune.children.exclude(kind=UnitKind.PARTY_CELL)  # cells: test_party_cells_...
            assert {u.kind for u in below} == {
                UnitKind.PEOPLES_COUNCIL,
                UnitKind.PEOPLES_COMMITTEE,
                UnitKind.FATHERLAND_FRONT,
            }
            assert {u.level for u in below} == {UnitLevel.COMMUNE}
            assert not below.filter(children__isnull=False).exists()
    assert set(Unit.objects.values_list("kind", flat=True)) <= set(UnitKind.values)
    assert set(Unit.objects.values_list("level", flat=True)) <= set(UnitLevel.values)
    assert not Unit.objects.filter(is_sample=False).exists()


def test_party_cells_under_every_commune_with_sizes_and_the_coverage_equals_a_sql_recount(scale_data):
    from bench.dissemination import recount
    from dissemination.models import CellConfirmation, CellSize, ImplementingPlan

    communes = Unit.objects.filter(kind=UnitKind.PARTY_COMMITTEE, level=UnitLevel.COMMUNE)
    for commune in communes:
        assert 10 <= commune.children.filter(kind=UnitKind.PARTY_CELL).count() <= 40
    cells = Unit.objects.filter(kind=UnitKind.PARTY_CELL)
    assert CellSize.objects.count() == cells.count()
    assert 0 < CellConfirmation.objects.count() < cells.count()
    assert ImplementingPlan.objects.exists()
    found = recount()
    assert found["equal"], found


def test_every_unit_has_each_task_once_with_its_role_and_its_provinces_office_reviewing(scale_data):
    units = Unit.objects.exclude(kind=UnitKind.PARTY_CELL).count()  # cells have no assignments
    assert Assignment.objects.count() == units * 6
    assert not Assignment.objects.values("task", "unit").annotate(n=Count("id")).filter(n__gt=1).exists()
    for assignment in Assignment.objects.select_related("unit", "reviewing_unit").iterator():
        lead = assignment.unit.kind == UnitKind.PARTY_COMMITTEE  # one lead per task in each area
        assert assignment.role == (AssignmentRole.LEAD if lead else AssignmentRole.COORDINATING)
        province = assignment.unit.ancestors(include_self=True).first()
        assert assignment.reviewing_unit.code == f"{province.code}-vptu"


def test_sixty_monthly_periods_end_with_the_one_open_today(scale_data):
    periods = list(ReportingPeriod.objects.order_by("due_on"))
    assert len(periods) == 60
    assert periods[-1].key == "2026-12" and periods[-1].starts_on <= TODAY <= periods[-1].due_on
    assert periods[-2].due_on < TODAY
    assert {p.kind for p in periods} == {"monthly"}
    schedule = periods[0].schedule
    assert (schedule.cutoff_day, schedule.due_days_after_cutoff, schedule.move_to_working_day) == (14, 5, False)


def test_at_most_one_report_per_assignment_and_period_and_none_for_future_periods(scale_data):
    assert not ProgressReport.objects.values("assignment", "period").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not ProgressReport.objects.filter(period__starts_on__gt=TODAY).exists()
    assert not ProgressReport.objects.filter(created_at__date__gte=TODAY).exists()
    assert not ProgressReport.objects.filter(submitted_at__date__gte=TODAY).exists()
    assert ProgressReport.objects.count() == sum(scale_data.reports.values())


def test_past_due_reports_have_the_asked_mix_of_states(scale_data):
    expected = Assignment.objects.count() * ReportingPeriod.objects.filter(due_on__lt=TODAY).count()
    reports = _past_due_reports()
    accepted = reports.filter(state=ReportState.ACCEPTED)
    late = accepted.filter(submitted_at__date__gt=F("period__due_on"))
    assert 0.03 < 1 - reports.count() / expected < 0.09  # missing ~6 %
    assert 0.80 < accepted.exclude(pk__in=late).count() / expected < 0.92
    assert 0.03 < late.count() / expected < 0.07
    assert 0.005 < reports.filter(state=ReportState.RETURNED).count() / expected < 0.02
    assert not reports.filter(state=ReportState.DRAFT).exists()
    recent = ReportingPeriod.objects.filter(due_on__lt=TODAY).order_by("-due_on")[:3]
    submitted = reports.filter(state=ReportState.SUBMITTED)
    assert submitted.exists() and not submitted.exclude(period__in=list(recent)).exists()
    assert not accepted.filter(accepted_at__isnull=True).exists()
    assert not reports.filter(submitted_at__isnull=True).exists()


def test_progress_grows_over_the_periods_and_a_few_tasks_are_completed(scale_data):
    for assignment in Assignment.objects.all()[:50]:
        percents = list(assignment.reports.order_by("period__due_on").values_list("percent_complete", flat=True))
        assert percents == sorted(percents)
    completed = ProgressReport.objects.filter(implementation_status="completed")
    assert 0 < completed.count() < ProgressReport.objects.count() * 0.1
    assert not completed.exclude(percent_complete=100).exists()


def test_the_open_period_has_drafts_and_some_early_reports(scale_data):
    current = ReportingPeriod.objects.get(due_on__gte=TODAY)
    owing = Assignment.objects.exclude(unit__memberships__user__username__startswith="load-").count()
    reports = ProgressReport.objects.filter(period=current)
    assert 0.2 < reports.filter(state=ReportState.DRAFT).count() / owing < 0.4
    assert 0.04 < reports.filter(state=ReportState.SUBMITTED).count() / owing < 0.16
    assert set(reports.values_list("state", flat=True)) == {ReportState.DRAFT, ReportState.SUBMITTED}


def test_province_users_have_their_groups(scale_data, client):
    users = get_user_model().objects.in_bulk(["admin", "committee", "office"], field_name="username")
    assert users["admin"].is_superuser and users["admin"].groups.filter(name=ADMIN_GROUP).exists()
    assert users["committee"].groups.filter(name=COMMITTEE_GROUP).exists()
    assert users["office"].groups.filter(name=OFFICE_GROUP).exists()
    assert client.login(request=HttpRequest(), username="office", password="demo")


def test_load_users_log_in_and_report_for_a_commune_body_with_no_open_period_report(scale_data, client):
    load_users = get_user_model().objects.filter(username__startswith="load-").order_by("username")
    candidates = TINY.provinces * TINY.communes * 3  # fewer than 200 on the tiny tree
    assert [u.username for u in load_users] == [f"load-{n:03d}" for n in range(1, candidates + 1)]
    current = ReportingPeriod.objects.get(due_on__gte=TODAY)
    units = set()
    for user in load_users:
        (membership,) = Membership.objects.filter(user=user).select_related("unit")
        unit = membership.unit
        assert membership.role == MembershipRole.REPORTER
        assert unit.level == UnitLevel.COMMUNE and unit.kind != UnitKind.PARTY_COMMITTEE
        assert not unit.requires_signoff
        assert not ProgressReport.objects.filter(assignment__unit=unit, period=current).exists()
        assert user.has_perm("reports.start_report", unit.assignments.first())
        units.add(unit.pk)
    assert len(units) == load_users.count()
    assert client.login(request=HttpRequest(), username="load-001", password="demo")


def test_indexes_constraints_and_sequences_are_back_after_the_load():
    def schema():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'reports_progressreport' ORDER BY 1")
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'reports_progressreport'::regclass ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = schema()
    demo_scale_create(scale=Scale(provinces=1, communes=1), today=TODAY, progress=False)
    assert schema() == before
    unit = Unit.objects.create(code="after-load", name="Đơn vị thêm sau", kind=UnitKind.OTHER, level=1)
    assignment = Assignment.objects.create(
        task_id=Assignment.objects.first().task_id, unit=unit, schedule=ReportingPeriod.objects.first().schedule
    )
    ProgressReport.objects.create(assignment=assignment, period=ReportingPeriod.objects.first())
    assert IndicatorValue.objects.exists()


def test_command_refuses_a_database_that_already_has_units(settings):
    settings.DEBUG = True
    UnitFactory()
    with pytest.raises(CommandError, match="1"):
        call_command("demo_data", "--scale", "province", stdout=StringIO(), verbosity=0)
    assert Unit.objects.count() == 1


def test_refuses_a_database_that_is_not_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(DemoScaleRefused, match="sqlite"):
        demo_scale_check()


def test_command_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data", "--scale", "national", stdout=StringIO())
    assert not Unit.objects.exists()


def test_command_builds_a_tiny_tree_and_prints_the_counts(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command(
        "demo_data", "--scale", "national", "--provinces", "1", "--communes", "2", "--today", TODAY.isoformat(),
        "--seed", "7", stdout=out, verbosity=0,
    )  # fmt: skip
    units = Unit.objects.exclude(kind=UnitKind.PARTY_CELL).count()  # the cells are counted on their own line
    assert units == 1 + 20 + 2 * 4
    text = out.getvalue()
    assert f": {units}\n" in text
    assert f": {ProgressReport.objects.count()}\n" in text
    assert "load-006" in text
