"""The admin in Vietnamese (#11.9): the periodic tasks, the user pages, the
history pages and the filters show no English left over, and people's names
read the Vietnamese way (họ và tên đệm, then tên)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.factories import AssignmentFactory, UserFactory
from units.people import full_name, permission_label

User = get_user_model()


@pytest.fixture
def vietnamese_admin(admin_user, client_for):
    return client_for(admin_user)  # Vietnamese is the default language


@pytest.fixture
def lan(db):
    return UserFactory(username="lan", last_name="Nguyễn Thị", first_name="Lan")


def visible_text(response):
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_english(text, *phrases):
    left = [phrase for phrase in phrases if phrase in text]
    assert not left, f"English left over: {left}"


def test_full_name_puts_ho_va_ten_dem_first(lan):
    assert lan.get_full_name() == "Nguyễn Thị Lan"
    assert full_name(User(first_name="Lan")) == "Lan"


def test_index_names_the_periodic_task_section_in_vietnamese(vietnamese_admin):
    text = visible_text(vietnamese_admin.get(reverse("admin:index")))
    assert "Tác vụ định kỳ" in text
    assert_no_english(text, "Periodic Tasks", "Clocked", "Crontabs", "Intervals", "Solar events", "BẢN GHI NHỚ")


def test_periodic_task_list_and_form_are_vietnamese(vietnamese_admin):
    task = PeriodicTask.objects.order_by("pk").first()
    listing = visible_text(vietnamese_admin.get(reverse("admin:django_celery_beat_periodictask_changelist")))
    assert "Hiện số lượng" in listing or "Ẩn số lượng" in listing
    assert_no_english(
        listing, "Show counts", "Hide counts", "Enabled", "Run selected tasks", "Periodic Tasks", "Scheduler",
        "Task Name", "Bởi",
    )  # fmt: skip
    form = visible_text(vietnamese_admin.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])))
    assert "Lịch chạy" in form and "Tham số theo vị trí" in form
    assert_no_english(
        form, "Schedule", "Arguments", "Execution Options", "Positional Arguments", "Interval Schedule",
        "Short Description", "Last Run Datetime", "Total Run Count", "History", "Crontab translation",
    )  # fmt: skip
    assert (
        "Translation:"
        not in vietnamese_admin.get(
            reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
        ).content.decode()
    )


def test_user_page_asks_for_ho_va_ten_dem_then_ten_and_names_permissions_in_vietnamese(vietnamese_admin, lan):
    lan.user_permissions.add(Permission.objects.get(codename="add_unit"))
    response = vietnamese_admin.get(reverse("admin:auth_user_change", args=[lan.pk]))
    text = visible_text(response)
    assert text.index("Họ và tên đệm") < text.index("Tên:")
    assert "Được thêm đơn vị" in response.content.decode()
    assert "Được thêm nhóm" in response.content.decode()
    assert_no_english(
        text, "Password-based authentication", "Reset password", "Personal info", "Can add", "Can change",
        "Last name", "First name", "History",
    )  # fmt: skip
    listing = visible_text(vietnamese_admin.get(reverse("admin:auth_user_changelist")))
    assert "Nguyễn Thị Lan" in listing


def test_permission_labels_rebuild_builtin_names_and_translate_custom_ones(db):
    from django.utils import translation

    with translation.override("vi"):
        assert permission_label(Permission.objects.get(codename="view_reportingperiod")).endswith(
            "| Được xem kỳ báo cáo"
        )
        assert "Can " not in permission_label(Permission.objects.get(codename="delete_group"))


def test_history_page_is_vietnamese(vietnamese_admin, assignment_a):
    assignment_a.work = "Giám sát chuyên đề"
    assignment_a.save()
    text = visible_text(vietnamese_admin.get(reverse("admin:reports_assignment_history", args=[assignment_a.pk])))
    assert "Lịch sử thay đổi" in text
    assert re.search(r"\d+ bản ghi", text)
    assert_no_english(text, "entries", "entry", "Changed by", "Change reason", "Bản ghi nhớ", "BẢN GHI NHỚ")


def test_group_page_names_permissions_in_vietnamese(vietnamese_admin):
    from django.contrib.auth.models import Group

    group = Group.objects.order_by("pk").first()
    response = vietnamese_admin.get(reverse("admin:auth_group_change", args=[group.pk]))
    html = response.content.decode()
    assert "Được sửa" in html and "Can change" not in html


def test_unit_form_calls_the_parent_the_unit_above(vietnamese_admin):
    unit = AssignmentFactory().unit
    text = visible_text(vietnamese_admin.get(reverse("admin:units_unit_change", args=[unit.pk])))
    assert "Đơn vị cấp trên" in text
    assert_no_english(text, "Parent:")
