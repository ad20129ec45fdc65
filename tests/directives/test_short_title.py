"""A directive's short name, and the one way a task is printed with its directive,
so that two "Nhiệm vụ 1." of two directives can be told apart."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from directives.models import Directive
from directives.seed import hai_duong as seed
from tests.factories import DirectiveFactory, TaskFactory

TITLE = "Về tăng cường sự lãnh đạo của Đảng đối với công tác chuyển đổi số trong các cơ quan đảng giai đoạn 2025-2030"


@pytest.mark.parametrize(
    ("number", "short_title", "expected"),
    [
        ("05-CT/TU", "Chuyển đổi số", "05-CT/TU – Chuyển đổi số"),
        ("05-CT/TU", "", "05-CT/TU"),
        ("", "Chuyển đổi số", "Chuyển đổi số"),
        ("  ", " ", "Về tăng cường sự lãnh đạo của Đảng đối với công tác…"),
    ],
)
def test_short_label_is_number_and_short_title_else_the_start_of_the_title(number, short_title, expected, db):
    directive = DirectiveFactory(number=number, short_title=short_title, title=TITLE)
    assert directive.short_label == expected


def test_a_task_prints_with_its_directive(db):
    task = TaskFactory(directive=DirectiveFactory(number="05-CT/TU", short_title="Chuyển đổi số"), number=1, title="A")
    with translation.override("vi"):
        assert task.label == "Nhiệm vụ 1. A"
        assert task.with_directive == "05-CT/TU – Chuyển đổi số · Nhiệm vụ 1. A"
    with translation.override("en"):
        assert task.with_directive == "05-CT/TU – Chuyển đổi số · Task 1. A"


def test_the_seed_directive_has_its_short_title(db):
    call_command("load_directive", verbosity=0)
    directive = Directive.objects.get(code=seed.DIRECTIVE_CODE)
    assert directive.short_title == seed.SHORT_TITLE == "Lãnh đạo HĐND các cấp 2021–2026"
    assert directive.short_label == seed.SHORT_TITLE  # the number is blank in the source


def test_the_migration_names_a_seed_directive_loaded_before_short_titles_and_keeps_an_edited_one(db):
    migration = importlib.import_module("directives.migrations.0006_directive_short_title")
    loaded = DirectiveFactory(code=seed.DIRECTIVE_CODE, short_title="")
    other = DirectiveFactory(short_title="")
    migration.set_seed_short_title(apps, None)
    loaded.refresh_from_db()
    other.refresh_from_db()
    assert (loaded.short_title, other.short_title) == (seed.SHORT_TITLE, "")
    Directive.objects.filter(pk=loaded.pk).update(short_title="Đã sửa")
    migration.set_seed_short_title(apps, None)
    loaded.refresh_from_db()
    assert loaded.short_title == "Đã sửa"


def test_administrators_edit_the_short_title(admin_user, client_for):
    directive = DirectiveFactory()
    client = client_for(admin_user)
    url = reverse("admin:directives_directive_change", args=[directive.pk])
    page = client.get(url).content.decode()
    assert 'name="short_title"' in page
    assert "Tên ngắn" in page


def test_screens_show_the_title_with_the_sources_slip_corrected_and_the_verbatim_title_is_kept(db):
    from django.core.management import call_command

    from directives.models import Directive

    call_command("load_directive", verbosity=0)
    directive = Directive.objects.get()

    assert "NIỆM KỲ" in directive.title
    assert "NHIỆM KỲ 2021-2026" in directive.display_title and "NIỆM" not in str(directive)
