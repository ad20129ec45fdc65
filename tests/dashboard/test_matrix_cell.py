"""The matrix's cells, built by a template tag (a province's page has hundreds):
what each kind of cell says and where it links, in both languages."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from dashboard.figures import Cell
from dashboard.matrix import MatrixRow
from dashboard.measures import Block, Counts, ReportStatus
from dashboard.states import ReportRow
from dashboard.templatetags.dashboard_tags import matrix_cell

ROWS_URL = "/dashboard/figures/"
QUERY = "directive=1&start=2026-10&end=2026-11"
TASK = SimpleNamespace(pk=7)


def _row(*, has_children=False, own_only=False):
    unit = SimpleNamespace(pk=42)
    return MatrixRow(unit=unit, tasks=[TASK], blocks=[], total=Block(), own_cells=[], has_children=has_children,
                     own_only=own_only)  # fmt: skip


def _block(**counts):
    return Block(counts=Counts(**counts))


def _cell(statuses, *, percent=None):
    expected = [SimpleNamespace(status=status, days_overdue=3 if status == ReportStatus.OVERDUE else 0)
                for status in statuses]  # fmt: skip
    counts = Counts(expected=len(statuses), received=sum(s != ReportStatus.OVERDUE for s in statuses))
    counts.overdue = counts.expected - counts.received
    counts.on_time = counts.received
    latest = None if percent is None else ReportRow(1, 1, 1, "accepted", None, "in_progress", percent)
    return Cell(unit=None, task=TASK, assignments=[], expected=expected, counts=counts, latest=latest)


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


def test_a_task_not_assigned_below_a_unit_says_so_in_words(vietnamese):
    html = matrix_cell(ROWS_URL, QUERY, _row(), TASK, None, None)
    assert html.count("Không được giao") == 2  # the tooltip and the words a screen reader reads
    assert 'class="visually-hidden"' in html
    assert "<a " not in html


def test_a_units_own_cell_shows_its_status_count_and_progress_and_links_to_its_rows(vietnamese):
    cell = _cell([ReportStatus.ON_TIME, ReportStatus.OVERDUE], percent=40)
    html = matrix_cell(ROWS_URL, QUERY, _row(), TASK, _block(expected=2), cell)
    assert 'href="/dashboard/figures/?directive=1&amp;start=2026-10&amp;end=2026-11&unit=42&scope=own&task=7"' in html
    assert "Quá hạn 3 ngày" in html  # the status that needs attention first, with its days
    assert 'data-testid="status-count">1/2 báo cáo</span>' in html
    assert '<span class="text-body-secondary">40%</span>' in html


def test_one_expected_report_shows_no_count_and_no_progress_is_a_dash(vietnamese):
    html = matrix_cell(ROWS_URL, QUERY, _row(), TASK, _block(expected=1), _cell([ReportStatus.ON_TIME]))
    assert "status-count" not in html
    assert "Đúng hạn" in html
    assert '<span class="text-body-secondary">—</span>' in html


def test_a_unit_with_units_below_it_shows_their_counts_and_the_overdue(vietnamese):
    block = _block(expected=5, received=2, on_time=2, overdue=3)
    html = matrix_cell(ROWS_URL, QUERY, _row(has_children=True), TASK, block, _cell([ReportStatus.ON_TIME]))
    assert 'href="/dashboard/figures/?directive=1&amp;start=2026-10&amp;end=2026-11&unit=42&task=7"' in html
    assert "rate-poor-text" in html and "bi-x-circle" in html  # under 60 %: red, with its own icon
    assert "</span> 2/5<br>" in html
    assert '<span class="due-overdue">3 quá hạn</span>' in html


def test_a_parents_own_row_links_to_its_own_rows_only():
    block = _block(expected=4, received=4, on_time=4)
    with translation.override("en"):
        html = matrix_cell(ROWS_URL, QUERY, _row(own_only=True), TASK, block, None)
    assert "&unit=42&scope=own&task=7" in html
    assert "rate-good-text" in html and "4/4" in html
    assert "overdue" not in html


def test_the_overdue_count_is_plural_in_english():
    with translation.override("en"):
        html = matrix_cell(ROWS_URL, QUERY, _row(has_children=True), TASK, _block(expected=3, received=1, overdue=2),
                           None)  # fmt: skip
    assert '<span class="due-overdue">2 overdue</span>' in html
