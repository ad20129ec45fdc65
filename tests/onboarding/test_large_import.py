"""A 10,000-unit organisation imported on PostgreSQL (issue #12, item 8): one
workbook, applied whole, checked again as unchanged, with a number of queries
that does not grow with the rows. Its speed is measured by ``make bench``
(bench/importing.py), not here."""

import pytest
from django.db import connection

from tests.factories import AssignmentFactory, DirectiveFactory, ScheduleFactory, TaskFactory, UnitFactory
from tests.onboarding.test_workbook import book, run
from units.models import Membership, Unit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the national-size import is tested on PostgreSQL; run with DATABASE_URL=postgres://...",
    ),
]

UNITS = 10_000
DISTRICTS = 100
PEOPLE = 500
ASSIGNED = 2_000


def workbook_rows():
    units = []
    for n in range(UNITS):
        if n < DISTRICTS:
            units.append([f"huyen-{n}", f"Huyện ủy {n}", "", "Cấp ủy", "Huyện", "tinh-uy", "", "", "", "có"])
        else:
            kind = "Cấp ủy" if n % 2 else "Ủy ban nhân dân"
            parent = f"huyen-{n % DISTRICTS}"
            units.append([f"xa-{n}", f"Xã {n}", "", kind, "Xã", parent, "01/01/2021", "", "", "không"])
    users = [[f"user{n}", "Nguyễn Văn", f"A{n}", f"user{n}@example.vn", "có"] for n in range(PEOPLE)]
    memberships = [[f"user{n}", f"xa-{DISTRICTS + n}", "Chuyên viên báo cáo"] for n in range(PEOPLE)]
    assignments = [
        [
            "12-CT/TU",
            "1",
            units[n][0],
            "Chủ trì" if units[n][3] == "Cấp ủy" else "Phối hợp",
            "",
            "",
            "",
            "",
            "",
            "",
            "bao-cao",
        ]
        for n in range(ASSIGNED)
    ]
    return book(units=units, users=users, memberships=memberships, assignments=assignments)


def test_ten_thousand_units_are_imported_whole_then_found_unchanged(django_assert_max_num_queries):
    province = UnitFactory(code="tinh-uy", name="Tỉnh ủy Thử", level=1)
    directive = DirectiveFactory(number="12-CT/TU", issuing_unit=province)
    task = TaskFactory(directive=directive, number=1)
    ScheduleFactory(code="bao-cao")
    # A lead already in the province's own area: the new districts and communes are areas of their own.
    AssignmentFactory(task=task, unit=UnitFactory(code="ban-cu", parent=province, kind="advisory_body"), role="lead")
    data = workbook_rows()

    with django_assert_max_num_queries(60):
        report = run(data)

    assert report.applied, list(report.error_lines())[:5]
    assert report.counts == {"new": UNITS + 2 * PEOPLE + ASSIGNED, "changed": 0, "unchanged": 0, "error": 0}
    assert Unit.objects.filter(code__startswith="xa-").count() == UNITS - DISTRICTS
    commune = Unit.objects.get(code="xa-250")
    assert (commune.parent.code, commune.parent.parent.code, commune.requires_signoff) == ("huyen-50", "tinh-uy", False)
    assert Membership.objects.filter(unit__code__startswith="xa-").count() == PEOPLE
    assert task.assignments.filter(role="lead").count() == 1 + DISTRICTS + (ASSIGNED - DISTRICTS) // 2

    with django_assert_max_num_queries(12):
        again = run(data, dry_run=True)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": UNITS + 2 * PEOPLE + ASSIGNED, "error": 0}
