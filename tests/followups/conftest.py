import datetime

import pytest

from followups.models import SourceKind
from followups.services import document_record, item_record
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture
def board(province):
    """The People's Council's board that issued the recommendation and verifies it."""
    return UnitFactory(code="ban-pc", name="Ban Pháp chế HĐND (thử)", kind="council_board", level=1, parent=province)


@pytest.fixture
def board_staff(board):
    return MembershipFactory(user=UserFactory(username="board-staff"), unit=board, role="reporter").user


@pytest.fixture
def head_b(unit_b):
    return MembershipFactory(user=UserFactory(username="head-b"), unit=unit_b, role="head").user


@pytest.fixture
def document(board, office_user):
    return document_record(
        kind=SourceKind.SUPERVISION, issued_on=datetime.date(2026, 3, 2), issuing_unit=board, by=office_user,
        number="45/BC-HĐND", title="Báo cáo kết quả giám sát",
    )  # fmt: skip


@pytest.fixture
def item(document, unit_b, unit_a, board, office_user):
    """Addressed to unit B (lead) and unit A (co-ordinating), verified by the board."""
    return item_record(
        document=document, text="Rà soát, hoàn thiện quy chế tiếp xúc cử tri.", lead=unit_b, coordinating=[unit_a],
        deadline=datetime.date(2027, 6, 30), verifying_unit=board, by=office_user, number="1",
    )  # fmt: skip


@pytest.fixture
def outsider(province):
    """The head of a unit that has nothing to do with the item."""
    other = UnitFactory(code="unit-x", name="Huyện ủy Khác (thử)", parent=province)
    return MembershipFactory(user=UserFactory(username="outsider"), unit=other, role="head").user


@pytest.fixture
def second_item(province, unit_a, office_user):
    """An inspection conclusion for unit A, long overdue."""
    document = document_record(
        kind=SourceKind.INSPECTION, issued_on=datetime.date(2025, 1, 10), issuing_unit=province, by=office_user,
        number="12-TB/UBKTTU",
    )  # fmt: skip
    return item_record(
        document=document, text="Kiểm điểm trách nhiệm tập thể.", lead=unit_a, deadline=datetime.date(2025, 3, 31),
        verifying_unit=province, by=office_user,
    )  # fmt: skip
