"""In real Chromium (issue #10): a large export is made by the form its link
leads to, once however often it is asked for; a missing page is the site's own
Vietnamese page with a way back, usable at 375 px."""

import re

import pytest
from playwright.sync_api import expect

from dashboard.models import ExportJob
from tests.browser.test_dashboard import EXCEL, directive  # noqa: F401 - the fixture
from tests.factories import UserFactory
from units.roles import COMMITTEE_GROUP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_export_is_made_by_a_form_once(page, sign_in, directive, settings):  # noqa: F811 - the fixture
    settings.EXPORT_INLINE_MAX_ROWS = 0  # every export is "large"
    UserFactory(username="btv", groups=[COMMITTEE_GROUP])
    sign_in("btv")
    page.goto(f"{page.base_url}/dashboard/")
    page.get_by_role("link", name=EXCEL).click()
    expect(page.get_by_role("heading", name=EXCEL)).to_be_visible()
    assert ExportJob.objects.count() == 0  # opening the link makes nothing
    page.get_by_role("button", name="Lập tệp").click()
    page.wait_for_url(re.compile(r"/dashboard/exports/[0-9a-f-]{36}/$"))
    job_url = page.url
    expect(page.get_by_test_id("export-progress")).to_be_visible()

    page.go_back()  # and ask again
    page.get_by_role("button", name="Lập tệp").click()
    page.wait_for_url(re.compile(r"/dashboard/exports/"))
    assert page.url == job_url
    assert ExportJob.objects.count() == 1


def test_a_missing_page_is_vietnamese_with_a_way_back_at_375_px(page, sign_in):
    UserFactory(username="btv", groups=[COMMITTEE_GROUP])
    sign_in("btv")
    page.set_viewport_size({"width": 375, "height": 740})
    response = page.goto(f"{page.base_url}/dashboard/units/99999999999999999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Trang này không tồn tại hoặc bạn không được xem")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="Về trang chủ").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
