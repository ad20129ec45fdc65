from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from backups.errors import BackupError
from backups.services import backup_create


class Command(BaseCommand):
    help = (
        "Writes one archive (tar) holding a consistent dump of the database and every private file "
        "(attachments, summary templates, exports), with a manifest of versions and SHA-256 checksums. "
        "DEST is a file name or a folder (a dated file is written in it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", type=Path)

    def handle(self, *args, destination, **options):
        with translation.override("vi"):
            try:
                result = backup_create(destination=destination)
            except BackupError as error:
                raise CommandError(str(error)) from error
            rows = sum(result.tables.values())
            self.stdout.write(
                _(
                    "Backup written to %(path)s (%(size)s): %(engine)s database, %(tables)d tables, "
                    "%(rows)d rows; %(files)d private files (%(files_size)s); in %(seconds).1f s."
                )
                % {
                    "path": result.path,
                    "size": filesizeformat(result.size),
                    "engine": result.engine,
                    "tables": len(result.tables),
                    "rows": rows,
                    "files": result.files,
                    "files_size": filesizeformat(result.files_bytes),
                    "seconds": result.seconds,
                }
            )
            if result.missing_files:
                self.stderr.write(
                    _("Warning: %(count)d files the database refers to were not on disk: %(names)s")
                    % {"count": len(result.missing_files), "names": ", ".join(result.missing_files[:10])}
                )
