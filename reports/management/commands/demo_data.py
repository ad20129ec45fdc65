import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.demo import DEFAULT_SEED, DEMO_PASSWORD, demo_data_create, demo_logins


class Command(BaseCommand):
    help = (
        "Fills a development database with demo data: users for every role (password 'demo'), "
        "sample communes and progress reports in every state, relative to today. Loads the directive "
        "first if needed. Safe to run again. Refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Generate as if today were this date (YYYY-MM-DD); defaults to the local date.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the random choices.")

    def handle(self, *args, today=None, seed=DEFAULT_SEED, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_data creates users whose password is 'demo' and only runs with DEBUG on "
                "(DEBUG=1). Never run it against a production database."
            )
        counts = demo_data_create(today=today or timezone.localdate(), seed=seed)
        if counts:
            for what, count in sorted(counts.items()):
                self.stdout.write(f"{what}: {count}")
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Nothing to do: the demo data is already there.")
        self.stdout.write(f"\nDemo logins (password '{DEMO_PASSWORD}'; users that existed before keep theirs):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<40} {role}")
