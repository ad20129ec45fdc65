"""A small tree for dissemination: the province committee issues the directive;
a district committee (unit B of the shared fixtures) has a grassroots commune
committee with two Party cells; a second district stands apart."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.storage import FileSystemStorage

from dissemination.models import DisseminationSetting, ImplementingPlan, SessionAttachment
from tests.factories import DirectiveFactory, MembershipFactory, UnitFactory, UserFactory

SIGNED_ON = datetime.date(2026, 1, 10)


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(ImplementingPlan._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(SessionAttachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def tree(province, unit_a, unit_b, private_files, office_user, committee_user, admin_user):
    directive = DirectiveFactory(issuing_unit=province, signed_on=SIGNED_ON, number="05-CT/TU")
    DisseminationSetting.objects.create(directive=directive, plan_due_days=30, cell_due_days=90)
    commune = UnitFactory(code="xa-b", name="Đảng ủy xã Thử (B)", level=3, parent=unit_b)
    cell_1 = UnitFactory(code="xa-b-cb1", name="Chi bộ thôn Một", kind="party_cell", level=4, parent=commune)
    cell_2 = UnitFactory(code="xa-b-cb2", name="Chi bộ thôn Hai", kind="party_cell", level=4, parent=commune)
    cell_a = UnitFactory(code="unit-a-cb", name="Chi bộ bên A", kind="party_cell", level=4, parent=unit_a)

    def member(username, unit, role):
        return MembershipFactory(user=UserFactory(username=username), unit=unit, role=role).user

    return SimpleNamespace(
        directive=directive,
        province=province,
        unit_a=unit_a,
        district=unit_b,
        commune=commune,
        cell_1=cell_1,
        cell_2=cell_2,
        cell_a=cell_a,
        secretary_1=member("cb-xa-b-cb1", cell_1, "head"),
        secretary_2=member("cb-xa-b-cb2", cell_2, "head"),
        commune_head=member("h-xa-b", commune, "head"),
        commune_viewer=member("v-xa-b", commune, "viewer"),
        district_head=member("h-unit-b", unit_b, "head"),
        head_a=member("h-unit-a", unit_a, "head"),
        office=office_user,
        committee=committee_user,
        admin=admin_user,
        storage=private_files,
    )
