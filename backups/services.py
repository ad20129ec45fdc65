"""One archive holds the whole site: a consistent database dump and the private
files (report attachments, summary templates, export files).

The archive is a plain tar file::

    manifest.json          format, created at, versions, row count per table,
                           SHA-256 and size of every other member
    database.dump          PostgreSQL: pg_dump custom format
    database.sqlite3       SQLite: a copy made by the online backup API
    files/<path>           every file under PRIVATE_MEDIA_ROOT, by its path there

The database is dumped first and the files copied after: attachments are
written once under new random names and never changed, so every file a row of
the dump refers to is already on disk (one deleted in between is listed in the
manifest as missing and reported).
"""

import hashlib
import io
import json
import os
import platform
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from backups import engines
from backups.errors import BackupError

FORMAT = "tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = "files"
CHUNK = 1024 * 1024


@dataclass
class BackupResult:
    path: Path
    size: int
    engine: str
    tables: dict
    files: int
    files_bytes: int
    missing_files: list
    seconds: float


@dataclass
class RestoreResult:
    engine: str
    tables: dict
    files: int
    files_bytes: int
    replaced: bool
    versions: dict
    created_at: str
    pending_migrations: list = field(default_factory=list)
    seconds: float = 0.0


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(connection):
    if connection.vendor not in engines.ENGINES:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor})
    return connection.vendor


def _private_files(root):
    """(path relative to root in POSIX form, absolute path) of every regular file under root."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path.relative_to(root).as_posix(), path))
    return found


def _add_file(archive, path, name):
    """Adds the file as read now and returns its manifest entry; None if it was deleted meanwhile."""
    try:
        data = Path(path).read_bytes()
        mtime = Path(path).stat().st_mtime
    except FileNotFoundError:
        return None
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    archive.addfile(info, io.BytesIO(data))
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _git_commit():
    head = Path(settings.BASE_DIR) / ".git"
    try:
        if head.is_file():  # a worktree: "gitdir: <path>"
            head = Path(head.read_text().split(":", 1)[1].strip())
        ref = (head / "HEAD").read_text().strip()
        if ref.startswith("ref: "):
            ref_path = head / ref[5:]
            if not ref_path.is_file():
                common = head / "commondir"
                base = (head / common.read_text().strip()).resolve() if common.is_file() else head
                ref_path = base / ref[5:]
            ref = ref_path.read_text().strip()
        return ref
    except (OSError, IndexError):
        return ""


def _applied_migrations(connection):
    executor = MigrationExecutor(connection)
    return sorted(f"{app}.{name}" for app, name in executor.recorder.applied_migrations())


def backup_create(*, destination: Path, using: str = "default") -> BackupResult:
    """Writes the archive to ``destination`` (a file, or a folder to put a dated file in)."""
    started = time.monotonic()
    connection = connections[using]
    engine = _engine(connection)
    destination = Path(destination)
    created_at = timezone.now()
    if destination.is_dir():
        destination = destination / f"tracker-backup-{timezone.localtime(created_at):%Y%m%d-%H%M%S}.tar"
    if destination.exists():
        raise BackupError(_("%(path)s already exists: choose another name.") % {"path": destination})
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    if destination.resolve().is_relative_to(private_root.resolve()):
        raise BackupError(
            _("Write backups outside PRIVATE_MEDIA_ROOT (%(root)s): it is what they copy.") % {"root": private_root}
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    member, dump, _restore = engines.ENGINES[engine]

    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".backup-") as workdir:
        snapshot = dump(connection, workdir, private_root)
        partial = destination.with_name(destination.name + ".partial")
        # Readable by its owner only: it holds every report and every account's password hash.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "wb") as handle,
            tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive,
        ):
            # The dump is ours and no longer changes: streamed, not read into memory.
            entries = [{"name": member, "size": snapshot.path.stat().st_size, "sha256": _sha256(snapshot.path)}]
            archive.add(snapshot.path, arcname=member, recursive=False)
            for relative, path in _private_files(private_root):
                # Each file is read once and hashed from the bytes archived, so an export
                # being written or deleted meanwhile cannot make the manifest disagree.
                entry = _add_file(archive, path, f"{FILES}/{relative}")
                if entry is not None:
                    entries.append(entry)
            present = {entry["name"].removeprefix(f"{FILES}/") for entry in entries[1:]}
            missing = sorted(snapshot.referenced_files - present)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": created_at.isoformat(),
                "engine": engine,
                "database": member,
                "versions": {
                    "application": _git_commit(),
                    "django": django.get_version(),
                    "python": platform.python_version(),
                    **snapshot.versions,
                },
                "migrations": _applied_migrations(connection),
                "tables": snapshot.tables,
                "members": entries,
                "missing_files": missing,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
        # Written whole or not at all: a half-written archive never has the final name.
        partial.rename(destination)
    files = entries[1:]
    return BackupResult(
        path=destination,
        size=destination.stat().st_size,
        engine=engine,
        tables=snapshot.tables,
        files=len(files),
        files_bytes=sum(entry["size"] for entry in files),
        missing_files=missing,
        seconds=time.monotonic() - started,
    )


# --- restore -------------------------------------------------------------------------------------


def _read_manifest(archive):
    try:
        handle = archive.extractfile(MANIFEST)
        manifest = json.loads(handle.read().decode("utf-8")) if handle else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This file is not a backup made by `manage.py backup` (no valid manifest)."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup has format version %(found)s; this version of the site reads version %(known)s.")
            % {"found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    return manifest


def _safe_member_name(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(_("The archive has an unsafe member name: %(name)s.") % {"name": name})
    return path


def _verify_members(archive, manifest):
    """Every member is listed, a regular file, and has the SHA-256 the manifest says."""
    expected = {entry["name"]: entry for entry in manifest["members"]}
    seen = set()
    for info in archive.getmembers():
        if info.name == MANIFEST:
            continue
        _safe_member_name(info.name)
        entry = expected.get(info.name)
        if entry is None or not info.isfile():
            raise BackupError(_("The archive holds %(name)s, which its manifest does not list.") % {"name": info.name})
        digest = hashlib.sha256()
        handle = archive.extractfile(info)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != entry["sha256"] or info.size != entry["size"]:
            raise BackupError(
                _("%(name)s is damaged: its SHA-256 differs from the manifest's. Nothing was restored.")
                % {"name": info.name}
            )
        seen.add(info.name)
    absent = sorted(set(expected) - seen)
    if absent:
        raise BackupError(
            _("The archive lacks members its manifest lists: %(names)s. Nothing was restored.")
            % {"names": ", ".join(absent[:5])}
        )


def _database_tables(connection):
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _count_rows(connection, tables):
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {engines._quote(table)}")  # noqa: S608 - names from the manifest
            counts[table] = cursor.fetchone()[0]
    return counts


def _clear_folder(root):
    for child in Path(root).iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _forget_cached_dashboards():
    """The restored database has other figures than the one the cache saw."""
    from dashboard.tallies import tallies_cache_forget
    from directives.models import Directive

    try:
        pks = list(Directive.objects.values_list("pk", flat=True))
    except DatabaseError:  # an older schema, not migrated yet: nothing of it was cached by this code
        return
    tallies_cache_forget(directive_pks=pks)


def backup_restore(*, archive_path: Path, replace: bool = False, using: str = "default") -> RestoreResult:
    """Restores an archive into an empty database and an empty private storage
    (or, with ``replace``, over what they hold: everything there is deleted)."""
    started = time.monotonic()
    connection = connections[using]
    engine = _engine(connection)
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    try:
        archive = tarfile.open(archive_path, "r:")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("Cannot read %(path)s: %(error)s") % {"path": archive_path, "error": error}) from error
    with archive:
        manifest = _read_manifest(archive)
        if manifest["engine"] != engine:
            raise BackupError(
                _("This backup is of a %(backup)s database; this site uses %(site)s.")
                % {"backup": manifest["engine"], "site": engine}
            )
        _verify_members(archive, manifest)
        existing_tables = _database_tables(connection)
        existing_files = _private_files(private_root)
        if (existing_tables or existing_files) and not replace:
            raise BackupError(
                _(
                    "The database has %(tables)d tables and %(root)s holds %(files)d files: restore only "
                    "goes into an empty database and storage. Use --replace to delete what they hold "
                    "and restore over it."
                )
                % {"tables": len(existing_tables), "root": private_root, "files": len(existing_files)}
            )
        member, _dump, restore = engines.ENGINES[engine]
        with tempfile.TemporaryDirectory(prefix=".restore-") as workdir:
            database_path = Path(workdir) / member
            with archive.extractfile(member) as source, open(database_path, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            if replace and existing_tables and engine == "postgresql":
                engines.postgresql_drop_everything(connection)
            versions = restore(connection, database_path, manifest["versions"])
        if replace and private_root.is_dir():
            _clear_folder(private_root)
        files_bytes = 0
        file_entries = [entry for entry in manifest["members"] if entry["name"].startswith(f"{FILES}/")]
        for entry in file_entries:
            relative = _safe_member_name(entry["name"]).relative_to(FILES)
            target_path = private_root.joinpath(*relative.parts)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(entry["name"]) as source, open(target_path, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            if _sha256(target_path) != entry["sha256"]:
                raise BackupError(_("%(path)s was written wrongly (SHA-256 differs).") % {"path": target_path})
            files_bytes += entry["size"]

    counts = _count_rows(connection, sorted(manifest["tables"]))
    differing = sorted(table for table, rows in manifest["tables"].items() if counts.get(table) != rows)
    if differing:
        raise BackupError(
            _("After the restore these tables do not have the rows the backup recorded: %(tables)s.")
            % {"tables": ", ".join(differing[:10])}
        )
    executor = MigrationExecutor(connection)
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in executor.migration_plan(
        executor.loader.graph.leaf_nodes())]  # fmt: skip
    _forget_cached_dashboards()
    return RestoreResult(
        engine=engine,
        tables=counts,
        files=len(file_entries),
        files_bytes=files_bytes,
        replaced=replace,
        versions=versions,
        created_at=manifest["created_at"],
        pending_migrations=pending,
        seconds=time.monotonic() - started,
    )
