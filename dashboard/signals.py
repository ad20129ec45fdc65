"""Keeps the dashboard's tallies right: a report save applies its difference;
an assignment's or a unit's change re-tallies what it touches; a change to
what shapes every figure marks them stale (rebuilt on commit)."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from dashboard.tallies import tallies_mark_stale, tallies_retally, tally_after, tally_before
from directives.models import Directive, Task
from reports.models import Assignment, ProgressReport, ReportingPeriod, ReportingSchedule
from units.models import Unit, UnitPlacement, UnitSuccession

SHAPING = (Directive, ReportingSchedule, ReportingPeriod, UnitSuccession, UnitPlacement)
# The fields of an assignment and of a unit that the tallies depend on: a save
# that changes none of them (a unit renamed, a responsible person changed)
# leaves the tallies as they are.
ASSIGNMENT_FIELDS = ("task_id", "unit_id", "role", "deadline", "schedule_id")
UNIT_FIELDS = ("parent_id", "valid_from", "valid_to")


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


def _before(queryset, instance, fields):
    """The instance's tallied fields as the database has them (None when new)."""
    if instance.pk is None:
        return None
    return queryset.filter(pk=instance.pk).values_list(*fields).first()


@receiver(pre_save, sender=Assignment)
def assignment_before_save(sender, instance, raw=False, **kwargs):
    instance._tally_before = None if raw else _before(Assignment.objects, instance, ASSIGNMENT_FIELDS)


@receiver(post_save, sender=Assignment)
def assignment_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_tally_before", None)
    new = tuple(getattr(instance, name) for name in ASSIGNMENT_FIELDS)
    if not created and old == new:
        return  # only its wording changed
    pairs = {(instance.task_id, instance.unit_id)}
    if old is not None:
        pairs.add((old[0], old[1]))  # where it was counted before
    tallies_retally(pairs=pairs)


@receiver(post_delete, sender=Assignment)
def assignment_deleted(sender, instance, **kwargs):
    tallies_retally(pairs={(instance.task_id, instance.unit_id)})


@receiver(pre_save, sender=Unit)
def unit_before_save(sender, instance, raw=False, **kwargs):
    instance._tally_before = None if raw else _before(Unit.objects.without_tree_fields(), instance, UNIT_FIELDS)


@receiver(post_save, sender=Unit)
def unit_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_tally_before", None)
    if created:
        if instance.parent_id is None:
            tallies_mark_stale()  # another root: the matrix's top rows change
        return  # a new unit below another has no assignment yet
    if old is None or old == tuple(getattr(instance, name) for name in UNIT_FIELDS):
        return  # renamed, or another field the figures do not read
    linked = UnitSuccession.objects.filter(Q(predecessor=instance) | Q(successor=instance)).exists()
    if old[0] != instance.parent_id or instance.parent_id is None or linked:
        tallies_mark_stale()  # moved, a root, or linked to other units: everything is rebuilt
        return
    # Opened or closed on other days: the tasks it is assigned, in its own top row.
    tallies_retally(pairs={(task, instance.pk) for task in instance.assignments.values_list("task_id", flat=True)})


@receiver(post_delete, sender=Unit)
def unit_deleted(sender, instance, **kwargs):
    if instance.parent_id is None:
        tallies_mark_stale()


@receiver(pre_delete, sender=Task)
def task_deleting(sender, **kwargs):
    # Before its assignments go (each would re-tally on its own): everything is rebuilt once.
    tallies_mark_stale()


def shape_changed(sender, raw=False, **kwargs):
    if not raw:
        tallies_mark_stale()


for model in SHAPING:
    post_save.connect(shape_changed, sender=model, dispatch_uid=f"tallies-{model.__name__}-save")
    post_delete.connect(shape_changed, sender=model, dispatch_uid=f"tallies-{model.__name__}-delete")
