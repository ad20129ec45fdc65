"""Vietnamese first: the catalog is complete, compiled, and covers the source."""

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
