"""Follow-up items built directly on the models (small data for the import,
the reminders and the dashboard section)."""

import datetime

import pytest

from followups.models import AddresseeRole, FollowUpAddressee, FollowUpItem, SourceDocument, SourceKind
from tests.factories import MembershipFactory, UnitFactory, UserFactory

D = datetime.date
DUE = D(2025, 6, 19)
ISSUED = D(2025, 3, 1)


@pytest.fixture
def hdnd(province):
    """The People's Council's Standing Board: it issues recommendations and verifies them."""
    return UnitFactory(code="tt-hdnd", name="Thường trực HĐND tỉnh (thử)", kind="advisory_body", parent=province)


@pytest.fixture
def hdnd_head(hdnd):
    return MembershipFactory(user=UserFactory(username="head-hdnd"), unit=hdnd, role="head").user


@pytest.fixture
def make_item(hdnd):
    def make(lead, *, deadline=DUE, kind=SourceKind.SUPERVISION, number="", text="Rà soát, sắp xếp "
             "trụ sở dôi dư", status="not_started", completed_on=None, task=None, issued_on=ISSUED,
             document=None, coordinating=(), due_on=None, issuing_unit=None, document_number="12/BC-HĐND"):  # fmt: skip
        document = document or SourceDocument.objects.create(
            kind=kind, number=document_number, issued_on=issued_on, issuing_unit=issuing_unit or hdnd
        )
        item = FollowUpItem.objects.create(
            document=document,
            text=text,
            number=number,
            verifying_unit=hdnd,
            deadline=deadline,
            due_on=due_on or deadline,
            status=status,
            completed_on=completed_on,
            task=task,
        )
        FollowUpAddressee.objects.create(item=item, unit=lead, role=AddresseeRole.LEAD)
        for unit in coordinating:
            FollowUpAddressee.objects.create(item=item, unit=unit, role=AddresseeRole.COORDINATING)
        return item

    return make
