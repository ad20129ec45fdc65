from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onboarding.reorganisation import changes_read
from onboarding.workbook import WorkbookError
from units.reorganisation import Problem, outcome_lines, reorganisation_run


class Command(BaseCommand):
    help = (
        "Applies the reorganisation sheet (Sắp xếp tổ chức) of an organisation workbook in one transaction, "
        "after checking every row; with --dry-run only lists what it would do. Exits non-zero on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file, dry_run=False, **options):
        with open(file, "rb") as handle:
            data = handle.read()
        try:
            changes, problems = changes_read(data=data, filename=file)
        except WorkbookError as error:
            raise CommandError(str(error)) from None
        if problems:
            outcome_problems = [Problem(row, column, message) for row, column, message in problems]
            for problem in outcome_problems:
                self.stderr.write(f"{problem.row}, {problem.column}: {problem.message}")
            raise CommandError(_("Nothing was changed: the sheet has errors."))
        outcome = reorganisation_run(changes=changes, user=None, dry_run=dry_run, source="command", filename=file)
        for line in outcome_lines(outcome):
            self.stdout.write(line)
        self.stdout.write(_("Time: %(seconds).1f s") % {"seconds": outcome.seconds})
        if not outcome.ok:
            raise CommandError(_("Nothing was changed: the sheet has errors."))
        if outcome.applied:
            self.stdout.write(self.style.SUCCESS(_("The reorganisation was applied.")))
