from django.core.management.base import BaseCommand

from onboarding.reorganisation_demo import demo_sheet_save


class Command(BaseCommand):
    help = "Rebuilds the shipped sample workbook of the demo province's reorganisation of 1 July 2025."

    def handle(self, *args, **options):
        self.stdout.write(str(demo_sheet_save()))
