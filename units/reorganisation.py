"""Reorganising units: merge, split, rename, move to another parent, dissolve.

One code path for the preview and the change: ``reorganisation_run`` applies
the changes inside a transaction and records every consequence; a dry run (or
a run that found an error) rolls everything back. So the preview lists exactly
what confirming will do, and checks that the dashboard's figures of every
period before the earliest effective date are the same after the change
(computed on the tree as it stood then, see ``units.placement``)."""

import datetime
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import (
    Membership,
    Reorganisation,
    SuccessionKind,
    Unit,
    UnitPlacement,
    UnitSuccession,
    scope_roots,
)

ONE_DAY = datetime.timedelta(days=1)


class ChangeKind:
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    MOVE = "move"
    DISSOLVE = "dissolve"
    CHOICES = [
        (MERGE, gettext_lazy("Merge into another unit")),
        (SPLIT, gettext_lazy("Split into several units")),
        (RENAME, gettext_lazy("Rename (a new unit takes over)")),
        (MOVE, gettext_lazy("Move to another parent")),
        (DISSOLVE, gettext_lazy("Dissolution (no successor)")),
    ]
    CLOSING = (MERGE, SPLIT, RENAME, DISSOLVE)
    SUCCESSION = {MERGE: SuccessionKind.MERGE, SPLIT: SuccessionKind.SPLIT, RENAME: SuccessionKind.RENAME}

    @classmethod
    def label(cls, kind):
        return dict(cls.CHOICES).get(kind, kind)


class MembershipChoice:
    MOVE = "move"  # to the one successor
    END = "end"
    KEEP = "keep"  # on the closed unit: its staff keep reading its past reports


@dataclass
class Change:
    code: str
    kind: str
    effective_on: datetime.date
    successors: list = field(default_factory=list)  # codes
    parent: str = ""  # code of the new parent (of the unit moved, or of the units opened)
    names: list = field(default_factory=list)  # names of the successors to open, in order
    unit_kind: str = ""  # kind and level of the successors to open (default: the unit's)
    level: int | None = None
    sample: bool = False
    row: int | None = None  # the sheet's row number
    carry_assignments: bool = True
    memberships: str = ""  # MembershipChoice; "" for the default (move to a single successor, else keep)


@dataclass
class Problem:
    row: int | None
    column: str
    message: str


@dataclass
class PeriodCheck:
    directive: str
    period: str
    expected: int
    received: int
    on_time: int
    same: bool


@dataclass
class Outcome:
    """Everything a reorganisation does (or would do)."""

    problems: list = field(default_factory=list)
    closed: list = field(default_factory=list)  # (unit name, code, kind label, last day, successor names)
    opened: list = field(default_factory=list)  # (name, code, parent name, first day, sample)
    moved: list = field(default_factory=list)  # (name, code, from, to, first day, why)
    carried: list = field(default_factory=list)  # (assignment label, from, to)
    held: list = field(default_factory=list)  # (assignment label, from, to): the successor already has the task
    not_carried: list = field(default_factory=list)  # (assignment label, from, to): the successor opened earlier
    ended: list = field(default_factory=list)  # (assignment label, unit)
    memberships_moved: list = field(default_factory=list)  # (user, role, from, to)
    memberships_ended: list = field(default_factory=list)  # (user, role, unit)
    memberships_kept: list = field(default_factory=list)  # (user, role, unit)
    reports_kept: list = field(default_factory=list)  # (unit name, reports)
    checks: list = field(default_factory=list)  # PeriodCheck
    applied: bool = False
    seconds: float = 0.0

    @property
    def ok(self):
        return not self.problems

    @property
    def reports_total(self):
        return sum(count for _name, count in self.reports_kept)

    @property
    def figures_same(self):
        return all(check.same for check in self.checks)

    def counts(self):
        return {
            "closed": len(self.closed),
            "opened": len(self.opened),
            "moved": len(self.moved),
            "assignments_carried": len(self.carried),
            "assignments_held": len(self.held),
            "assignments_not_carried": len(self.not_carried),
            "assignments_ended": len(self.ended),
            "memberships_moved": len(self.memberships_moved),
            "memberships_ended": len(self.memberships_ended),
            "memberships_kept": len(self.memberships_kept),
            "reports_kept": sum(count for _name, count in self.reports_kept),
            "periods_checked": len(self.checks),
        }


class _Rollback(Exception):
    pass


def reorganisation_run(*, changes, user, dry_run, source="", filename="") -> Outcome:
    """Applies ``changes`` in one transaction, all or nothing: rolled back on a
    dry run or when any change is refused. Recorded (who, which file, what it
    did) when applied."""
    started = time.monotonic()
    outcome = Outcome()
    try:
        with transaction.atomic():
            _Run(changes, outcome).apply()
            if outcome.problems or dry_run:
                raise _Rollback
            Reorganisation.objects.create(
                user=user if user is not None and user.pk else None,
                source=source,
                filename=filename,
                changes=len(changes),
                summary=outcome.counts(),
            )
            outcome.applied = True
    except _Rollback:
        pass
    outcome.seconds = time.monotonic() - started
    return outcome


def _day(day):
    return date_format(day, "SHORT_DATE_FORMAT")


class _Run:
    def __init__(self, changes, outcome):
        self.changes, self.out = changes, outcome
        self.today = timezone.localdate()

    def problem(self, change, column, message):
        self.out.problems.append(Problem(change.row if change else None, column, message))

    def apply(self):
        if not self.changes:
            self.problem(None, "", _("There is no change to make."))
            return
        first = min(change.effective_on for change in self.changes)
        before = _figures_before(first, self.today)
        codes = {c.code for c in self.changes} | {s for c in self.changes for s in c.successors}
        codes |= {c.parent for c in self.changes if c.parent}
        self.units = {u.code: u for u in Unit.objects.without_tree_fields().filter(code__in=codes)}
        if not self._check_rows():
            return
        # The tree changes shape: the dashboard's tallies are rebuilt once after it (rolled back
        # with everything else on a dry run), not re-tallied unit by unit as each change is saved.
        from dashboard.tallies import tallies_mark_stale

        tallies_mark_stale()
        self._open_successors()
        if self.out.problems:
            return
        handled = {self.units[c.code].pk for c in self.changes}
        for change in self.changes:
            if change.kind == ChangeKind.MOVE:
                self._move(change, self.units[change.code], self.units[change.parent], why="")
        for change in self.changes:
            if change.kind in ChangeKind.CLOSING:
                self._close(change, handled)
        if self.out.problems:
            return
        after = _figures_before(first, self.today)
        for key, (label, counts) in before.items():
            later = after.get(key, (label, None))[1]
            self.out.checks.append(PeriodCheck(*label, counts["total"][0], counts["total"][1], counts["total"][2],
                                               same=later == counts))  # fmt: skip
        if not self.out.figures_same:
            self.problem(None, "", _("The dashboard's figures of a period before the change would change."))

    # --- checks -------------------------------------------------------------------------------

    def _check_rows(self):
        seen = {}
        for change in self.changes:
            unit = self.units.get(change.code)
            day = change.effective_on
            if change.code in seen:
                self.problem(
                    change, "code", _("The unit is already changed on row %(row)s.") % {"row": seen[change.code]}
                )
            seen[change.code] = change.row
            if unit is None:
                self.problem(change, "code", _("No unit has the code %(code)s.") % {"code": change.code})
                continue
            if unit.closed_before(day):
                self.problem(
                    change,
                    "code",
                    _("%(unit)s already closed on %(day)s.") % {"unit": unit, "day": _day(unit.valid_to)},
                )
            if unit.valid_from and unit.valid_from >= day:
                self.problem(change, "effective_on", _("%(unit)s opens on %(day)s: it cannot change before it opens.")
                             % {"unit": unit, "day": _day(unit.valid_from)})  # fmt: skip
            wanted = {ChangeKind.MERGE: (1, 1), ChangeKind.RENAME: (1, 1), ChangeKind.SPLIT: (2, 99),
                      ChangeKind.MOVE: (0, 0), ChangeKind.DISSOLVE: (0, 0)}.get(change.kind)  # fmt: skip
            if wanted is None:
                self.problem(change, "kind", _("Unknown kind of change."))
                continue
            if not wanted[0] <= len(change.successors) <= wanted[1]:
                message = {
                    ChangeKind.MERGE: _("A merger names exactly one successor."),
                    ChangeKind.RENAME: _("A renaming names exactly one successor (the unit under its new name)."),
                    ChangeKind.SPLIT: _("A split names at least two successors."),
                }.get(change.kind, _("A move or a dissolution names no successor."))
                self.problem(change, "successors", message)
            if change.kind == ChangeKind.MOVE and not change.parent:
                self.problem(change, "parent", _("A move names the new parent."))
            if change.parent:
                parent = self.units.get(change.parent)
                if parent is None and not self._opened_here(change.parent):
                    self.problem(change, "parent", _("No unit has the code %(code)s.") % {"code": change.parent})
                elif parent is not None and not parent.is_open_on(day):
                    self.problem(
                        change, "parent", _("%(unit)s is not open on %(day)s.") % {"unit": parent, "day": _day(day)}
                    )
            for code in change.successors:
                successor = self.units.get(code)
                if code == change.code:
                    self.problem(change, "successors", _("A unit cannot succeed itself."))
                elif successor is not None and not successor.is_open_on(day):
                    self.problem(
                        change,
                        "successors",
                        _("%(unit)s is not open on %(day)s.") % {"unit": successor, "day": _day(day)},
                    )
                elif successor is None and not self._name_of(code):
                    self.problem(
                        change, "names", _("No unit has the code %(code)s: give the new unit's name.") % {"code": code}
                    )
        return not self.out.problems

    def _opened_here(self, code):
        return any(code in c.successors and c.code != code for c in self.changes) and bool(self._name_of(code))

    def _name_of(self, code):
        for change in self.changes:
            if code in change.successors:
                index = change.successors.index(code)
                if index < len(change.names) and change.names[index]:
                    return change, change.names[index]
        return None

    # --- changes ------------------------------------------------------------------------------

    def _open_successors(self):
        opened = []
        for change in self.changes:
            for code in change.successors:
                if code in self.units:
                    continue
                source, name = self._name_of(code)
                predecessor = self.units[source.code]
                unit = Unit(code=code, name=name, kind=source.unit_kind or predecessor.kind,
                            level=source.level or predecessor.level, valid_from=source.effective_on,
                            is_sample=source.sample, requires_signoff=predecessor.requires_signoff)  # fmt: skip
                unit._parent_code = source.parent or None
                unit._parent_default = predecessor.parent_id
                try:
                    unit.full_clean(exclude=["parent"])
                except Exception as error:  # noqa: BLE001 - a ValidationError, reported on the row
                    for column, messages in getattr(error, "message_dict", {"names": [str(error)]}).items():
                        self.problem(source, "names" if column == "name" else column, "; ".join(messages))
                    continue
                unit.save()
                self.units[code] = unit
                opened.append(unit)
        for unit in opened:
            parent = self.units.get(unit._parent_code) if unit._parent_code else None
            unit.parent_id = parent.pk if parent else unit._parent_default
            unit.save(update_fields=["parent"])
            parent_name = str(parent) if parent else str(Unit.objects.filter(pk=unit.parent_id).first() or "—")
            self.out.opened.append((unit.name, unit.code, parent_name, unit.valid_from, unit.is_sample))

    def _move(self, change, unit, parent, why):
        day = change.effective_on
        if UnitPlacement.objects.filter(unit=unit, ends_on__gte=day - ONE_DAY).exists():
            self.problem(
                change,
                "effective_on",
                _("%(unit)s has already moved on or after %(day)s.") % {"unit": unit, "day": _day(day)},
            )
            return
        if parent.pk == unit.pk or parent.pk in Unit.objects.subtree_ids(unit):
            self.problem(
                change,
                "parent",
                _("%(parent)s is below %(unit)s: the tree would have a cycle.") % {"parent": parent, "unit": unit},
            )
            return
        old = Unit.objects.filter(pk=unit.parent_id).first()
        UnitPlacement.objects.create(unit=unit, parent=old, ends_on=day - ONE_DAY)
        unit.parent_id = parent.pk
        unit.save(update_fields=["parent"])
        self.out.moved.append((unit.name, unit.code, str(old or "—"), str(parent), day, why))

    def _close(self, change, handled):
        unit, day = self.units[change.code], change.effective_on
        successors = [self.units[code] for code in change.successors]
        unit.valid_to = day - ONE_DAY
        unit.save(update_fields=["valid_to"])
        for successor in successors:
            UnitSuccession.objects.update_or_create(
                predecessor=unit, successor=successor,
                defaults={"kind": ChangeKind.SUCCESSION[change.kind], "effective_on": day,
                          "note": _("Reorganisation of %(day)s") % {"day": _day(day)}},
            )  # fmt: skip
        self.out.closed.append((unit.name, unit.code, ChangeKind.label(change.kind), unit.valid_to,
                                [s.name for s in successors]))  # fmt: skip
        self._children(change, unit, successors, handled)
        self._assignments(change, unit, successors)
        self._memberships(change, unit, successors)
        from reports.models import ProgressReport

        reports = ProgressReport.objects.filter(assignment__unit=unit).count()
        if reports:
            self.out.reports_kept.append((unit.name, reports))

    def _children(self, change, unit, successors, handled):
        """Units still open under the closed one go under its one successor;
        with none or several, the sheet must say where each goes."""
        day = change.effective_on
        for child in Unit.objects.without_tree_fields().filter(parent=unit).open_on(day):
            if child.pk in handled:
                continue
            if len(successors) == 1:
                self._move(change, child, successors[0], why=_("its parent closed"))
            else:
                message = _(
                    "%(child)s is still open under %(unit)s from %(day)s: move it, close it, "
                    "or give %(unit)s one successor."
                )
                self.problem(change, "code", message % {"child": child, "unit": unit, "day": _day(day)})

    def _assignments(self, change, unit, successors):
        from reports.models import Assignment, AssignmentRole

        assignments = list(Assignment.objects.filter(unit=unit).select_related("task__directive"))
        if not assignments:
            return
        # One lead per task and area, checked from rows read once (Assignment.clean
        # reads every lead's ancestors, once per carried assignment).
        scopes = scope_roots()
        leads = {}
        for task_id, unit_id in Assignment.objects.filter(
            task_id__in={a.task_id for a in assignments}, role=AssignmentRole.LEAD
        ).values_list("task_id", "unit_id"):
            leads.setdefault(task_id, set()).add(unit_id)
        periods = dict(Unit.objects.without_tree_fields().filter(
            pk__in={pk for found in leads.values() for pk in found}).values_list("pk", "valid_to"))  # fmt: skip
        for assignment in assignments:
            label = f"{assignment.task.directive.short_label} · {_('task')} {assignment.task.number}"
            if not successors or not change.carry_assignments:
                self.out.ended.append((label, unit.name))
                continue
            for successor in successors:
                if Assignment.objects.filter(task_id=assignment.task_id, unit=successor).exists():
                    self.out.held.append((label, unit.name, successor.name))
                    continue
                if successor.valid_from is None or successor.valid_from < change.effective_on:
                    # An assignment has no start date: a unit open before the change would
                    # owe the periods before it too, changing their figures.
                    self.out.not_carried.append((label, unit.name, successor.name))
                    continue
                if assignment.role == AssignmentRole.LEAD:
                    rivals = [pk for pk in leads.get(assignment.task_id, ())
                              if scopes.get(pk) == scopes.get(successor.pk)
                              and (periods.get(pk) is None or periods[pk] >= successor.valid_from)]  # fmt: skip
                    if rivals:
                        other = Unit.objects.get(pk=rivals[0])
                        message = _("%(unit)s already leads this task in the same area.") % {"unit": other}
                        self.problem(change, "successors", f"{label}, {successor}: {message}")
                        continue
                    leads.setdefault(assignment.task_id, set()).add(successor.pk)
                    periods[successor.pk] = successor.valid_to
                carried = Assignment(
                    task_id=assignment.task_id, unit=successor, role=assignment.role,
                    responsible_person=assignment.responsible_person, work=assignment.work,
                    deadline=assignment.deadline, expected_result=assignment.expected_result,
                    accountable_official=assignment.accountable_official,
                    reviewing_unit_id=assignment.reviewing_unit_id, schedule_id=assignment.schedule_id,
                )  # fmt: skip
                carried._change_reason = _("Carried from %(unit)s (reorganisation)") % {"unit": unit.name}
                carried.save()
                self.out.carried.append((label, unit.name, successor.name))

    def _memberships(self, change, unit, successors):
        choice = change.memberships or (MembershipChoice.MOVE if len(successors) == 1 else MembershipChoice.KEEP)
        if choice == MembershipChoice.MOVE and len(successors) != 1:
            self.problem(change, "memberships", _("Memberships move only to a single successor."))
            return
        for membership in Membership.objects.filter(unit=unit).select_related("user"):
            who, role = membership.user.get_username(), membership.get_role_display()
            if choice == MembershipChoice.MOVE:
                target = successors[0]
                if Membership.objects.filter(user=membership.user, unit=target, role=membership.role).exists():
                    membership.delete()
                else:
                    membership.unit = target
                    membership.save(update_fields=["unit"])
                self.out.memberships_moved.append((who, role, unit.name, target.name))
            elif choice == MembershipChoice.END:
                membership.delete()
                self.out.memberships_ended.append((who, role, unit.name))
            else:
                self.out.memberships_kept.append((who, role, unit.name))


def _figures_before(first_day, today):
    """{(directive pk, period pk): ((directive, period label), fingerprint)}
    for every period of every directive in force that ended before
    ``first_day`` and has started: every (unit, task)'s state and every top
    row's sums of the matrix, on the tree as it stood at the period's end.
    One walk per top row over everything (as the tallies' rebuild does)."""
    from dashboard.states import Walk, report_rows
    from dashboard.tallies import Sums, _Shape
    from directives.models import Directive
    from reports.models import ProgressReport

    found = {}
    for directive in Directive.objects.in_force():
        shape = _Shape(directive, today)
        periods = [p for p in shape.periods if p.ends_on < first_day]
        if not periods:
            continue
        cells = {p.pk: {} for p in periods}
        tops = {p.pk: {} for p in periods}
        for members in shape.by_top.values():
            reports = report_rows(
                ProgressReport.objects.filter(assignment_id__in=[a.pk for a in members], period__in=periods)
            )
            walk = Walk(assignments=members, successions=shape.successions, periods=shape.periods, reports=reports,
                        rule=shape.rule, as_of=today)  # fmt: skip
            for period in periods:
                dated = shape.tops_on(period.ends_on)
                for state in walk.states_at(period):
                    report = state.row.report.pk if state.row.report else None
                    cells[period.pk][(state.unit.pk, state.task_id)] = (_counts(state.row.counts), report,
                                                                        state.category, state.progress)  # fmt: skip
                    tops[period.pk].setdefault((dated[state.unit.pk], state.task_id), Sums()).add_state(state)
        for period in periods:
            sums = {key: tuple(value.values.values()) for key, value in tops[period.pk].items()}
            total = [0, 0, 0]
            for counts, *_rest in cells[period.pk].values():
                total = [total[0] + counts[0], total[1] + counts[1], total[2] + counts[2]]
            fingerprint = {"total": tuple(total), "cells": cells[period.pk], "rows": sums}
            found[(directive.pk, period.pk)] = ((directive.short_label, period.label), fingerprint)
    return found


def _counts(counts):
    return (counts.expected, counts.received, counts.on_time, counts.accepted, counts.returned, counts.overdue)


def unit_open_work(unit):
    """What closing ``unit`` touches: its assignments and memberships (the
    closing page warns of them)."""
    from reports.models import Assignment

    return (
        list(Assignment.objects.filter(unit=unit).select_related("task__directive")),
        list(Membership.objects.filter(unit=unit).select_related("user")),
        Unit.objects.without_tree_fields().filter(parent=unit).open_on(timezone.localdate()).count(),
    )


def outcome_lines(outcome):
    """The outcome in a few lines, for the command line."""
    counts = outcome.counts()
    lines = [
        _("Units closed: %(count)d") % {"count": counts["closed"]},
        _("Units opened: %(count)d") % {"count": counts["opened"]},
        _("Units moved to another parent: %(count)d") % {"count": counts["moved"]},
        _("Assignments carried to successors: %(count)d") % {"count": counts["assignments_carried"]},
        _("Assignments the successor already had: %(count)d") % {"count": counts["assignments_held"]},
        _("Assignments not carried (the successor was open before the change): %(count)d")
        % {"count": counts["assignments_not_carried"]},
        _("Assignments ended: %(count)d") % {"count": counts["assignments_ended"]},
        _("Memberships moved: %(count)d") % {"count": counts["memberships_moved"]},
        _("Memberships ended: %(count)d") % {"count": counts["memberships_ended"]},
        _("Memberships kept on closed units (past reports readable): %(count)d")
        % {"count": counts["memberships_kept"]},
        _("Reports of closed units kept where they were filed: %(count)d") % {"count": counts["reports_kept"]},
        _("Periods before the change whose figures are unchanged: %(same)d of %(count)d")
        % {"same": sum(check.same for check in outcome.checks), "count": len(outcome.checks)},
    ]
    for problem in outcome.problems:
        where = (
            _("row %(row)s, column %(column)s: ") % {"row": problem.row, "column": problem.column}
            if problem.row
            else ""
        )
        lines.append(_("Error: %(where)s%(message)s") % {"where": where, "message": problem.message})
    return lines
