"""Coverage arithmetic on the hand-computed tree of ``roll_tree`` (issue #14, item 8)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dissemination.coverage import cells_not_reached, coverage_build
from dissemination.models import CellConfirmation
from tests.dissemination.roll_tree import TODAY, build, confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build()


def test_totals_count_each_open_cell_once_under_its_current_committee(tree):
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    total = coverage.total
    assert (total.committees, total.plans_on_time, total.plans_late, total.plans_missing) == (5, 2, 1, 2)
    assert total.plan_rate == Decimal("60.0")
    assert (total.cells, total.cells_on_time, total.cells_late, total.cells_not_reached) == (5, 2, 1, 2)
    assert total.cell_rate == Decimal("60.0")
    assert (total.members, total.members_reached) == (130, 83)
    assert total.member_rate == Decimal("63.8")


def test_the_merged_communes_cells_roll_up_under_its_successor(tree):
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    assert tree.x.pk not in coverage.tallies
    y = coverage.tallies[tree.y.pk]
    assert (y.committees, y.plans_late, y.cells, y.cells_reached, y.members, y.members_reached) == (1, 1, 3, 2, 75, 48)
    d1 = coverage.tallies[tree.d1.pk]
    assert (d1.committees, d1.plans, d1.cells, d1.cells_reached) == (2, 2, 3, 2)
    d2 = coverage.tallies[tree.d2.pk]
    assert (d2.committees, d2.plans_missing, d2.cells, d2.cells_reached, d2.members_reached) == (2, 1, 2, 1, 35)
    rows = {row.unit.code: row for row in coverage.rows()}
    assert list(rows) == ["p"]
    below = {row.unit.code: row for row in coverage.rows(tree.p.pk)}
    assert set(below) == {"dd-hdnd", "d1", "d2"}  # the council owes nothing: no row
    assert below["d1"].plan_status == "on_time" and below["dd-hdnd"].plan_status == "missing"
    assert [row.unit.code for row in coverage.rows(tree.d1.pk)] == ["y"]


def test_by_level_adds_up_to_the_total(tree):
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    levels = {row.level: row.tally for row in coverage.by_level}
    assert (levels[1].committees, levels[1].plans_missing, levels[1].cells) == (1, 1, 0)
    assert (levels[2].committees, levels[2].plans_on_time) == (2, 2)
    assert (levels[3].committees, levels[3].plans_late, levels[3].plans_missing, levels[3].cells) == (2, 1, 1, 5)
    assert sum(t.cells_reached for t in levels.values()) == coverage.total.cells_reached


def test_a_cell_confirmed_again_counts_once(tree):
    confirmation = CellConfirmation.objects.get(directive=tree.directive, cell=tree.x1)
    confirmation.members_present = 30
    confirmation.save()
    total = coverage_build(directive=tree.directive, today=TODAY).total
    assert (total.cells, total.cells_reached, total.members_reached) == (5, 3, 85)


def test_a_confirmation_after_the_deadline_counts_as_late(tree):
    confirm(tree.directive, tree.z2, TODAY, 10, 15)
    total = coverage_build(directive=tree.directive, today=TODAY).total
    assert (total.cells_on_time, total.cells_late) == (2, 2)


def test_the_cells_not_reached_under_a_district_include_the_merged_communes(tree):
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    assert [c.code for c in cells_not_reached(coverage, unit_pk=tree.d1.pk)] == ["x2"]
    assert sorted(c.code for c in cells_not_reached(coverage)) == ["x2", "z2"]


def test_query_count_does_not_grow_with_the_tree(tree):
    with CaptureQueriesContext(connection) as small:
        coverage_build(directive=tree.directive, today=TODAY)
    from tests.dissemination.roll_tree import _cell, _unit

    for n in range(15):
        commune = _unit(f"extra-{n}", "party_committee", 3, tree.d2)
        for m in range(4):
            _cell(f"extra-{n}-{m}", commune, 10)
    with CaptureQueriesContext(connection) as large:
        coverage = coverage_build(directive=tree.directive, today=TODAY)
    assert coverage.total.cells == 5 + 60
    assert len(large) == len(small) <= 7


def test_the_section_and_its_drill_down_show_the_figures(tree, client_for, committee_user, settings):
    from django.urls import reverse

    client = client_for(committee_user)
    query = f"?directive={tree.directive.pk}"
    page = client.get(reverse("dissemination_coverage") + query, HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert page.status_code == 200 and "<html" not in body
    assert "(3/5)" in body and "(83/130)" in body
    page = client.get(reverse("dissemination_coverage_unit", args=[tree.d1.pk]) + query)
    body = page.content.decode()
    assert 'data-testid="cell-x2"' in body and 'data-testid="cell-z2"' not in body
    assert client.get(reverse("dissemination_coverage_unit", args=[tree.x.pk]) + query).status_code == 404
    # In the scope with nothing to count (the council owes no plan and has no cell): an empty page, not a 404.
    assert tree.council.pk not in coverage_build(directive=tree.directive, today=TODAY).tallies
    page = client.get(reverse("dissemination_coverage_unit", args=[tree.council.pk]) + query)
    assert page.status_code == 200 and page.context["tally"].is_empty
    assert client.get(reverse("dissemination_coverage_cells") + query).status_code == 200
