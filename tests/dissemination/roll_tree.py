"""A hand-computed tree for the coverage and reminder tests (issue #14, item 8).

    Tỉnh ủy P (issuing; owes no plan)
    ├── Đảng đoàn HĐND (party delegation, level 1): no plan → missing
    ├── HĐND tỉnh (people's council): owes nothing
    ├── Huyện ủy D1: plan on time
    │   ├── Đảng ủy xã X, closed 30/06/2025, merged into Y (its plan is not counted)
    │   │   ├── chi bộ X1 (30 members): confirmed on time, 28 present
    │   │   ├── chi bộ X2 (20 members): not confirmed
    │   │   └── chi bộ X3 (10 members), closed 30/06/2025: confirmed, not counted
    │   └── Đảng ủy xã Y, from 01/07/2025: plan late
    │       └── chi bộ Y1 (25 members): confirmed late, 20 present
    └── Huyện ủy D2: plan on time
        └── Đảng ủy xã Z: no plan → missing
            ├── chi bộ Z1 (40 members): confirmed on time, 35 present
            └── chi bộ Z2 (15 members): not confirmed

Signed 01/03/2026; plans due 31/03/2026, cells due 30/05/2026; today 15/06/2026.
Committees owing a plan: Đảng đoàn, D1, D2, Y, Z = 5 (2 on time, 1 late, 2 missing: 60.0 %).
Cells: X1, X2, Y1 (under Y today), Z1, Z2 = 5, reached 3 (2 on time, 1 late: 60.0 %).
Members: 130, reached 28 + 20 + 35 = 83 (63.8 %).
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from dissemination.models import CellConfirmation, CellSize, DisseminationSetting, ImplementingPlan
from tests.factories import DirectiveFactory, SuccessionFactory, UnitFactory

TODAY = datetime.date(2026, 6, 15)
SIGNED = datetime.date(2026, 3, 1)
PLAN_DUE = datetime.date(2026, 3, 31)
CELL_DUE = datetime.date(2026, 5, 30)
MERGED = datetime.date(2025, 6, 30)


def _unit(code, kind, level, parent, **extra):
    return UnitFactory(code=code, name=code, kind=kind, level=level, parent=parent, **extra)


def _cell(code, parent, members, **extra):
    cell = _unit(code, "party_cell", 4, parent, **extra)
    CellSize.objects.create(cell=cell, party_members=members)
    return cell


def confirm(directive, cell, day, present, total):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return CellConfirmation.objects.create(
        directive=directive, cell=cell, met_on=day, members_present=present, members_total=total,
        confirmed_at=moment, confirmed_on=day, due_on=CELL_DUE,
    )  # fmt: skip


def plan(directive, unit, day):
    return ImplementingPlan.objects.create(
        directive=directive, unit=unit, number=f"1-KH/{unit.code}", issued_on=day, signer="Nguyễn Văn A",
        due_on=PLAN_DUE,
    )  # fmt: skip


def build():
    t = SimpleNamespace()
    t.p = _unit("p", "party_committee", 1, None)
    t.delegation = _unit("dd-hdnd", "party_delegation", 1, t.p)
    t.council = _unit("hdnd", "peoples_council", 1, t.p)
    t.d1 = _unit("d1", "party_committee", 2, t.p)
    t.d2 = _unit("d2", "party_committee", 2, t.p)
    t.x = _unit("x", "party_committee", 3, t.d1, valid_to=MERGED)
    t.y = _unit("y", "party_committee", 3, t.d1, valid_from=MERGED + datetime.timedelta(days=1))
    t.z = _unit("z", "party_committee", 3, t.d2)
    SuccessionFactory(predecessor=t.x, successor=t.y, kind="merge", effective_on=MERGED + datetime.timedelta(days=1))
    t.x1, t.x2 = _cell("x1", t.x, 30), _cell("x2", t.x, 20)
    t.x3 = _cell("x3", t.x, 10, valid_to=MERGED)
    t.y1 = _cell("y1", t.y, 25)
    t.z1, t.z2 = _cell("z1", t.z, 40), _cell("z2", t.z, 15)
    t.directive = DirectiveFactory(signed_on=SIGNED, issuing_unit=t.p)
    DisseminationSetting.objects.create(directive=t.directive, plan_due_days=30, cell_due_days=90)
    plan(t.directive, t.d1, datetime.date(2026, 3, 20))
    plan(t.directive, t.d2, datetime.date(2026, 3, 31))
    plan(t.directive, t.y, datetime.date(2026, 4, 10))
    plan(t.directive, t.x, datetime.date(2025, 3, 10))
    confirm(t.directive, t.x1, datetime.date(2026, 5, 20), 28, 30)
    confirm(t.directive, t.y1, datetime.date(2026, 6, 5), 20, 25)
    confirm(t.directive, t.z1, datetime.date(2026, 5, 30), 35, 40)
    confirm(t.directive, t.x3, datetime.date(2025, 5, 1), 10, 10)
    return t
