"""Real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download does not work on our network, so it launches
the system binary. In CI a missing Chromium fails the run; elsewhere the
browser tests are skipped with a message saying how to install it.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in
# the same test are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page runs under the site's Content-Security-Policy; a violation (an
# inline script or style, a foreign source) is reported to the console and
# fails the test at teardown.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " in " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
});
"""


def _is_csp_violation(message):
    return message.type == "error" and ("CSP violation" in message.text or "Content Security Policy" in message.text)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    violations = []
    context.on("console", lambda message: violations.append(message.text) if _is_csp_violation(message) else None)
    page = context.new_page()
    page.base_url = live_server.url
    page.csp_violations = violations
    yield page
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def sign_in(page, password):
    def sign_in_as(username):
        page.goto(f"{page.base_url}/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        # Home sends each role to its own page (my work, the inbox, the overview).
        page.wait_for_url(lambda url: "/login/" not in url)
        page.wait_for_load_state()
        return page

    return sign_in_as
