import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backups.errors import BackupError
from backups.services import backup_restore


class Command(BaseCommand):
    help = (
        "Restores an archive written by `backup` into an empty database and an empty private storage, "
        "after checking every member's SHA-256. With --replace, everything the database and the "
        "private storage hold is deleted first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every table and private file there is, then restore (default: refuse unless empty).",
        )

    def handle(self, *args, archive, replace=False, **options):
        with translation.override("vi"):
            try:
                result = backup_restore(archive_path=archive, replace=replace)
            except BackupError as error:
                raise CommandError(str(error)) from error
            if result.replaced:
                self.stdout.write(_("The database and the private storage were emptied first (--replace)."))
            self.stdout.write(
                _(
                    "Restored the backup made at %(created)s: %(engine)s database, %(tables)d tables, "
                    "%(rows)d rows (the same count as the backup in every table); %(files)d private files "
                    "(%(size)s), every SHA-256 checked; in %(seconds).1f s."
                )
                % {
                    "created": timezone.localtime(datetime.datetime.fromisoformat(result.created_at)).strftime(
                        "%d/%m/%Y %H:%M:%S"
                    ),
                    "engine": result.engine,
                    "tables": len(result.tables),
                    "rows": sum(result.tables.values()),
                    "files": result.files,
                    "size": filesizeformat(result.files_bytes),
                    "seconds": result.seconds,
                }
            )
            if result.pending_migrations:
                self.stdout.write(
                    _("The backup is older than this code: run `python manage.py migrate` (%(count)d migrations).")
                    % {"count": len(result.pending_migrations)}
                )
