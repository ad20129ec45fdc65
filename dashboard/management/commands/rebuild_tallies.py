from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from dashboard.models import TallyState
from dashboard.tallies import tallies_rebuild


class Command(BaseCommand):
    help = "Rebuilds the dashboard's tallies of every directive in force (what the nightly job does)."

    def handle(self, *args, **options):
        rows = tallies_rebuild()
        seconds = sum(TallyState.objects.values_list("seconds", flat=True))
        self.stdout.write(_("Dashboard tallies rebuilt: %(rows)d rows in %(seconds).1f s.") % {
            "rows": rows, "seconds": seconds})  # fmt: skip
