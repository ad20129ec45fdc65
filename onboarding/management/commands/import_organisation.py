from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onboarding.services import organisation_import
from onboarding.workbook import WorkbookError


class Command(BaseCommand):
    help = _("Imports units, users, memberships and assignments from the organisation workbook (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("An .xlsx workbook, or a .csv file of one sheet."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check the file and write nothing."))

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            report = organisation_import(data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        except WorkbookError as error:
            raise CommandError(str(error)) from None
        for sheet in report.sheets:
            counts = sheet.counts
            self.stdout.write(
                _("%(sheet)s: %(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(error)s with errors")
                % {"sheet": sheet.title, **counts}
            )
        if not report.ok:
            for line in report.error_lines():
                self.stderr.write(line)
            raise CommandError(_("Nothing was imported: correct the rows above and try again."))
        if dry_run:
            self.stdout.write(_("Checked: nothing was written (--dry-run)."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
