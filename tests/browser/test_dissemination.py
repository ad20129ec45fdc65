"""Dissemination in real Chromium: a Party cell's secretary follows the
e-mail's link on a 375 px phone, signs in and confirms on one screen with
large targets; the grassroots committee confirms on a cell's behalf; the
committee's plan form keeps what was typed when it is refused. axe-core runs
on the phone page. Screenshots at 1366 and 375 px go to
``$VAR_DIR/screenshots/``."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from dissemination.models import CellConfirmation, DisseminationSetting, ImplementingPlan
from tests.factories import DirectiveFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = 375, 1366
AXE_SOURCE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
AXE_RUN = """async () => (await axe.run(document, {runOnly: {type: 'tag', values:
  ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => v.id + ': ' + v.help)"""


def screenshot_folder():
    folder = Path(os.environ.get("SCREENSHOT_DIR", Path(settings.VAR_DIR) / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def cells(province, unit_b):
    directive = DirectiveFactory(issuing_unit=province, signed_on=datetime.date.today(), number="05-CT/TU",
                                 short_title="Lãnh đạo HĐND các cấp")  # fmt: skip
    DisseminationSetting.objects.create(directive=directive)
    commune = UnitFactory(code="xa-b", name="Đảng ủy xã Quang Phục", level=3, parent=unit_b)
    cell_1 = UnitFactory(code="xa-b-cb1", name="Chi bộ thôn Đông", kind="party_cell", level=4, parent=commune)
    cell_2 = UnitFactory(code="xa-b-cb2", name="Chi bộ thôn Tây", kind="party_cell", level=4, parent=commune)
    secretary = UserFactory(username="cb-xa-b-cb1", first_name="Lan", last_name="Nguyễn Thị")
    MembershipFactory(user=secretary, unit=cell_1, role="head")
    MembershipFactory(user=UserFactory(username="h-xa-b"), unit=commune, role="head")
    MembershipFactory(user=UserFactory(username="h-unit-b"), unit=unit_b, role="head")
    return directive, commune, cell_1, cell_2


def _context(browser, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    return context


def _sign_in(page, username, password):
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()


def _fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_secretary_confirms_from_the_emails_link_on_a_phone(browser, live_server, cells, password):
    directive, _commune, cell_1, _cell_2 = cells
    context = _context(browser, PHONE)
    page = context.new_page()
    link = f"{live_server.url}{reverse('dissemination_cell', args=[directive.pk, cell_1.pk])}"
    page.goto(link)  # signed out: the normal sign-in, then straight back to the cell
    expect(page).to_have_url(re.compile(r"/login/"))
    _sign_in(page, "cb-xa-b-cb1", password)
    assert page.url == link
    expect(page.get_by_role("heading", name="Chi bộ thôn Đông")).to_be_visible()
    assert page.locator("nav").count() == 0  # no menu to learn
    submit = page.get_by_test_id("cell-submit")
    # The whole form is on one phone screen, and every target is large.
    assert submit.bounding_box()["y"] + submit.bounding_box()["height"] <= 800
    for target in [submit, page.get_by_label("Ngày sinh hoạt chi bộ"), page.get_by_label("Số đảng viên dự họp")]:
        assert target.bounding_box()["height"] >= 44
    assert _fits(page, PHONE)
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    assert page.evaluate(AXE_RUN) == []
    page.screenshot(path=screenshot_folder() / "dissemination-cell-375.png", full_page=True)

    met_on = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    page.get_by_label("Ngày sinh hoạt chi bộ").fill(met_on)
    page.get_by_label("Số đảng viên dự họp").fill("25")
    page.get_by_label("Tổng số đảng viên của chi bộ").fill("22")
    page.get_by_label("Ghi chú ngắn (không bắt buộc)").fill("Sinh hoạt định kỳ tháng")
    with page.expect_navigation():
        submit.click()
    # Refused, with the reason by the field, and nothing typed is lost.
    expect(page.get_by_text("Số đảng viên dự họp (25) nhiều hơn số đảng viên của chi bộ (22).")).to_be_visible()
    expect(page.get_by_label("Ghi chú ngắn (không bắt buộc)")).to_have_value("Sinh hoạt định kỳ tháng")
    page.get_by_label("Số đảng viên dự họp").fill("20")
    with page.expect_navigation():
        page.get_by_test_id("cell-submit").click()
    expect(page.get_by_test_id("cell-message")).to_have_text("Cảm ơn đồng chí: đã ghi nhận xác nhận của chi bộ.")
    expect(page.get_by_test_id("cell-confirmed")).to_contain_text("20/22")
    # Done: the form folds away behind one button, for a correction.
    expect(page.get_by_test_id("cell-submit")).to_be_hidden()
    page.get_by_test_id("cell-change").click()
    expect(page.get_by_label("Số đảng viên dự họp")).to_have_value("20")
    assert _fits(page, PHONE)
    page.screenshot(path=screenshot_folder() / "dissemination-cell-confirmed-375.png", full_page=True)
    confirmation = CellConfirmation.objects.get()
    assert (confirmation.cell, confirmation.members_present, confirmation.on_behalf) == (cell_1, 20, False)
    context.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_grassroots_committee_confirms_on_a_cells_behalf(browser, live_server, cells, password, width):
    directive, commune, _cell_1, cell_2 = cells
    context = _context(browser, width)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('dissemination_unit', args=[directive.pk, commune.pk])}")
    _sign_in(page, "h-xa-b", password)
    row = page.get_by_test_id("diss-cell-row").filter(has_text="Chi bộ thôn Tây")
    expect(row).to_contain_text("chưa có tài khoản")
    with page.expect_navigation():
        row.get_by_role("link", name="Xác nhận thay").click()
    expect(page.get_by_test_id("cell-on-behalf")).to_be_visible()
    page.get_by_label("Ngày sinh hoạt chi bộ").fill((datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Số đảng viên dự họp").fill("11")
    page.get_by_label("Tổng số đảng viên của chi bộ").fill("12")
    with page.expect_navigation():
        page.get_by_test_id("cell-submit").click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Quay lại")).click()
    expect(page.get_by_test_id("diss-on-behalf")).to_be_visible()
    assert _fits(page, width)
    page.screenshot(path=screenshot_folder() / f"dissemination-committee-{width}.png", full_page=True)
    assert CellConfirmation.objects.get(cell=cell_2).on_behalf
    context.close()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_refused_plan_keeps_what_was_typed(browser, live_server, cells, password, unit_b, width):
    directive, *_rest = cells
    context = _context(browser, width)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('dissemination_unit', args=[directive.pk, unit_b.pk])}")
    _sign_in(page, "h-unit-b", password)
    with page.expect_navigation():
        page.get_by_role("link", name="Ghi nhận kế hoạch").click()
    page.get_by_label("Số").fill("45-KH/HU")
    page.get_by_label("Người ký").fill("Nguyễn Văn Thành")
    page.get_by_label("Ngày ký").fill((datetime.date.today() + datetime.timedelta(days=9)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_text("Ngày này chưa đến.")).to_be_visible()
    expect(page.get_by_label("Số")).to_have_value("45-KH/HU")
    expect(page.get_by_label("Người ký")).to_have_value("Nguyễn Văn Thành")
    assert _fits(page, width)
    page.screenshot(path=screenshot_folder() / f"dissemination-plan-refused-{width}.png", full_page=True)
    page.get_by_label("Ngày ký").fill(datetime.date.today().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_test_id("diss-plan-status")).to_have_text("Ban hành đúng hạn")
    assert ImplementingPlan.objects.get().number == "45-KH/HU"
    context.close()
