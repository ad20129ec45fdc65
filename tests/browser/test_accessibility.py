"""Every page a person can reach, as every role, in real Chromium: no WCAG 2.1
AA violation that axe-core finds, and nothing wider than a 375 px phone.

Each role signs in and follows the links of the pages it can open, starting
from its landing page, plus one report in every state it may see and the
dashboard's drill-downs. The crawl visits one page per URL pattern and query
shape (the values of the drill-down parameters count as part of the shape), so
its length follows the number of views, not the amount of data.

axe-core comes from npm (``node_modules/axe-core``) and is evaluated in the
page as a script source, which a Content-Security-Policy without
'unsafe-inline' does not block (an injected <script> element would be)."""

import re
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from dashboard.tallies import tallies_rebuild
from directives.models import Directive
from dissemination.demo import dissemination_demo_create
from reports.demo import DEFAULT_SEED, DEMO_PASSWORD, demo_data_create
from reports.models import ProgressReport, ReportState
from units.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = Path(settings.BASE_DIR, "node_modules", "axe-core", "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# Our own admin apps: the admin index, each app's index, and a list and a form of each model.
OUR_APPS = (
    "units",
    "directives",
    "reports",
    "dashboard",
    "notifications",
    "reminders",
    "onboarding",
    "auth",
    "axes",
    "api",
    "followups",
    "dissemination",
)
ADMIN_VIEWS = re.compile(
    rf"^admin:(index|app_list|onboarding_import|units_unit_reorganise|units_unit_close|"
    rf"({'|'.join(OUR_APPS)})_\w+_(changelist|change))$"
)
# Drill-down pages read the same for every reader of the dashboard: checked once, by the first role.
SHARED_VIEWS = ("dashboard_figure_rows", "dashboard_task", "dashboard_unit")
# Parameters whose values choose what a page shows (a drill-down), not which rows.
SHAPE_VALUES = ("measure", "category", "scope", "sort", "state", "action")
# Not pages: downloads, and links that change something or end the session.
NOT_PAGES = {
    "logout",
    "set_language",
    "attachment_download",
    "notification_open",
    "notification_mark_all_read",
    "dashboard_remind_now",
    "dashboard_export_xlsx",
    "dashboard_summary_docx",
    "dashboard_summary_pdf",
    "dashboard_summary_template",
    "dashboard_export_download",
    "dashboard_matrix_children",
    "report_action",
    "attachment_remove",
    "inbox_accept",
    "dissemination_plan_file",
    "dissemination_session_attachment",
    "dissemination_session_attachment_remove",
    "healthz",
    "ping",
    # The API's schema (JSON) and its Swagger UI and Redoc (the sidecar's pages, for integrators).
    "api_schema",
    "api_docs",
    "api_redoc",
    "followup_document",
    "followup_evidence",
}

# Whatever the view, a path with a file's suffix is a download (the register's export too).
DOWNLOAD_SUFFIXES = (".xlsx", ".docx", ".pdf", ".csv", ".json", ".yaml", ".zip")

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\s+/g, ' ')),
  }));
}"""

# What sticks out of a phone's width: the document itself, any visible element
# outside the viewport that is not inside a horizontally scrollable box, and
# any select too narrow for the label it shows.
PHONE_CHECK = """() => {
  const width = window.innerWidth;
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > width) {
    problems.push(`document is ${document.documentElement.scrollWidth}px wide`);
  }
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return true;
    }
    return false;
  };
  const hidden = (el, style) => style.visibility === 'hidden' || style.display === 'none'
      || (style.position === 'absolute' && style.clip === 'rect(0px, 0px, 0px, 0px)');
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    const style = getComputedStyle(el);
    if (hidden(el, style) || scrolls(el)) continue;
    problems.push(`${name(el)} spans ${Math.round(box.left)}-${Math.round(box.right)}px`);
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const select of document.querySelectorAll('select')) {
    const option = select.options[select.selectedIndex];
    const style = getComputedStyle(select);
    if (!option || select.offsetParent === null || select.multiple || hidden(select, style)) continue;
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needed = canvas.measureText(option.text.trim()).width;
    if (needed > room + 1) {
      problems.push(`${name(select)} cuts "${option.text.trim()}" (${Math.round(needed)} > ${Math.round(room)}px)`);
    }
  }
  return problems;
}"""


def _settle(page):
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def shape(url):
    """What makes a page a new one to the crawl: its URL pattern, the names of
    its query parameters, and the values of those that choose a view. None
    for what is not a page to check."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    if name in NOT_PAGES or parts.path.endswith(DOWNLOAD_SUFFIXES):
        return None
    if match.namespace == "admin":
        return name if ADMIN_VIEWS.match(name) else None
    if name.startswith("admin"):
        return None
    query = parse_qsl(parts.query)
    return (name, tuple(sorted({k if k not in SHAPE_VALUES else f"{k}={v}" for k, v in query})))


class Crawl:
    def __init__(self, browser, base_url, axe_source):
        self.browser, self.base_url, self.axe_source = browser, base_url, axe_source
        self.problems = defaultdict(list)  # url -> [str]
        self.pages = defaultdict(int)  # role -> pages checked
        self.shared = set()  # shapes of SHARED_VIEWS already checked

    def check(self, page, role, url):
        """axe at desktop width, then the same page at phone width."""
        page.evaluate(self.axe_source)
        for violation in page.evaluate(AXE_RUN, AXE_TAGS):
            self.problems[url].append(f"axe {violation['id']} ({violation['impact']}): {violation['nodes']}")
        page.set_viewport_size(PHONE)
        _settle(page)
        for problem in page.evaluate(PHONE_CHECK):
            self.problems[url].append(f"375px: {problem}")
        page.set_viewport_size(DESKTOP)
        self.pages[role] += 1

    def run(self, role, username, extra=()):
        context = self.browser.new_context(locale="vi-VN", viewport=DESKTOP)
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(f"{self.base_url}/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        queue = [(page.url, True), *((f"{self.base_url}{path}", True) for path in extra)]
        seen_shapes, seen_urls = set(), set()
        while queue:
            url, forced = queue.pop(0)
            key = shape(url)
            if key is None or url in seen_urls or (key in seen_shapes | self.shared and not forced):
                continue
            seen_shapes.add(key)
            if key[0] in SHARED_VIEWS:
                self.shared.add(key)
            seen_urls.add(url)
            response = page.goto(url)
            if response.status >= 400:
                self.problems[url].append(f"answers {response.status} to {role}")
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            self.check(page, role, url)
            if key == ("dashboard", ()) and page.locator(".matrix-toggle").count():
                # A row of the matrix opened in place (htmx) shows the units below it.
                page.locator(".matrix-toggle").first.click()
                page.locator("[class*=matrix-child-of-]").first.wait_for()
                self.check(page, role, f"{url} (a row opened)")
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            for href in hrefs:
                href = href.split("#")[0]
                if href.startswith(self.base_url) and href not in seen_urls and "_popup=" not in href:
                    queue.append((href, False))
        context.close()


def _one_followup_per_status(user):
    """The page of one follow-up item in each status that ``user`` may open,
    and the forms to record an item and a direction when the user may."""
    from followups.access import items_visible_to

    found = {}
    for pk, status in items_visible_to(user).order_by("pk").values_list("pk", "status"):
        found.setdefault(status, f"/follow-ups/{pk}/")
    pages = list(found.values())
    if user.has_perm("followups.record_item"):
        pages.append("/follow-ups/new/")
    if user.has_perm("followups.record_direction"):
        pages.append("/follow-ups/direction/")
    return pages


def _one_report_per_state(user):
    """The page of one report in each workflow state that ``user`` may open."""
    found = {}
    for report in ProgressReport.objects.select_related("assignment").order_by("-period__due_on", "pk"):
        if report.state not in found and user.has_perm("reports.read_report", report):
            found[report.state] = f"/reports/{report.pk}/"
    return found


@pytest.fixture
def demo(db):
    demo_data_create(today=timezone.localdate())
    dissemination_demo_create(today=timezone.localdate(), seed=DEFAULT_SEED)
    tallies_rebuild(directive=Directive.objects.get())
    return Directive.objects.get()


# The administrator's crawl (the admin's pages) takes as long as every other role's
# together: two tests, so that the suite's two workers can share them.
CRAWLS = {
    "staff": ("reporter", "head", "office", "committee", "cell secretary", "commune head"),
    "administrator": ("admin",),
}


@pytest.mark.slow
@pytest.mark.parametrize("crawled", CRAWLS)
def test_every_page_meets_wcag_aa_and_fits_a_phone_for_every_role(
    crawled, browser, live_server, demo, django_user_model
):
    # The unit with reports in the most workflow states gives the reporter and head their pages.
    states = defaultdict(set)
    for unit_code, state in ProgressReport.objects.values_list("assignment__unit__code", "state"):
        states[unit_code].add(state)
    unit_code = max(sorted(states), key=lambda code: len(states[code]))
    assert Membership.objects.filter(unit__code=unit_code).exists()
    usernames = {
        "reporter": f"r-{unit_code}",
        "head": f"h-{unit_code}",
        "office": "office",
        "committee": "committee",
        "admin": "admin",
        # Dissemination: a Party cell's secretary and a grassroots committee with cells.
        "cell secretary": "cb-xa-mau-gia-loc-1-cb1",
        "commune head": "h-xa-mau-gia-loc-1",
    }
    assert set(usernames) == {role for roles in CRAWLS.values() for role in roles}
    roles = {role: usernames[role] for role in CRAWLS[crawled]}
    crawl = Crawl(browser, live_server.url, AXE_SOURCE.read_text(encoding="utf-8"))
    started = time.monotonic()
    for role, username in roles.items():
        user = django_user_model.objects.get(username=username)
        reports = _one_report_per_state(user)
        if role in ("reporter", "office"):
            # Every state is there to see, for the unit's own staff and the office alike.
            assert set(reports) == set(ReportState.values), (role, set(reports))
        # /floor/ (the benchmark's floor: the layout alone) is linked from nowhere: visited by name.
        began = time.monotonic()
        crawl.run(role, username, extra=[*reports.values(), *_one_followup_per_status(user), "/floor/"])
        print(f"\n{role}: {crawl.pages[role]} pages in {time.monotonic() - began:.0f} s")
    elapsed = time.monotonic() - started
    print(f"\naccessibility crawl ({crawled}): {dict(crawl.pages)} pages in {elapsed:.0f} s")
    for role in roles:
        assert crawl.pages[role] >= 3, f"{role} reached only {crawl.pages[role]} pages"
    assert not crawl.problems, "\n".join(
        f"{url}\n  " + "\n  ".join(problems) for url, problems in sorted(crawl.problems.items())
    )
