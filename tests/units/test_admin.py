import datetime

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, UnitFactory
from units.models import Membership, Reorganisation, UnitPlacement, UnitSuccession

UNIT_MODELS = list(apps.get_app_config("units").get_models())
CHANGELIST = reverse("admin:units_unit_changelist")


@pytest.fixture
def one_of_each(unit_a, unit_b, reporter_a, admin_user):
    UnitSuccession.objects.create(
        predecessor=unit_a, successor=unit_b, kind="merge", effective_on=datetime.date(2025, 7, 1)
    )
    UnitPlacement.objects.create(unit=unit_b, parent=None, ends_on=datetime.date(2024, 12, 31))
    Reorganisation.objects.create(user=admin_user, source="sheet", filename="sap-xep.xlsx", changes=1)


# The audit trail of reorganisations is read only: no add page.
READ_ONLY = {Reorganisation}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", UNIT_MODELS, ids=lambda model: model.__name__)
def test_admin_pages_open_for_superuser(model, one_of_each, admin_user, client_for):
    assert model in admin.site._registry
    client = client_for(admin_user)
    obj = model._default_manager.first()
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
        if model in READ_ONLY and url == admin_url(model, "add"):
            assert client.get(url).status_code == 403, url
            continue
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [Membership, UnitSuccession], ids=lambda model: model.__name__)
def test_changelists_run_the_same_queries_whatever_the_number_of_rows(
    model, one_of_each, admin_user, client_for, django_assert_max_num_queries
):
    client = client_for(admin_user)
    url = admin_url(model, "changelist")
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(3):
        MembershipFactory()
        UnitSuccession.objects.create(
            predecessor=UnitFactory(), successor=UnitFactory(), kind="split", effective_on=datetime.date(2025, 7, 1)
        )
    with django_assert_max_num_queries(10) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def build_tree(branches, communes_per_branch):
    """A province with ``branches`` districts, each with its communes; names are
    chosen so that alphabetical order differs from tree order."""
    root = UnitFactory(name="Province", level=1)
    for branch in range(branches):
        district = UnitFactory(name=f"District {branch}", level=2, parent=root)
        for commune in range(communes_per_branch):
            UnitFactory(name=f"Commune {branch}-{commune}", level=3, parent=district)
    return root


def positions(html, *names):
    return [html.index(f"{name}</") for name in names]


def test_unit_changelist_lists_children_under_their_parent_indented(admin_user, client_for):
    build_tree(branches=2, communes_per_branch=1)
    html = client_for(admin_user).get(CHANGELIST).content.decode()

    order = positions(html, "Province", "District 0", "Commune 0-0", "District 1", "Commune 1-0")
    assert order == sorted(order)
    assert 'unit-tree-depth-1">└&nbsp;District 0<' in html
    assert 'unit-tree-depth-2">└&nbsp;Commune 0-0<' in html
    # The indent comes from the admin's stylesheet (no inline style under the CSP).
    assert "units/admin.css" in html
    css = (settings.BASE_DIR / "static" / "units" / "admin.css").read_text()
    assert ".unit-tree-depth-1 { padding-left: 40px; }" in css
    assert ".unit-tree-depth-2 { padding-left: 64px; }" in css
    assert "text-indent: -16px" in css


def test_unit_changelist_runs_the_same_queries_whatever_the_tree_size(
    admin_user, client_for, django_assert_max_num_queries
):
    client = client_for(admin_user)
    build_tree(branches=1, communes_per_branch=1)
    with django_assert_max_num_queries(6) as small:
        assert client.get(CHANGELIST).status_code == 200
    build_tree(branches=6, communes_per_branch=5)
    with django_assert_max_num_queries(6) as large:
        response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 3 + 1 + 6 + 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_unit_changelist_filters_by_open_today(admin_user, client_for):
    today = timezone.localdate()
    UnitFactory(name="Still open", valid_from=today - datetime.timedelta(days=30))
    UnitFactory(
        name="Merged away", valid_from=today - datetime.timedelta(days=900), valid_to=today - datetime.timedelta(days=1)
    )
    UnitFactory(name="Opens later", valid_from=today + datetime.timedelta(days=10))
    client = client_for(admin_user)

    open_names = {unit.name for unit in client.get(CHANGELIST, {"open": "yes"}).context["cl"].result_list}
    closed_names = {unit.name for unit in client.get(CHANGELIST, {"open": "no"}).context["cl"].result_list}

    assert open_names == {"Still open"}
    assert closed_names == {"Merged away", "Opens later"}


def test_unit_change_page_shows_members_and_both_sides_of_a_succession(one_of_each, unit_a, admin_user, client_for):
    MembershipFactory(unit=unit_a, role="head")
    response = client_for(admin_user).get(admin_url(unit_a.__class__, "change", unit_a.pk))
    formsets = {formset.formset.prefix: formset.formset for formset in response.context["inline_admin_formsets"]}

    assert formsets["memberships"].queryset.count() == 2
    assert formsets["succession_to"].queryset.get().successor.code == "unit-b"
    assert formsets["succession_from"].queryset.count() == 0
