"""The follow-up register's import and dashboard section in real Chromium
(issue #15): the office uploads a supervision session's recommendations,
reads the check row by row, confirms, and the items are in the register; the
committee reads the dashboard's follow-up section. Every page meets WCAG 2.1
AA (axe-core) and fits a 375 px phone; screenshots at 1366 and 375 px go to
var/screenshots."""

import datetime
import pathlib

import pytest
from django.conf import settings

from followups.models import FollowUpItem
from tests.browser.test_accessibility import AXE_SOURCE, Crawl
from tests.factories import PeriodFactory, UnitFactory
from tests.followups_roll.conftest import hdnd, make_item  # noqa: F401 (fixtures)
from tests.followups_roll.test_import import row, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = pathlib.Path(settings.BASE_DIR) / "var" / "screenshots"


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"followups-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def units(province):
    UnitFactory(code="tt-hdnd", name="Thường trực HĐND tỉnh (thử)", kind="advisory_body", parent=province)
    UnitFactory(code="ubnd-tinh", name="UBND tỉnh (thử)", parent=province)
    UnitFactory(code="so-tai-chinh", name="Sở Tài chính (thử)", parent=province)
    UnitFactory(code="so-xay-dung", name="Sở Xây dựng (thử)", parent=province)


def test_the_office_imports_a_supervisions_recommendations(page, browser, sign_in, units, office_user, tmp_path,
                                                           settings):  # fmt: skip
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    bad = tmp_path / "kien-nghi-loi.xlsx"
    bad.write_bytes(workbook(row("1"), row("2", **{"Mã đơn vị chủ trì": "khong-co"}), row("3")))
    good = tmp_path / "kien-nghi.xlsx"
    good.write_bytes(workbook(row("1"), row("2"), row("3")))
    crawl = Crawl(browser, page.base_url, AXE_SOURCE.read_text())
    sign_in(office_user.username)

    page.goto(f"{page.base_url}/follow-ups/")
    page.get_by_role("link", name="Nhập từ tệp Excel").click()
    crawl.check(page, "office", page.url)
    shoot(page, "import")

    page.get_by_label("Tệp việc theo dõi").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.wait_for_url(lambda url: "/import/" in url and url.rstrip("/").split("/")[-1] != "import")
    assert "Cột Mã đơn vị chủ trì: Không có đơn vị nào mã “khong-co”." in page.inner_text("main")
    assert page.get_by_test_id("import-confirm").count() == 0
    crawl.check(page, "office", page.url)
    shoot(page, "import-errors")

    page.get_by_role("link", name="Tải lên tệp đã sửa").click()
    page.get_by_label("Tệp việc theo dõi").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_test_id("import-confirm").wait_for()
    assert page.get_by_test_id("count-new").inner_text() == "3" and not FollowUpItem.objects.exists()
    crawl.check(page, "office", page.url)
    shoot(page, "import-check")

    page.get_by_role("button", name="Nhập các dòng này").click()
    page.get_by_text("Đã nhập các việc theo dõi.").wait_for()
    assert FollowUpItem.objects.count() == 3
    page.get_by_role("link", name="Quay lại sổ theo dõi").click()
    assert page.get_by_test_id("register-list").locator("li").count() == 3
    assert not crawl.problems, dict(crawl.problems)


def test_the_committee_reads_the_follow_up_section_of_the_dashboard(
    page,
    browser,
    sign_in,
    make_item,  # noqa: F811 (a fixture)
    unit_a,
    unit_b,
    committee_user,
    schedule,
    assignment_a,
):
    today = datetime.date.today()
    PeriodFactory(schedule=schedule, key="ky-thu", starts_on=today - datetime.timedelta(days=200),
                  ends_on=today - datetime.timedelta(days=20), due_on=today - datetime.timedelta(days=15))  # fmt: skip
    day = datetime.timedelta(days=1)
    make_item(unit_a, number="1", deadline=today - 40 * day, status="settled", completed_on=today - 45 * day)
    make_item(unit_a, number="2", deadline=today - 30 * day, status="settled", completed_on=today - 20 * day)
    make_item(unit_b, number="3", deadline=today - 25 * day, status="in_progress",
              text="Đẩy nhanh tiến độ giải phóng mặt bằng các dự án trọng điểm của tỉnh")  # fmt: skip
    make_item(unit_b, number="4", deadline=today + 20 * day, kind="direction")
    crawl = Crawl(browser, page.base_url, AXE_SOURCE.read_text())
    sign_in(committee_user.username)

    page.goto(f"{page.base_url}/dashboard/")
    section = page.get_by_test_id("followups-section")
    section.scroll_into_view_if_needed()
    assert page.get_by_test_id("followups-total").inner_text().endswith("4")
    assert "50,0" in page.get_by_test_id("followups-on-time-rate").inner_text()
    assert "Đẩy nhanh tiến độ" in page.get_by_test_id("followups-oldest").inner_text()
    crawl.check(page, "committee", page.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        section.screenshot(path=str(SHOTS / f"followups-dashboard-section-{width}.png"))
    page.get_by_test_id("followups-overdue").click()
    assert "status=overdue" in page.url
    assert not crawl.problems, dict(crawl.problems)
