"""Security headers: a Content-Security-Policy without 'unsafe-inline', and
private, uncached pages and downloads for signed-in users."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives_of(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_every_page_carries_the_content_security_policy(client):
    answer = client.get(reverse("login"))
    assert directives_of(answer["Content-Security-Policy"]) == POLICY
    assert "unsafe-inline" not in answer["Content-Security-Policy"]
    assert "unsafe-eval" not in answer["Content-Security-Policy"]


def test_signed_in_pages_are_private_and_not_stored(client_for, reporter_a):
    answer = client_for(reporter_a).get(reverse("my_work"))
    directives = {d.strip() for d in answer["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_downloads_are_private_and_not_stored(client_for, office_user):
    answer = client_for(office_user).get(reverse("dashboard_summary_template"))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    directives = {d.strip() for d in answer["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_benchmark_turns_server_timing_on():
    source = (Path(settings.BASE_DIR) / "bench" / "run.py").read_text()
    assert '"SERVER_TIMING": "1"' in source


def test_htmx_is_told_not_to_inject_its_inline_style(client):
    page = client.get(reverse("login")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_served_to_browsers_has_inline_script_or_style():
    # E-mails are not served under the policy and may keep their inline styles.
    templates = [
        path
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if "email" not in path.relative_to(settings.BASE_DIR).parts
    ]
    offenders = [
        str(path)
        for path in templates
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, EVENT_ATTRIBUTE, re.compile(r"<style", re.IGNORECASE))
        if pattern.search(path.read_text())
    ]
    assert offenders == []
