"""The coverage in the XLSX workbook and section I of the compiled report: the
same figures as the dashboard section (hand-computed tree of ``roll_tree``)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import Workbook

from dissemination.coverage_export import coverage_paragraph, coverage_sheets
from tests.dissemination.roll_tree import TODAY, build
from tests.factories import DirectiveFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build()


def figures_of(directive, scope=None):
    return SimpleNamespace(directive=directive, as_of=TODAY, scope=scope)


def test_section_one_says_the_figures_in_the_partys_words(tree):
    (paragraph,) = coverage_paragraph(figures_of(tree.directive))
    assert "3/5 cấp ủy, tổ chức đảng đã ban hành kế hoạch triển khai (60,0\u00a0%)" in paragraph
    assert "2 đúng hạn, 1 trễ hạn; 2 chưa ban hành" in paragraph
    assert "3/5 chi bộ đã học tập, quán triệt (60,0\u00a0%; 1 chi bộ thực hiện sau thời hạn)" in paragraph
    assert "83/130 đảng viên được quán triệt (63,8\u00a0%)" in paragraph


def test_section_one_for_one_district_counts_its_subtree(tree):
    (paragraph,) = coverage_paragraph(figures_of(tree.directive, scope=tree.d1))
    assert paragraph.startswith("Về công tác học tập, quán triệt: 2/2 cấp ủy")
    assert "2/3 chi bộ" in paragraph and "48/75 đảng viên" in paragraph


def test_nothing_is_added_when_dissemination_is_not_followed(tree):
    elsewhere = UnitFactory(code="elsewhere", level=1)
    UnitFactory(code="elsewhere-district", parent=elsewhere)  # a committee, but no deadlines, plan or cell
    other = DirectiveFactory(issuing_unit=elsewhere)
    assert coverage_paragraph(figures_of(other)) == []
    book = Workbook()
    coverage_sheets(book, figures_of(other))
    assert book.sheetnames == ["Sheet"]


def test_the_workbook_has_the_coverage_by_level_and_unit_and_the_cells_not_reached(tree):
    book = Workbook()
    coverage_sheets(book, figures_of(tree.directive))
    sheet, cells = book.worksheets[1], book.worksheets[2]
    rows = [
        [float(c.value) if isinstance(c.value, Decimal) else c.value for c in row] for row in sheet.iter_rows(min_row=2)
    ]
    total = rows[0]
    assert total[4:] == [5, 2, 1, 2, 0, 60.0, 5, 2, 1, 2, 60.0, 130, 83, 63.8]
    by_code = {row[1]: row for row in rows if row[1]}
    assert by_code["y"][3] == "Kế hoạch trễ hạn"
    assert by_code["y"][10:18] == [3, 1, 1, 1, 66.7, 75, 48, 64.0]
    assert "x" not in by_code  # the merged commune is not a row; its cells are under y
    listed = sorted(row[1] for row in ([c.value for c in r] for r in cells.iter_rows(min_row=2)))
    assert listed == ["x2", "z2"]
