"""The admin, signed in as an administrator in real Chromium in Vietnamese:
the index, the periodic tasks, a user and a history page show no English left
over. Screenshots go to test-artifacts/admin-vi/ for a human to read."""

from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "admin-vi"
ENGLISH = [
    "Periodic Tasks", "Clocked", "Crontabs", "Intervals", "Solar events", "Show counts", "Hide counts", "Parent:",
    "Password-based authentication", "Reset password", "Can add", "Can change", "Choose all", "entry", "entries",
    "Personal info", "Schedule", "Arguments", "Execution Options", "Last Run", "History", "BẢN GHI NHỚ",
    "Bản ghi nhớ", "Add ", "Change ", "Delete", "CHANGES", "Changes", "Scheduler", "Task Name", "Translation",
    "Crontab", "Thêm vào", "Kích hoạt",
]  # fmt: skip


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    text = page.locator("body").inner_text()
    left = [phrase for phrase in ENGLISH if phrase in text]
    assert not left, f"{name}: English left over: {left}"
    return text


def test_admin_reads_in_vietnamese(page, admin_user, password, assignment_a):
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(name="Nhắc hạn báo cáo", task="reminders.sweep", interval=every_hour)
    lan = UserFactory(username="lan", last_name="Nguyễn Thị", first_name="Lan")
    assignment_a.work = "Giám sát chuyên đề"
    assignment_a.save()

    page.goto(f"{page.base_url}/admin/login/")
    page.get_by_label("Tên đăng nhập").fill(admin_user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    index = shot(page, "1-index")
    assert "Tác vụ định kỳ" in index

    page.goto(f"{page.base_url}/admin/django_celery_beat/periodictask/")
    assert "Nhắc hạn báo cáo" in shot(page, "2-periodic-tasks")
    page.goto(f"{page.base_url}/admin/django_celery_beat/periodictask/{task.pk}/change/")
    assert "Tùy chọn thực thi" in shot(page, "3-periodic-task")

    page.goto(f"{page.base_url}/admin/auth/user/{lan.pk}/change/")
    user_page = shot(page, "4-user")
    assert user_page.index("Họ và tên đệm") < user_page.index("Tên:")
    assert "Chọn tất cả nhóm" in user_page or "Chọn tất cả" in page.content()
    page.goto(f"{page.base_url}/admin/auth/user/")
    assert "Nguyễn Thị Lan" in shot(page, "5-users")

    page.goto(f"{page.base_url}/admin/reports/assignment/{assignment_a.pk}/history/")
    assert "Lịch sử thay đổi" in shot(page, "6-history")
