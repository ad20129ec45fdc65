"""Reading a unit is decided by walking up from it (``rules.reads_unit``): the
same answers as reading each of the user's subtrees, in one query per unit
whatever the size of the tree, remembered for the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dissemination.access import READ
from dissemination.rules import unit_and_ancestors

pytestmark = pytest.mark.django_db


def test_the_chain_goes_from_the_cell_to_the_top(tree):
    assert unit_and_ancestors(tree.cell_1.pk) == {tree.cell_1.pk, tree.commune.pk, tree.district.pk, tree.province.pk}


def test_a_committee_reads_the_cells_below_it_and_no_other(tree):
    assert tree.district_head.has_perm(READ, tree.cell_1)
    assert tree.commune_viewer.has_perm(READ, tree.cell_2)
    assert tree.secretary_1.has_perm(READ, tree.cell_1)
    assert not tree.secretary_1.has_perm(READ, tree.cell_2)
    assert not tree.head_a.has_perm(READ, tree.cell_1)
    assert not tree.district_head.has_perm(READ, tree.cell_a)


def test_the_answer_is_read_once_per_unit(tree):
    user = tree.district_head
    with CaptureQueriesContext(connection) as first:
        assert user.has_perm(READ, tree.cell_1)
    with CaptureQueriesContext(connection) as again:
        assert user.has_perm(READ, tree.cell_1)
    assert len(again) == 0 and len(first) <= 3  # roles, groups, the chain
