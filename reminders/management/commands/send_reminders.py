from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from reminders.services import reminders_sweep
from reports.overview import due_phrase


def _when(reminder, today):
    left = due_phrase((reminder.period.due_on - today).days)
    left = left[:1].lower() + left[1:]  # it continues a sentence
    return _("due %(day)s, %(left)s") % {"day": reminder.period.due_on.strftime("%d/%m/%Y"), "left": left}


class Command(BaseCommand):
    help = (
        "Runs one reminder sweep now, synchronously, and prints per unit what it sent "
        "(or, with --dry-run, what it would send)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Plan only: write and send nothing.")
        parser.add_argument("--now", help="Pretend it is this moment (ISO 8601, e.g. 2026-12-15T08:00:00+07:00).")

    def handle(self, *args, dry_run=False, now=None, **options):
        moment = timezone.now()
        if now:
            try:
                moment = parse_datetime(now)
            except ValueError:  # well formed but impossible, e.g. 30 February
                moment = None
            if moment is None:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time.")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        with translation.override("vi"):
            result = reminders_sweep(now=moment, dry_run=dry_run)
            self._print(result, timezone.localtime(moment), dry_run)

    def _print(self, result, local, dry_run):
        actions = {
            "sent": _("sent"),
            "would send": _("would be sent now"),
            "would wait": _("would wait for the sending window"),
        }
        heading = _("Reminder sweep at %(moment)s") % {"moment": local.strftime("%d/%m/%Y %H:%M")}
        mode = _("dry run, nothing is sent") if dry_run else _("for real")
        self.stdout.write(f"{heading} ({mode})")
        by_unit = {}
        for reminder, action in result.lines:
            by_unit.setdefault(reminder.assignment.unit.name, []).append((reminder, action))
        for unit in sorted(by_unit):
            self.stdout.write(f"\n{unit}")
            for reminder, action in sorted(
                by_unit[unit], key=lambda line: (line[0].assignment.task.number, line[0].kind)
            ):
                task = _("Task")
                self.stdout.write(
                    f"  - {task} {reminder.assignment.task.number}, {reminder.period.label}: "
                    f"{reminder.get_kind_display()} ({_when(reminder, local.date())}) → {actions[action]}"
                )
        if not by_unit:
            self.stdout.write(_("Nothing to send."))
        summary = _(
            "Planned %(planned)d, sent %(sent)d, skipped %(skipped)d, waiting for the sending window %(waiting)d."
        )
        self.stdout.write("\n" + summary % vars(result))
