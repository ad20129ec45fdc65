import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from reports.models import Assignment
from tests.factories import AssignmentFactory, IndicatorFactory, TaskFactory, UnitFactory, UserFactory

DIRECTIVE_MODELS = list(apps.get_app_config("directives").get_models())
TASKS = reverse("admin:directives_task_changelist")


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_each(task, assignment_a):
    IndicatorFactory(task=task)


@pytest.mark.parametrize("model", DIRECTIVE_MODELS, ids=lambda model: model.__name__)
def test_admin_pages_open_for_superuser(model, one_of_each, admin_user, client_for):
    assert model in admin.site._registry
    client = client_for(admin_user)
    obj = model._default_manager.first()
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", DIRECTIVE_MODELS, ids=lambda model: model.__name__)
def test_changelists_run_the_same_queries_whatever_the_number_of_rows(
    model, one_of_each, province, admin_user, client_for, django_assert_max_num_queries
):
    client = client_for(admin_user)
    url = admin_url(model, "changelist")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(3):
        more = TaskFactory(directive__issuing_unit=province)
        IndicatorFactory(task=more)
        AssignmentFactory(task=more)
    with django_assert_max_num_queries(20) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.fixture
def english_admin(admin_user, client_for):
    client = client_for(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def other_units(province):
    """Units the action must leave alone when assigning district Party committees."""
    today = timezone.localdate()
    return [
        UnitFactory(name="People's Committee", kind="peoples_committee", level=2, parent=province),
        UnitFactory(name="Commune committee", kind="party_committee", level=3, parent=province),
        UnitFactory(
            name="Merged committee",
            level=2,
            valid_from=today - datetime.timedelta(days=900),
            valid_to=today - datetime.timedelta(days=1),
        ),
        UnitFactory(name="Future committee", level=2, valid_from=today + datetime.timedelta(days=30)),
    ]


@pytest.fixture
def reviewer(province):
    return UnitFactory(name="Provincial office", kind="advisory_body", level=1, parent=province)


def confirm(client, tasks, schedule, **fields):
    data = {
        "action": "assign_to_units",
        "_selected_action": [task.pk for task in tasks],
        "apply": "1",
        "kind": "party_committee",
        "level": "2",
        "role": "coordinating",
        "schedule": schedule.pk,
        "reviewing_unit": "",
        "only_open": "on",
        **fields,
    }
    return client.post(TASKS, data, follow=True)


def test_assign_action_shows_a_form_for_the_selected_tasks(task, english_admin):
    other = TaskFactory(title="Another task")
    response = english_admin.post(
        TASKS, {"action": "assign_to_units", "_selected_action": [task.pk, other.pk], "index": "0"}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/directives/task/assign_to_units.html"
    assert set(response.context["tasks"]) == {task, other}
    assert response.context["form"].fields["only_open"].initial is True
    html = response.content.decode()
    assert f'name="_selected_action" value="{task.pk}"' in html
    assert 'name="action" value="assign_to_units"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert not Assignment.objects.exists()


def test_assign_action_assigns_open_units_of_the_kind_and_level_and_skips_existing(
    task, assignment_b, unit_a, unit_b, reviewer, other_units, schedule, english_admin
):
    second = TaskFactory(directive=task.directive, number=2)

    response = confirm(english_admin, [task, second], schedule, reviewing_unit=reviewer.pk)

    assert response.redirect_chain[-1] == (TASKS, 302)
    assigned = set(Assignment.objects.values_list("task_id", "unit_id"))
    assert assigned == {(task.pk, unit_a.pk), (task.pk, unit_b.pk), (second.pk, unit_a.pk), (second.pk, unit_b.pk)}
    created = Assignment.objects.exclude(pk=assignment_b.pk)
    assert {(a.role, a.schedule_id, a.reviewing_unit_id) for a in created} == {
        ("coordinating", schedule.pk, reviewer.pk)
    }
    assignment_b.refresh_from_db()
    assert assignment_b.role == "lead"
    assert [str(message) for message in response.context["messages"]] == [
        "3 assignments were created.",
        "1 assignment already existed and was left unchanged.",
    ]


def test_assign_action_only_reports_existing_ones_when_all_were_assigned(
    task, assignment_a, assignment_b, schedule, english_admin
):
    response = confirm(english_admin, [task], schedule)

    assert [str(message) for message in response.context["messages"]] == [
        "2 assignments already existed and were left unchanged."
    ]
    assert Assignment.objects.count() == 2


def test_assign_action_includes_closed_units_when_asked(task, unit_a, other_units, schedule, english_admin):
    confirm(english_admin, [task], schedule, only_open="")

    names = set(Assignment.objects.values_list("unit__name", flat=True))
    assert names == {unit_a.name, "Merged committee", "Future committee"}


def test_assign_action_redisplays_the_form_when_it_is_incomplete(task, unit_a, schedule, english_admin):
    response = confirm(english_admin, [task], schedule, level="")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["level"]
    assert not Assignment.objects.exists()


def test_assign_action_warns_when_no_unit_matches(task, schedule, english_admin):
    response = confirm(english_admin, [task], schedule, kind="delegate_group")

    assert [str(message) for message in response.context["messages"]] == ["No unit matches the chosen kind and level."]
    assert not Assignment.objects.exists()


def test_assign_action_is_offered_only_to_users_who_may_add_assignments(task, client_for):
    clerk = UserFactory(username="clerk")
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_task", "delete_task"]))
    client = client_for(clerk)

    def offered():
        return dict(client.get(TASKS).context["action_form"].fields["action"].choices)

    assert "delete_selected" in offered()
    assert "assign_to_units" not in offered()
    clerk.user_permissions.add(Permission.objects.get(codename="add_assignment"))
    assert "assign_to_units" in offered()
