"""The database half of a backup, per engine.

PostgreSQL: ``pg_dump`` in custom format inside an exported snapshot, so that
the dump, the row counts and the list of files the rows refer to all describe
one moment; restored by ``pg_restore`` in a single transaction.
SQLite: the online backup API (``sqlite3.Connection.backup``), which copies a
live database consistently while the site keeps running.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import models, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.utils.translation import gettext as _

from backups.errors import BackupError

POSTGRESQL_MEMBER = "database.dump"
SQLITE_MEMBER = "database.sqlite3"


@dataclass
class Snapshot:
    """What the dump holds: its file, the versions that made it, the rows per
    table and the private files its rows refer to, all read at one moment."""

    path: Path
    versions: dict
    tables: dict = field(default_factory=dict)
    referenced_files: set = field(default_factory=set)


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _private_file_columns(private_root):
    """(table, column) of every FileField kept on the private storage."""
    columns = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                location = Path(getattr(model_field.storage, "location", "")).resolve()
                if location == Path(private_root).resolve():
                    columns.append((model._meta.db_table, model_field.column))
    return columns


def _read_snapshot(cursor, table_names, private_root):
    """Row counts of every table and the private files referenced, through ``cursor``."""
    tables = {}
    for table in sorted(table_names):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - names from introspection
        tables[table] = cursor.fetchone()[0]
    referenced = set()
    for table, column in _private_file_columns(private_root):
        if table in tables:
            cursor.execute(
                f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"  # noqa: S608
            )
            referenced.update(row[0] for row in cursor.fetchall())
    return tables, referenced


# --- PostgreSQL --------------------------------------------------------------------------------


def _major(version_text):
    match = re.search(r"(\d+)(?:\.(\d+))?", version_text)
    if not match:
        raise BackupError(_("Cannot read the version from %(text)r.") % {"text": version_text})
    return int(match.group(1))


def _client_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s is not installed: install the PostgreSQL client tools (apt-get install postgresql-client).")
            % {"tool": name}
        )
    # The tool found on PATH, with fixed arguments.
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    version = version.stdout.strip()
    return path, version


def _libpq_env(settings_dict):
    """The environment that points libpq tools at Django's database (password,
    SSL options and service file included, as Django's own dbshell does)."""
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _server_version(connection):
    version = connection.pg_version  # e.g. 150020
    return f"{version // 10000}.{version % 10000}", version // 10000


def _run(command, env, what):
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - our own arguments
    if done.returncode != 0:
        raise BackupError(
            _("%(what)s failed (exit %(code)d): %(error)s")
            % {"what": what, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )
    return done


def postgresql_dump(connection, workdir, private_root):
    pg_dump, client_version = _client_tool("pg_dump")
    connection.ensure_connection()
    server_version, server_major = _server_version(connection)
    if _major(client_version) < server_major:
        raise BackupError(
            _(
                "pg_dump is older than the server (%(client)s, server %(server)s): "
                "install the client tools of version %(major)d or newer."
            )
            % {"client": client_version, "server": server_version, "major": server_major}
        )
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside an open transaction."))
    path = Path(workdir) / POSTGRESQL_MEMBER
    env = _libpq_env(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        # pg_dump reads the database as this transaction sees it, while it stays open.
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={path}"], env, "pg_dump")
        tables, referenced = _read_snapshot(cursor, connection.introspection.table_names(cursor), private_root)
    versions = {"postgresql_server": server_version, "pg_dump": client_version}
    return Snapshot(path=path, versions=versions, tables=tables, referenced_files=referenced)


def postgresql_restore(connection, dump_path, manifest_versions):
    pg_restore, client_version = _client_tool("pg_restore")
    dumped_by = manifest_versions.get("pg_dump", "")
    if dumped_by and _major(client_version) < _major(dumped_by):
        raise BackupError(
            _("pg_restore is older than the pg_dump that made this backup (%(client)s; backup: %(dump)s).")
            % {"client": client_version, "dump": dumped_by}
        )
    env = _libpq_env(connection.settings_dict)
    connection.close()  # pg_restore needs no other session holding locks from us
    _run(
        [
            pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}", str(dump_path),
        ],
        env,
        "pg_restore",
    )  # fmt: skip
    return {"pg_restore": client_version, "postgresql_server": _server_version(connection)[0]}


def postgresql_drop_everything(connection):
    """Drops every table and view Django can see (the restore was told to replace them)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for info in connection.introspection.get_table_list(cursor):
            kind = "VIEW" if info.type == "v" else "TABLE"
            cursor.execute(f"DROP {kind} IF EXISTS {_quote(info.name)} CASCADE")


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_dump(connection, workdir, private_root):
    connection.ensure_connection()
    path = Path(workdir) / SQLITE_MEMBER
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    copy = sqlite3.connect(path)
    try:
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        names = [row[0] for row in cursor.fetchall()]
        tables, referenced = _read_snapshot(cursor, names, private_root)
    finally:
        copy.close()
    versions = {"sqlite": sqlite3.sqlite_version}
    return Snapshot(path=path, versions=versions, tables=tables, referenced_files=referenced)


def sqlite_restore(connection, database_path, manifest_versions):
    connection.ensure_connection()
    source = sqlite3.connect(database_path)
    try:
        # Replaces the whole content of the live database, page by page.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()
    return {"sqlite": sqlite3.sqlite_version}


ENGINES = {
    "postgresql": (POSTGRESQL_MEMBER, postgresql_dump, postgresql_restore),
    "sqlite": (SQLITE_MEMBER, sqlite_dump, sqlite_restore),
}
