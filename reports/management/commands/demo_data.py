import argparse
import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.demo import DEFAULT_SEED, DEMO_PASSWORD, demo_data_create, demo_logins


class Command(BaseCommand):
    help = (
        "Fills a development database with demo data: users for every role (password 'demo'), "
        "sample communes and progress reports in every state, relative to today. Loads the directive "
        "first if needed. Safe to run again. Refuses to run unless DEBUG is on. With --scale, fills an "
        "empty PostgreSQL database with a whole province or the whole country instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Generate as if today were this date (YYYY-MM-DD); defaults to the local date.",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Seed of the random choices.")
        parser.add_argument(
            "--scale",
            choices=["province", "national"],
            help="Load test size on an empty PostgreSQL database: one province (~250 units) or the whole "
            "country (~10,000 units, ~3.5 million reports).",
        )
        parser.add_argument(
            "--reorganise-2025",
            action="store_true",
            help="Apply the demo province's reorganisation of 1 July 2025 (onboarding/samples) to the demo data.",
        )
        # Tiny trees for the tests: --scale with fewer provinces and communes.
        parser.add_argument("--provinces", type=int, help=argparse.SUPPRESS)
        parser.add_argument("--communes", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, today=None, seed=DEFAULT_SEED, scale=None, reorganise_2025=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_data creates users whose password is 'demo' and only runs with DEBUG on "
                "(DEBUG=1). Never run it against a production database."
            )
        if reorganise_2025:  # the hook of units.reorganisation (issue #12, item 7)
            from onboarding.reorganisation_demo import demo_reorganise_command

            demo_reorganise_command(self)
            return
        if scale:
            self._scale(scale, today=today or timezone.localdate(), seed=seed, **options)
            return
        counts = demo_data_create(today=today or timezone.localdate(), seed=seed)
        from dissemination.demo import dissemination_demo_create, dissemination_demo_logins

        counts.update(dissemination_demo_create(today=today or timezone.localdate(), seed=seed))
        # The reports were written in bulk: the dashboard's tallies are built from them.
        from dashboard.tallies import tallies_rebuild

        tallies_rebuild(today=today)
        if counts:
            for what, count in sorted(counts.items()):
                self.stdout.write(f"{what}: {count}")
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Nothing to do: the demo data is already there.")
        self.stdout.write(f"\nDemo logins (password '{DEMO_PASSWORD}'; users that existed before keep theirs):")
        for username, role in [*demo_logins(), *dissemination_demo_logins()]:
            self.stdout.write(f"  {username:<40} {role}")

    def _scale(self, name, *, today, seed, provinces=None, communes=None, verbosity=1, **options):
        # Imported here: the scale generator needs tqdm, which plain demo_data does not.
        from reports.demo_scale import SCALES, DemoScaleRefused, Scale, demo_scale_create
        from reports.models import ReportState

        scale = SCALES[name]
        scale = Scale(provinces=provinces or scale.provinces, communes=communes or scale.communes)
        try:
            summary = demo_scale_create(scale=scale, today=today, seed=seed, progress=verbosity > 0)
        except DemoScaleRefused as refused:
            raise CommandError(str(refused)) from None
        write = self.stdout.write
        write(
            self.style.SUCCESS(_("Scale demo data created (%(scale)s, seed %(seed)d).") % {"scale": name, "seed": seed})
        )
        write(_("Units: %(count)d") % {"count": summary.counts["units"]})
        write(_("Assignments: %(count)d") % {"count": summary.counts["assignments"]})
        write(_("Reporting periods: %(count)d") % {"count": summary.counts["periods"]})
        write(_("Reports: %(count)d") % {"count": sum(summary.reports.values())})
        for state, count in sorted(summary.reports.items()):
            write(_("  %(state)s: %(count)d") % {"state": ReportState(state).label, "count": count})
        write(_("Indicator values: %(count)d") % {"count": summary.counts["indicator values"]})
        write(_("Users created: %(count)d") % {"count": summary.counts["users"]})
        write(_("Party cells: %(cells)d (%(confirmed)d confirmed); implementing plans: %(plans)d") % {
            "cells": summary.counts["party cells"], "confirmed": summary.counts["cell confirmations"],
            "plans": summary.counts["implementing plans"]})  # fmt: skip
        write(
            _("Logins (password '%(password)s'): admin, committee, office, load-001 to load-%(last)03d")
            % {"password": DEMO_PASSWORD, "last": summary.counts["memberships"]}
        )
        for phase, seconds in summary.seconds.items():
            write(_("%(phase)s: %(seconds).1f s") % {"phase": phase, "seconds": seconds})
