"""The dissemination demo: sample cells clearly labelled, a secretary for most,
plans, sessions and confirmations in every state; run twice, it adds nothing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from dissemination.demo import dissemination_demo_create
from dissemination.models import CellConfirmation, DisseminationSession, ImplementingPlan, SessionAttachment
from dissemination.scope import plan_units
from reports.demo import demo_data_create
from units.models import Membership, Unit, UnitKind

TODAY = datetime.date(2026, 11, 26)
pytestmark = pytest.mark.django_db


def test_every_state_is_there_labelled_as_sample_and_a_second_run_adds_nothing(private_files):
    demo_data_create(today=TODAY)
    counts = dissemination_demo_create(today=TODAY, seed=2021)
    cells = Unit.objects.filter(kind=UnitKind.PARTY_CELL)
    assert cells.count() == 24
    assert all(cell.is_sample and "dữ liệu mẫu" in cell.name for cell in cells)
    assert all(cell.parent.kind == UnitKind.PARTY_COMMITTEE for cell in cells)
    secretaries = get_user_model().objects.filter(username__startswith="cb-")
    assert secretaries.count() == 18
    assert all(user.check_password("demo") for user in secretaries[:2])
    for user in secretaries:
        membership = Membership.objects.get(user=user)
        assert (membership.role, f"cb-{membership.unit.code}") == ("head", user.username)

    plans = ImplementingPlan.objects.all()
    owing = plan_units(plans.first().directive, TODAY).count()
    assert plans.filter(issued_on__lte=F("due_on")).exists()
    assert plans.filter(issued_on__gt=F("due_on")).exists()
    assert 0 < owing - plans.count() < owing  # some missing
    assert plans.exclude(file="").exists() and plans.filter(file="").exists()
    assert DisseminationSession.objects.count() > plans.count()  # make-up sessions too
    assert SessionAttachment.objects.exists()

    confirmations = CellConfirmation.objects.all()
    assert confirmations.filter(confirmed_on__lte=F("due_on"), on_behalf=False).exists()
    assert confirmations.filter(confirmed_on__gt=F("due_on")).exists()
    assert confirmations.filter(on_behalf=True).exists()
    assert any(confirmation.history.count() == 2 for confirmation in confirmations)
    assert cells.count() - confirmations.count() > 0
    assert counts["cellconfirmation created"] == confirmations.count()

    assert dissemination_demo_create(today=TODAY, seed=2021) == {}
