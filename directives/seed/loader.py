"""Loads the seed directive, its units, assignments and schedule.

Idempotent: rows are looked up by their natural keys and created when missing.
Existing rows are left alone (administrators may have edited them) unless
``overwrite`` is set, in which case differing fields are set back to the seed.
"""

import datetime
from collections import Counter

from django.db import transaction

from directives.models import Directive, Indicator, Task
from directives.seed import hai_duong as seed
from reminders.models import ReminderPolicy
from reports.models import Assignment, AssignmentRole, ReportingSchedule
from reports.services import schedule_extend_periods
from units.models import Unit, UnitSuccession

PERIODS_AHEAD = datetime.timedelta(days=366)


def _sync(counts, model, lookup, values, *, overwrite):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        counts[f"{model._meta.model_name} created"] += 1
        return obj
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed and overwrite:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
        counts[f"{model._meta.model_name} updated"] += 1
    return obj


def _load_units(counts, overwrite):
    units = {}
    for code, name, short, kind, level, parent, valid_from, valid_to, sample in seed.UNITS:
        values = {
            "name": name,
            "short_name": short,
            "kind": kind,
            "level": level,
            "parent": units[parent] if parent else None,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "is_sample": sample,
        }
        units[code] = _sync(counts, Unit, {"code": code}, values, overwrite=overwrite)
    for old, new, kind, effective_on, note in seed.SUCCESSIONS:
        _sync(
            counts,
            UnitSuccession,
            {"predecessor": units[old], "successor": units[new]},
            {"kind": kind, "effective_on": effective_on, "note": note},
            overwrite=overwrite,
        )
    return units


def _load_directive(counts, units, overwrite):
    values = dict(seed.DIRECTIVE, issuing_unit=units[seed.ISSUING_UNIT])
    directive = _sync(counts, Directive, {"code": seed.DIRECTIVE_CODE}, values, overwrite=overwrite)
    tasks = {}
    for task in seed.TASKS:
        tasks[task["number"]] = _sync(
            counts,
            Task,
            {"directive": directive, "number": task["number"]},
            {"title": task["title"], "text": task["text"]},
            overwrite=overwrite,
        )
    for position, (number, code, name, measure, kind, aggregation) in enumerate(seed.INDICATORS, start=1):
        _sync(
            counts,
            Indicator,
            {"task": tasks[number], "code": code},
            {"name": name, "unit_of_measure": measure, "kind": kind, "aggregation": aggregation, "position": position},
            overwrite=overwrite,
        )
    return directive, tasks


def _default_assignments():
    for number, (leads, partners) in seed.PROVINCE_ASSIGNMENTS.items():
        for code in leads:
            yield number, code, AssignmentRole.LEAD
        for code in partners:
            yield number, code, AssignmentRole.COORDINATING
    for code, _name in seed.DISTRICT_COMMITTEES:
        for number in seed.DISTRICT_TASKS:
            yield number, code, AssignmentRole.LEAD
    for code in seed.DIRECT_COMMITTEES:
        for number in seed.DIRECT_COMMITTEE_TASKS:
            yield number, code, AssignmentRole.LEAD


def _load_assignments(counts, units, tasks, schedule, overwrite):
    for number, code, role in _default_assignments():
        _sync(
            counts,
            Assignment,
            {"task": tasks[number], "unit": units[code]},
            {"role": role, "reviewing_unit": units[seed.REVIEWING_UNIT], "schedule": schedule},
            overwrite=overwrite,
        )


@transaction.atomic
def seed_load(*, today: datetime.date, overwrite: bool = False) -> Counter:
    """Loads everything; returns counts of the rows created and updated."""
    counts = Counter()
    units = _load_units(counts, overwrite)
    directive, tasks = _load_directive(counts, units, overwrite)
    schedule_values = {key: value for key, value in seed.SCHEDULE.items() if key != "code"}
    schedule = _sync(counts, ReportingSchedule, {"code": seed.SCHEDULE["code"]}, schedule_values, overwrite=overwrite)
    # Assignments first: the directive's term, reached through them, bounds the periods.
    _load_assignments(counts, units, tasks, schedule, overwrite)
    created = schedule_extend_periods(schedule=schedule, through=today + PERIODS_AHEAD)
    if created:
        counts["reportingperiod created"] += len(created)
    # The default reminder policy, shown and editable in the admin.
    _sync(counts, ReminderPolicy, {"directive": directive}, {}, overwrite=overwrite)
    return counts
