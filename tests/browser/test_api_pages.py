"""The API's pages in real Chromium under the site's Content-Security-Policy:
a user makes, copies and revokes a key; Swagger UI and Redoc are served by the
app itself and render without breaking the policy."""

import pytest

from api.models import ApiKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_a_user_makes_a_key_sees_it_once_uses_it_and_revokes_it(page, sign_in, reporter_a):
    sign_in("reporter-a")
    page.get_by_role("link", name="Khóa API").click()
    page.get_by_label("Tên").fill("Hệ thống quản lý văn bản")
    page.get_by_label("Đọc và ghi").check()
    page.get_by_role("button", name="Tạo khóa").click()
    raw = page.get_by_test_id("new-key").locator("input").input_value()
    assert raw.startswith(ApiKey.objects.get().prefix)
    page.screenshot(path="test-artifacts/api-keys.png", full_page=True)
    answer = page.request.get(f"{page.base_url}/api/v1/due/", headers={"Authorization": f"Api-Key {raw}"})
    assert answer.status == 200 and answer.json() == []
    page.goto(page.url)  # the page again (not the form sent again): the key is not shown a second time
    assert raw not in page.content()
    row = page.get_by_test_id("key-row")
    assert "Hệ thống quản lý văn bản" in row.inner_text() and "Đọc và ghi" in row.inner_text()
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    row.get_by_role("button", name="Thu hồi").click()
    assert "Đã thu hồi khóa" in page.content()
    assert ApiKey.objects.get().revoked_at is not None


@pytest.mark.parametrize(
    "path, ready, operation, body",
    [
        ("/api/docs/", ".swagger-ui .info .title", ".opblock-summary", ".opblock-body"),
        (
            "/api/docs/redoc/",
            ".api-content h1",
            "[data-section-id^='operation/'] h2",
            "[data-section-id^='operation/']",
        ),
    ],
    ids=["swagger-ui", "redoc"],
)
def test_the_api_documentation_renders_from_the_apps_own_files(page, db, path, ready, operation, body):
    foreign = []
    local = (page.base_url, "blob:" + page.base_url)  # Redoc's search runs in a worker made from a blob
    page.on("request", lambda request: None if request.url.startswith(local) else foreign.append(request.url))
    page.goto(f"{page.base_url}{path}")
    page.locator(ready).first.wait_for()
    assert "Directive tracker API" in page.locator(ready).first.inner_text()
    page.locator(operation).first.click()  # an operation opened, with its schema
    page.locator(body).first.wait_for()
    page.screenshot(path=f"test-artifacts/api-docs-{path.strip('/').replace('/', '-')}.png")
    if path.endswith("redoc/"):
        # Redoc's sidebar always shows Redocly's logo from their CDN: the policy blocks that one
        # image (Redoc then hides it), so nothing leaves the machine and nothing else is refused.
        assert foreign == [REDOCLY_LOGO]
        assert page.csp_violations and all(REDOCLY_LOGO in text for text in page.csp_violations), page.csp_violations
        page.csp_violations.clear()
    else:
        assert foreign == []
    # Each page links to the other; the site's policy is checked on every page (tests/browser/conftest.py).
    links = {link.inner_text(): link.get_attribute("href") for link in page.locator(".api-docs-nav a").all()}
    assert links["Swagger UI"] == "/api/docs/" and links["Redoc"] == "/api/docs/redoc/"
