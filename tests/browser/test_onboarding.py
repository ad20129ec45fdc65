"""The organisation import in real Chromium (issue #12): an administrator
uploads the workbook, reads the check row by row, confirms, and the units are
there; the upload and the check pages meet WCAG 2.1 AA (axe-core) and fit a
375 px phone."""

import pytest

from tests.browser.test_accessibility import AXE_SOURCE, Crawl
from tests.factories import UnitFactory
from tests.onboarding.test_workbook import UNIT, book
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_imports_the_organisation_from_the_admin(
    page, browser, admin_user, password, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    UnitFactory(code="tinh-uy", name="Tỉnh ủy Thử", level=1)
    workbook = tmp_path / "to-chuc.xlsx"
    child = ["xa-b", "Đảng ủy xã B", "", "Cấp ủy", "Xã", "huyen-uy-a", "", "", "", "có"]
    workbook.write_bytes(book(units=[UNIT, child], users=[["lan", "Nguyễn Thị", "Lan", "", "có"]]))
    crawl = Crawl(browser, page.base_url, AXE_SOURCE.read_text())

    page.goto(f"{page.base_url}/admin/login/")
    page.get_by_label("Tên đăng nhập").fill(admin_user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{page.base_url}/admin/onboarding/importbatch/")
    page.get_by_role("link", name="Nhập tổ chức từ tệp").first.click()
    crawl.check(page, "admin", page.url)

    page.get_by_label("Sổ tổ chức").set_input_files(str(workbook))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.wait_for_url(lambda url: "/preview/" in url)
    summary = page.locator(".onboarding-preview table").first.inner_text()
    assert "Đơn vị" in summary and "Người dùng" in summary
    assert "huyen-uy-a" in page.content() and not Unit.objects.filter(code="xa-b").exists()
    crawl.check(page, "admin", page.url)

    page.get_by_role("button", name="Nhập các dòng này").click()
    page.get_by_text("Đã nhập tổ chức.").wait_for()
    assert Unit.objects.get(code="xa-b").parent.code == "huyen-uy-a"
    crawl.check(page, "admin", page.url)
    assert not crawl.problems, dict(crawl.problems)
