"""`manage.py backup` and `manage.py restore`, run as an operator runs them (real
processes) on the test database: the demo backed up and restored into a fresh
database and storage comes back with every table's rows and every file's
SHA-256 identical. PostgreSQL in CI (pg_dump/pg_restore), SQLite locally
(the online backup API)."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models

from dashboard.exports.template_source import TEMPLATE_PATH
from dashboard.models import SummaryTemplate
from reports.models import Attachment, ProgressReport
from reports.storage import private_storage

pytestmark = pytest.mark.django_db(transaction=True)

COMMAND_TIMEOUT = 180


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    """The private files in a temporary folder (the fields' storage was built
    from the setting at import, so it is built again)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for field in private_file_fields():
        monkeypatch.setattr(field, "storage", private_storage())
    return settings.PRIVATE_MEDIA_ROOT


def private_file_fields():
    """Every file field kept in the private storage, in whichever app (reports,
    summary templates, exports, dissemination plans and minutes, imports...)."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and getattr(field, "_storage_callable", None) is private_storage
    ]


def stored_file_count():
    return sum(
        field.model.objects.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True}).count()
        for field in private_file_fields()
    )


def database_url(settings_dict):
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    auth = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    host, port = settings_dict["HOST"] or "localhost", settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def _admin_connection():
    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )
    admin.autocommit = True
    return admin


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same engine as the tests', and its DATABASE_URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**connection.settings_dict, "NAME": name})
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def manage(*args, database, private, check=True):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database, "PRIVATE_MEDIA_ROOT": str(private)}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if check:
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def open_raw(url):
    """A plain DB-API connection (no Django type conversion on either side)."""
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    return psycopg2.connect(url.replace("postgres://", "postgresql://", 1))


def table_rows(url):
    """Every table's rows, sorted, and on PostgreSQL every sequence's position."""
    raw = open_raw(url)
    try:
        cursor = raw.cursor()
        if isinstance(raw, sqlite3.Connection):
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(row[0] for row in cursor.fetchall())
        rows = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalog
            rows[table] = sorted(cursor.fetchall(), key=repr)
        if not isinstance(raw, sqlite3.Connection):
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            rows["<sequences>"] = sorted(cursor.fetchall())
        return rows
    finally:
        raw.close()


def file_digests(root):
    root = Path(root)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def add_private_files():
    """Attachments on two demo reports and an uploaded summary template in use."""
    reports = list(ProgressReport.objects.order_by("pk")[:2])
    for number, report in enumerate(reports, start=1):
        content = b"%PDF-1.4\n" + os.urandom(4096 * number)
        Attachment.objects.create(
            report=report,
            file=ContentFile(content, name="báo cáo.pdf"),
            original_name=f"Báo cáo {number}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    SummaryTemplate.objects.create(
        name="Mẫu của Văn phòng", file=ContentFile(TEMPLATE_PATH.read_bytes(), name="summary.docx")
    )


def test_demo_backup_restores_into_a_fresh_database_with_every_row_and_file_identical(
    settings, private_root, fresh_database, tmp_path
):
    settings.DEBUG = True  # demo_data refuses otherwise
    call_command("load_directive", stdout=io.StringIO())
    call_command("demo_data", stdout=io.StringIO())
    add_private_files()
    source = database_url(connection.settings_dict)
    archive = tmp_path / "backup.tar"

    backed_up = manage("backup", str(archive), database=source, private=private_root)
    restored_private = tmp_path / "restored-private"
    restored = manage("restore", str(archive), database=fresh_database, private=restored_private)

    assert "Backup" in backed_up.stdout or "Sao lưu" in backed_up.stdout
    originals = table_rows(source)
    assert originals["reports_progressreport"], "the demo has reports"
    assert table_rows(fresh_database) == originals
    digests = file_digests(private_root)
    assert len(digests) == stored_file_count() >= 3 + 1, "the demo's own files (dissemination plans and minutes) too"
    assert file_digests(restored_private) == digests
    rows = sum(len(table_rows) for name, table_rows in originals.items() if name != "<sequences>")
    assert f"{rows}" in restored.stdout, restored.stdout

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["engine"] == connection.vendor
    assert manifest["created_at"]
    assert manifest["versions"]["django"]
    assert manifest["missing_files"] == []
    assert {entry["name"].removeprefix("files/"): entry["sha256"] for entry in manifest["members"][1:]} == digests


def test_restore_refuses_a_database_that_is_not_empty_unless_told_to_replace_it(private_root, fresh_database, tmp_path):
    (private_root / "attachments").mkdir(parents=True)
    (private_root / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 one")
    source = database_url(connection.settings_dict)
    archive = tmp_path / "backup.tar"
    manage("backup", str(archive), database=source, private=private_root)
    restored_private = tmp_path / "restored-private"
    manage("restore", str(archive), database=fresh_database, private=restored_private)
    (restored_private / "stray.txt").write_text("left from before")

    refused = manage("restore", str(archive), database=fresh_database, private=restored_private, check=False)
    assert refused.returncode != 0
    assert "--replace" in refused.stderr
    assert (restored_private / "stray.txt").exists()

    manage("restore", "--replace", str(archive), database=fresh_database, private=restored_private)
    assert file_digests(restored_private) == file_digests(private_root)
    assert table_rows(fresh_database) == table_rows(source)


def test_restore_refuses_a_damaged_archive_and_changes_nothing(private_root, fresh_database, tmp_path):
    (private_root / "attachments").mkdir(parents=True)
    (private_root / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 original")
    archive = tmp_path / "backup.tar"
    manage("backup", str(archive), database=database_url(connection.settings_dict), private=private_root)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "files/attachments/a.pdf":
                data = b"%PDF-1.4 tampered"
                info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    restored_private = tmp_path / "restored-private"

    refused = manage("restore", str(damaged), database=fresh_database, private=restored_private, check=False)

    assert refused.returncode != 0
    assert "SHA-256" in refused.stderr
    assert not file_digests(restored_private)
    assert [name for name in table_rows(fresh_database) if name != "<sequences>"] == []
