"""Vietnamese first: the catalog is complete, compiled, and covers the source."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
BASE = Path(settings.BASE_DIR)
# The project's own code: tracker/, every local app and the templates.
SOURCE_DIRS = ["tracker", "templates", *(app for app in settings.INSTALLED_APPS if (BASE / app).is_dir())]


def test_every_message_has_a_vietnamese_translation():
    catalog = polib.pofile(str(CATALOG / "django.po"))
    missing = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not missing, f"untranslated: {missing}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalog_matches_the_po_file():
    po = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(CATALOG / "django.po"))
        if not e.obsolete
    }
    mo = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(CATALOG / "django.mo"))
        if e.msgid
    }
    assert po == mo, "django.mo is stale: run `make messages`"


def test_catalog_covers_every_translatable_string_in_the_source(tmp_path):
    if not shutil.which("xgettext"):
        message = "GNU gettext is not installed (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = Path(settings.BASE_DIR)
    for name in SOURCE_DIRS:
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    extracted = {entry.msgid for entry in polib.pofile(str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(CATALOG / "django.po")) if not entry.obsolete}
    assert not extracted - committed, f"not in the catalog: {sorted(extracted - committed)}"


def _catalog_msgstr(entry):
    return entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr


def test_third_party_admin_strings_render_in_our_vietnamese():
    """The packages' strings listed in tracker/third_party_messages.py come out
    in Vietnamese, and in our wording rather than the packages' own."""
    from django.utils import translation

    from tracker.third_party_messages import MESSAGES

    ours = {entry.msgid: _catalog_msgstr(entry) for entry in polib.pofile(str(CATALOG / "django.po"))}
    wrong = []
    with translation.override("vi"):
        for package, messages in MESSAGES.items():
            for message in messages:
                if isinstance(message, str):
                    msgid, shown = message, translation.gettext(message)
                else:  # ngettext_lazy: the singular and plural it was made with
                    msgid, plural = message._kw["singular"], message._kw["plural"]
                    shown = translation.ngettext(msgid, plural, 1)
                if not ours.get(msgid) or shown != ours[msgid]:
                    wrong.append((package, msgid, shown))
    assert not wrong


@pytest.mark.parametrize(
    ("msgid", "vietnamese"),
    [
        ("History", "Lịch sử thay đổi"),
        ("Show counts", "Hiện số lượng"),
        ("Periodic Tasks", "Tác vụ định kỳ"),
        ("clocked", "thời điểm định sẵn"),
        ("crontabs", "lịch cron"),
        ("intervals", "chu kỳ"),
        ("solar events", "sự kiện mặt trời"),
        ("parent", "đơn vị cấp trên"),
        ("Password-based authentication", "Đăng nhập bằng mật khẩu"),
        ("Reset password", "Đặt lại mật khẩu"),
        ("last name", "họ và tên đệm"),
        ("first name", "tên"),
        ("groups", "nhóm"),
        ("This password is too common.", "Mật khẩu này quá phổ biến, dễ bị đoán."),
    ],
)
def test_admin_strings_named_in_the_issue_are_vietnamese(msgid, vietnamese):
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext(msgid) == vietnamese


def test_admin_javascript_catalog_is_vietnamese():
    """The two-list selector of groups and permissions (the admin's JavaScript
    catalog also reads our locale/vi/LC_MESSAGES/djangojs.po)."""
    po = polib.pofile(str(CATALOG / "djangojs.po"))
    assert not po.untranslated_entries() and not po.fuzzy_entries()
    compiled = polib.mofile(str(CATALOG / "djangojs.mo"))
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in compiled if e.msgid}
    assert mo == {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po}, "djangojs.mo is stale"
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.i18n import JSONCatalog

    with translation.override("vi"):
        response = JSONCatalog.as_view(packages=["django.contrib.admin"])(RequestFactory().get("/"))
    catalog = json.loads(response.content)["catalog"]
    assert catalog["Choose all %s"] == "Chọn tất cả %s"
    assert catalog["Remove all %s"] == "Bỏ tất cả %s"


@pytest.mark.parametrize(
    ("msgid", "vietnamese"),
    [
        ("Review inbox", "Báo cáo chờ tiếp nhận"),
        ("Review", "Xem xét"),
        ("Accept", "Tiếp nhận"),
        ("Return to the unit", "Trả lại cho đơn vị"),
        ("Lead", "Chủ trì"),
        ("Co-ordinating", "Phối hợp"),
        ("Party cell", "Chi bộ"),
        ("reporting period", "kỳ báo cáo"),
        ("reviewing unit", "đơn vị xem xét"),
    ],
)
def test_the_office_words_follow_the_glossary(msgid, vietnamese):
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext(msgid) == vietnamese


def test_no_translation_calls_reviewing_reports_appraisal():
    """Thẩm định is the appraisal of drafts; the office receives (tiếp nhận)
    and reviews (xem xét) reports."""
    catalog = polib.pofile(str(CATALOG / "django.po"))
    slips = [e.msgid for e in catalog if "thẩm định" in (e.msgstr or " ".join(e.msgstr_plural.values())).lower()]
    assert not slips
