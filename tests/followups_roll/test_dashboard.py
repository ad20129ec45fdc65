"""The dashboard's follow-up section (followups/dashboard.py): counts by
status, the settled-on-time rate by source and by lead unit, the oldest
unsettled items, on a hand-computed case; and the compiled report's rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followups.dashboard import appendix_items, followup_figures
from followups.models import SourceKind
from tests.factories import PeriodFactory, UnitFactory

D = datetime.date
TODAY = D(2025, 7, 10)


@pytest.fixture
def items(make_item, unit_a, unit_b):
    """Unit A leads five items, unit B two (one co-ordinated by A):

    A1 supervision, due 30/06, settled 28/06           settled on time
    A2 supervision, due 30/06, settled 05/07           settled late
    A3 inspection,  due 01/07, in progress             overdue (9 days)
    A4 direction,   due 31/07, not started             open, not overdue
    A5 petition,    due 15/06, not feasible 20/06      closed, not settled
    B1 supervision, due 20/06, returned                overdue (20 days), A co-ordinates
    B2 inspection,  due 10/07, reported                open, due today: not overdue
    """
    made = {
        "A1": make_item(unit_a, number="A1", deadline=D(2025, 6, 30), status="settled", completed_on=D(2025, 6, 28)),
        "A2": make_item(unit_a, number="A2", deadline=D(2025, 6, 30), status="settled", completed_on=D(2025, 7, 5)),
        "A3": make_item(unit_a, number="A3", deadline=D(2025, 7, 1), kind=SourceKind.INSPECTION, status="in_progress"),
        "A4": make_item(unit_a, number="A4", deadline=D(2025, 7, 31), kind=SourceKind.DIRECTION),
        "A5": make_item(unit_a, number="A5", deadline=D(2025, 6, 15), due_on=D(2025, 6, 16), kind=SourceKind.PETITION,
                        status="not_feasible", completed_on=D(2025, 6, 20)),
        "B1": make_item(unit_b, number="B1", deadline=D(2025, 6, 20), status="returned", coordinating=[unit_a]),
        "B2": make_item(unit_b, number="B2", deadline=D(2025, 7, 10), kind=SourceKind.INSPECTION, status="reported"),
    }  # fmt: skip
    return made


def test_the_figures_match_the_hand_count(items, unit_a, unit_b):
    figures = followup_figures(today=TODAY)

    counts = {value: count for value, _label, count in figures.by_status}
    assert counts == {"not_started": 1, "in_progress": 1, "pending_signoff": 0, "reported": 1, "returned": 1,
                      "settled": 2, "not_feasible": 1}  # fmt: skip
    total = figures.total
    assert (total.total, total.open, total.overdue, total.settled, total.settled_on_time) == (7, 4, 2, 2, 1)
    assert total.on_time_rate == Decimal("50.0")
    sources = {row.kind: row.tally for row in figures.by_source}
    assert (sources["supervision"].total, sources["supervision"].overdue, sources["supervision"].settled) == (3, 1, 2)
    assert sources["supervision"].on_time_rate == Decimal("50.0")
    assert sources["inspection"].on_time_rate is None  # nothing settled: no rate, not 0 %
    assert (sources["petition"].total, sources["petition"].not_feasible) == (1, 1)
    addressees = {row.name: row.tally for row in figures.by_addressee}
    # Lead units only: B1 counts for unit B, not for unit A which co-ordinates it.
    assert (addressees[unit_a.name].total, addressees[unit_a.name].overdue) == (5, 1)
    assert (addressees[unit_b.name].total, addressees[unit_b.name].overdue) == (2, 1)
    assert addressees[unit_a.name].on_time_rate == Decimal("50.0")
    assert [item.number for item in figures.oldest] == ["B1", "A3", "B2", "A4"]
    assert [item.days_overdue for item in figures.oldest] == [20, 9, 0, 0]
    assert figures.oldest[0].lead_name == unit_b.name


def test_a_units_scope_counts_the_items_addressed_to_it_as_lead_or_co_ordinating(items, unit_a):
    figures = followup_figures(today=TODAY, unit_ids=[unit_a.pk])

    assert figures.total.total == 6  # A1-A5 and B1
    assert figures.total.overdue == 2


def test_the_compiled_reports_rows_are_the_items_due_in_the_range_unsettled_or_settled_late(items):
    rows, more = appendix_items(start=D(2025, 6, 1), end=D(2025, 6, 30), today=TODAY)

    assert more == 0
    assert [(row.number, row.state) for row in rows] == [
        ("B1", "Chưa giải quyết, quá hạn 20 ngày"),
        ("A2", "Đã giải quyết, quá hạn 5 ngày"),
    ]
    assert rows[0].document == "12/BC-HĐND, 01/3/2025"


def test_the_sections_queries_do_not_grow_with_the_number_of_items(make_item, province):
    def measure(count):
        for number in range(count):
            unit = UnitFactory(code=f"q-{count}-{number}", parent=province)
            make_item(unit, number=str(number), status=["settled", "in_progress", "returned"][number % 3],
                      completed_on=D(2025, 6, 1))  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            followup_figures(today=TODAY)
            appendix_items(start=D(2025, 1, 1), end=D(2025, 12, 31), today=TODAY)
        return len(queries)

    assert measure(3) == measure(20)


def test_the_committee_sees_the_section_on_the_dashboard(client, items, committee_user, schedule, assignment_a):
    PeriodFactory(schedule=schedule, key="2025-H1", starts_on=D(2024, 12, 15), ends_on=D(2025, 6, 14),
                  due_on=D(2025, 6, 19))  # fmt: skip
    client.force_login(committee_user)

    page = client.get(reverse("dashboard")).content.decode()

    assert 'data-testid="followups-section"' in page
    assert reverse("followup_detail", args=[items["B1"].pk]) in page
    assert "Việc theo dõi sau giám sát, kiểm tra" in page


def test_the_compiled_report_has_the_follow_up_appendix_in_word_and_builds_in_pdf(
    client, items, committee_user, schedule, assignment_a
):
    import io

    from docx import Document

    PeriodFactory(schedule=schedule, key="2025-H1", starts_on=D(2024, 12, 15), ends_on=D(2025, 6, 30),
                  due_on=D(2025, 7, 5))  # fmt: skip
    client.force_login(committee_user)

    word = client.get(reverse("dashboard_summary_docx"))
    pdf = client.get(reverse("dashboard_summary_pdf"))

    document = Document(io.BytesIO(word.content))
    texts = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Phụ lục 5" in texts
    assert any(text.startswith("Các việc có hạn giải quyết từ ngày 15/12/2024 đến ngày 30/6/2025") for text in texts)
    assert "12/BC-HĐND, 01/3/2025, mục B1" in cells  # returned, still open: unsettled
    assert "12/BC-HĐND, 01/3/2025, mục A2" in cells  # settled five days late
    assert "12/BC-HĐND, 01/3/2025, mục A1" not in cells  # settled on time
    assert "Đã giải quyết, quá hạn 5 ngày" in cells
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_section_is_kept_in_the_cache_until_the_register_changes(
    client, items, committee_user, schedule, assignment_a, django_capture_on_commit_callbacks
):
    PeriodFactory(schedule=schedule, key="2025-H1", starts_on=D(2024, 12, 15), ends_on=D(2025, 6, 14),
                  due_on=D(2025, 6, 19))  # fmt: skip
    client.force_login(committee_user)
    first = client.get(reverse("dashboard")).context["followups"]

    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("dashboard")).context["followups"]
    with django_capture_on_commit_callbacks(execute=True):
        item = items["A3"]
        item.status, item.completed_on = "settled", D(2025, 6, 30)
        item.save()
    third = client.get(reverse("dashboard")).context["followups"]

    assert first.total.settled == second.total.settled == 2
    assert not any("followups_followupitem" in query["sql"] for query in again.captured_queries)
    assert third.total.settled == 3
