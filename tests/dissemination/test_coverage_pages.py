"""Pages of the cells not reached (``coverage_pages``): the same cells, in
the same order, as the plain query, counted from the coverage, with a number
of queries that does not grow with the tree or the page number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dissemination.coverage import cells_not_reached, coverage_build
from dissemination.coverage_pages import NotReachedPaginator
from tests.dissemination.roll_tree import TODAY, _cell, _unit, build, confirm

pytestmark = pytest.mark.django_db


def _grow(tree, communes, cells):
    for n in range(communes):
        commune = _unit(f"extra-{n:02}", "party_committee", 3, tree.d2)
        for m in range(cells):
            cell = _cell(f"extra-{n:02}-{m:02}", commune, 10)
            if m % 3 == 0:
                confirm(tree.directive, cell, TODAY, 8, 10)


def _pages(coverage, per_page, unit_pk=None):
    paginator = NotReachedPaginator(coverage, per_page, unit_pk=unit_pk)
    found = []
    for number in paginator.page_range:
        page = paginator.page(number)
        assert len(page) == (per_page if number < paginator.num_pages else paginator.count - per_page * (number - 1))
        found.extend(cell.code for cell in page)
    return paginator.count, found


def test_the_pages_hold_the_cells_not_reached_in_order():
    tree = build()
    _grow(tree, 7, 5)
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    plain = [cell.code for cell in cells_not_reached(coverage)]
    for per_page in (1, 3, 4, 50):
        assert _pages(coverage, per_page) == (len(plain), plain)
    under = [cell.code for cell in cells_not_reached(coverage, unit_pk=tree.d1.pk)]
    assert _pages(coverage, 2, tree.d1.pk) == (len(under), under) == (1, ["x2"])
    assert coverage.total.cells_not_reached == len(plain) == 2 + 7 * 3


def test_a_page_takes_the_same_queries_at_any_size_and_number():
    tree = build()
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    with CaptureQueriesContext(connection) as small:
        list(NotReachedPaginator(coverage, 2).get_page(1))
    _grow(tree, 20, 6)
    coverage = coverage_build(directive=tree.directive, today=TODAY)
    with CaptureQueriesContext(connection) as large:
        list(NotReachedPaginator(coverage, 2).get_page(30))
    assert len(large) == len(small) == 2
