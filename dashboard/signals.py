"""Keeps the dashboard's tallies right: a report save applies its difference;
a change to what shapes every figure marks them stale (rebuilt on commit)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from dashboard.tallies import tallies_mark_stale, tally_after, tally_before
from directives.models import Directive, Task
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportingSchedule
from units.models import Unit, UnitPlacement, UnitSuccession

SHAPING = (Directive, Task, Assignment, ReportingSchedule, ReportingPeriod, Unit, UnitSuccession, UnitPlacement)


@receiver(pre_save, sender=ProgressReport)
def report_before_save(sender, instance, raw=False, **kwargs):
    instance._tally_pending = None if raw else tally_before(instance)


@receiver(post_save, sender=ProgressReport)
def report_after_save(sender, instance, raw=False, **kwargs):
    pending = getattr(instance, "_tally_pending", None)
    if pending is not None:
        instance._tally_pending = None
        tally_after(pending)


@receiver(post_delete, sender=ProgressReport)
def report_deleted(sender, **kwargs):
    tallies_mark_stale()


def shape_changed(sender, raw=False, **kwargs):
    if not raw:
        tallies_mark_stale()


for model in SHAPING:
    post_save.connect(shape_changed, sender=model, dispatch_uid=f"tallies-{model.__name__}-save")
    post_delete.connect(shape_changed, sender=model, dispatch_uid=f"tallies-{model.__name__}-delete")
