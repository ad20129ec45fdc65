import datetime

import pytest
from django.core.exceptions import ValidationError

from reports.models import Assignment, IndicatorValue
from reports.services import assignments_bulk_create
from tests.factories import AssignmentFactory, ReportFactory, UnitFactory
from units.models import Unit, scope_roots


@pytest.fixture
def departments(province):
    return [
        UnitFactory(code=f"dept-{n}", name=f"Ban thử nghiệm {n}", kind="advisory_body", level=1, parent=province)
        for n in range(3)
    ]


def test_bulk_lead_assignment_refuses_two_leads_in_one_area(task, schedule, departments):
    with pytest.raises(ValidationError) as error:
        assignments_bulk_create(tasks=[task], kind="advisory_body", level=1, role="lead", schedule=schedule)
    assert "Ban thử nghiệm 1, Ban thử nghiệm 2" in str(error.value)
    assert not Assignment.objects.exists()


def test_bulk_lead_assignment_refuses_a_lead_where_the_area_already_has_one(task, schedule, province, departments):
    AssignmentFactory(task=task, unit=departments[0], role="lead", schedule=schedule)
    lone = UnitFactory(code="dept-x", kind="department", level=1, parent=province)
    with pytest.raises(ValidationError):
        assignments_bulk_create(tasks=[task], kind="department", level=1, role="lead", schedule=schedule)
    assert not Assignment.objects.filter(unit=lone).exists()


def test_bulk_coordinating_assignment_may_share_an_area(task, schedule, departments):
    created, skipped = assignments_bulk_create(
        tasks=[task], kind="advisory_body", level=1, role="coordinating", schedule=schedule
    )
    assert (created, skipped) == (3, 0)


def test_bulk_lead_assignment_gives_each_district_its_own_lead(task, schedule, unit_a, unit_b):
    created, _skipped = assignments_bulk_create(
        tasks=[task], kind="party_committee", level=2, role="lead", schedule=schedule
    )
    assert created == 2


def test_bulk_lead_assignment_allows_a_successor_after_its_predecessor_closed(task, schedule, province):
    old = UnitFactory(code="old", kind="advisory_body", level=1, parent=province, valid_to=datetime.date(2025, 2, 28))
    AssignmentFactory(task=task, unit=old, role="lead", schedule=schedule)
    new = UnitFactory(code="new", kind="advisory_body", level=1, parent=province, valid_from=datetime.date(2025, 3, 1))
    created, _skipped = assignments_bulk_create(
        tasks=[task], kind="advisory_body", level=1, role="lead", schedule=schedule, open_on=datetime.date(2025, 6, 1)
    )
    assert created == 1
    assert Assignment.objects.filter(unit=new, role="lead").exists()


def test_scope_roots_agrees_with_scope_root_for_every_unit(province, unit_a, departments):
    commune = UnitFactory(code="commune", kind="party_committee", level=3, parent=unit_a)
    council = UnitFactory(code="council", kind="peoples_council", level=3, parent=commune)
    board = UnitFactory(code="board", kind="council_board", level=3, parent=council)
    orphan = UnitFactory(code="orphan", kind="department", level=1)
    roots = scope_roots()
    for unit in Unit.objects.all():
        assert roots[unit.pk] == unit.scope_root().pk, unit
    assert roots[board.pk] == commune.pk
    assert roots[orphan.pk] == orphan.pk


def test_indicator_value_without_an_indicator_is_left_to_the_form(db):
    report = ReportFactory()
    IndicatorValue(report=report, value=3).clean()  # no exception: the form says the indicator is required
