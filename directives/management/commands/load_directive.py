from django.core.management.base import BaseCommand
from django.utils import timezone

from directives.seed.loader import seed_load


class Command(BaseCommand):
    help = (
        "Loads the Hải Dương directive on the People's Councils (2021-2026): its text, six tasks, "
        "indicators, the responsible bodies, default assignments and reporting schedule. "
        "Safe to run again: nothing that exists is changed unless --overwrite is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Set fields edited since the first load back to the seed values.",
        )

    def handle(self, *args, overwrite=False, **options):
        counts = seed_load(today=timezone.localdate(), overwrite=overwrite)
        if not counts:
            self.stdout.write("Nothing to do: the directive is already loaded.")
            return
        for what, count in sorted(counts.items()):
            self.stdout.write(f"{what}: {count}")
        self.stdout.write(self.style.SUCCESS("Directive loaded."))
