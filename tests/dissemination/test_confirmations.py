"""A cell confirmed twice counts once; a confirmation after the deadline counts
as late; confirming on a cell's behalf is recorded as such."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from dissemination.models import CellConfirmation, CellSize, DisseminationSetting
from dissemination.services import cell_confirm, setting_save
from tests.dissemination.conftest import SIGNED_ON

pytestmark = pytest.mark.django_db
DUE = SIGNED_ON + datetime.timedelta(days=90)


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _data(**changes):
    return {
        "met_on": DUE - datetime.timedelta(days=5),
        "members_present": 18,
        "members_total": 20,
        "note": "",
    } | changes


def test_a_cell_confirmed_twice_counts_once_and_keeps_both_versions(tree):
    first, created = cell_confirm(
        directive=tree.directive,
        cell=tree.cell_1,
        data=_data(),
        by=tree.secretary_1,
        now=_at(DUE - datetime.timedelta(days=3)),
    )
    assert created
    second, created = cell_confirm(
        directive=tree.directive,
        cell=tree.cell_1,
        data=_data(members_present=19, note="Bổ sung một đồng chí."),
        by=tree.commune_head,
        now=_at(DUE + datetime.timedelta(days=10)),
    )
    assert not created and second.pk == first.pk
    assert CellConfirmation.objects.filter(directive=tree.directive).count() == 1
    stored = CellConfirmation.objects.get()
    assert (stored.members_present, stored.note) == (19, "Bổ sung một đồng chí.")
    # The first confirmation's date stays: a correction after the deadline does not make it late.
    assert stored.confirmed_on == DUE - datetime.timedelta(days=3)
    assert not stored.is_late
    assert stored.history.count() == 2
    assert [row.members_present for row in stored.history.order_by("history_date")] == [18, 19]
    assert stored.on_behalf  # the last change was the committee's
    assert CellSize.objects.get(cell=tree.cell_1).party_members == 20


def test_a_confirmation_after_the_deadline_counts_as_late_by_query(tree):
    cell_confirm(directive=tree.directive, cell=tree.cell_1, data=_data(), by=tree.secretary_1, now=_at(DUE))
    cell_confirm(
        directive=tree.directive,
        cell=tree.cell_2,
        data=_data(),
        by=tree.secretary_2,
        now=_at(DUE + datetime.timedelta(days=1)),
    )
    late = CellConfirmation.objects.filter(confirmed_on__gt=F("due_on"))
    on_time = CellConfirmation.objects.filter(confirmed_on__lte=F("due_on"))
    assert list(late.values_list("cell", flat=True)) == [tree.cell_2.pk]
    assert list(on_time.values_list("cell", flat=True)) == [tree.cell_1.pk]
    assert CellConfirmation.objects.get(cell=tree.cell_2).is_late


def test_the_deadline_is_the_local_day_not_utc(tree, settings):
    # 23:30 on the due day in Hà Nội is already the next day nowhere that matters here.
    late_evening = timezone.make_aware(datetime.datetime.combine(DUE, datetime.time(23, 30)))
    confirmation, _ = cell_confirm(
        directive=tree.directive, cell=tree.cell_1, data=_data(), by=tree.secretary_1, now=late_evening
    )
    assert confirmation.confirmed_on == DUE and not confirmation.is_late


def test_changing_the_deadline_moves_the_stored_due_dates(tree):
    cell_confirm(
        directive=tree.directive,
        cell=tree.cell_1,
        data=_data(),
        by=tree.secretary_1,
        now=_at(DUE + datetime.timedelta(days=5)),
    )
    assert CellConfirmation.objects.get().is_late
    setting = DisseminationSetting.objects.get(directive=tree.directive)
    setting.cell_due_days = 120
    setting_save(setting=setting)
    stored = CellConfirmation.objects.get()
    assert stored.due_on == SIGNED_ON + datetime.timedelta(days=120)
    assert not stored.is_late


def test_the_secretary_confirms_for_the_cell_and_the_committee_on_its_behalf(tree):
    own, _ = cell_confirm(directive=tree.directive, cell=tree.cell_1, data=_data(), by=tree.secretary_1)
    behalf, _ = cell_confirm(directive=tree.directive, cell=tree.cell_2, data=_data(), by=tree.commune_head)
    assert not own.on_behalf and own.confirmed_by == tree.secretary_1
    assert behalf.on_behalf and behalf.confirmed_by == tree.commune_head


@pytest.mark.parametrize("who", ["secretary_2", "commune_viewer", "district_head", "head_a", "office", "committee"])
def test_others_may_not_confirm(tree, who):
    with pytest.raises(PermissionDenied):
        cell_confirm(directive=tree.directive, cell=tree.cell_1, data=_data(), by=getattr(tree, who))
    assert not CellConfirmation.objects.exists()


def test_more_present_than_members_is_refused_by_the_database_too(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cell_confirm(directive=tree.directive, cell=tree.cell_1, data=_data(members_present=21), by=tree.secretary_1)
    assert not CellConfirmation.objects.exists()
