from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from onboarding.services import organisation_export, organisation_template


class Command(BaseCommand):
    help = _("Writes units, users, memberships and assignments to the organisation workbook.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The .xlsx file to write."))
        parser.add_argument("--template", action="store_true", help=_("Write the empty workbook with examples."))

    def handle(self, *args, file, template, **options):
        data = organisation_template() if template else organisation_export()
        Path(file).write_bytes(data)
        self.stdout.write(_("Written: %(path)s (%(size)s bytes).") % {"path": file, "size": len(data)})
