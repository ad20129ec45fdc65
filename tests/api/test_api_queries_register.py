"""The dissemination and follow-up lists of the API answer with the same number
of queries whatever the number of rows (asserted at two sizes), for the office
(everything) and for a unit's reporter (their subtree, their items)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.models import CellConfirmation, DisseminationSession, ImplementingPlan
from followups.services import document_record, item_record
from tests.api.test_api_queries import queries
from tests.factories import DirectiveFactory, UnitFactory

LISTS = ["api-plan-list", "api-session-list", "api-confirmation-list", "api-followup-list"]


def grow(count, *, under, province, by):
    """``count`` more plans, sessions, confirmations and follow-up items below ``under``."""
    now = timezone.now()
    for number in range(count):
        directive = DirectiveFactory(signed_on=datetime.date(2024, 1, 1))
        committee = UnitFactory(parent=under, kind="party_committee")
        cell = UnitFactory(parent=committee, kind="party_cell")
        ImplementingPlan.objects.create(directive=directive, unit=committee, number=f"{number}-KH/HU",
                                        issued_on=datetime.date(2024, 1, 5), signer="Trần Văn B")  # fmt: skip
        DisseminationSession.objects.create(directive=directive, unit=committee, held_on=datetime.date(2024, 1, 9),
                                            level="district", party_members_expected=10)  # fmt: skip
        CellConfirmation.objects.create(directive=directive, cell=cell, met_on=datetime.date(2024, 2, 1),
                                        members_present=5, members_total=9, confirmed_at=now,
                                        confirmed_on=now.date())  # fmt: skip
        document = document_record(kind="supervision", issued_on=datetime.date(2026, 3, 2), issuing_unit=province,
                                   by=by, number=f"{number}/BC")  # fmt: skip
        item_record(document=document, text="Kiến nghị.", lead=under, coordinating=[committee],
                    deadline=datetime.date(2027, 6, 30), verifying_unit=province, by=by, notify=False)  # fmt: skip


@pytest.mark.parametrize("reader", ["office", "reporter"])
@pytest.mark.parametrize("name", LISTS)
def test_a_register_list_costs_the_same_queries_for_two_and_for_six_rows(name, reader, province, unit_a, reporter_a,
                                                                          office_user, api_client_for):  # fmt: skip
    client = api_client_for(office_user if reader == "office" else reporter_a)
    url = reverse(name)
    client.get(url)  # the key's first use records its time
    counts = []
    for size in (2, 6):
        grow(size - (2 if size == 6 else 0), under=unit_a, province=province, by=office_user)
        count, response = queries(client, url)
        assert response.json()["count"] == size, response.json()
        counts.append(count)
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for the smaller list, {counts[1]} for the larger"
