"""Reminders for a directive's dissemination: committees that have not issued
their implementing plan and Party cells that have not confirmed, by the
directive's deadlines (``DisseminationSetting``), on the directive's reminder
policy (days before, every N days overdue, escalation after N days, the
sending window) and through the same exactly-once ledger mechanism as the
report reminders (``reminders.ledger.ledger_claim``).

Who hears: a cell's secretary (or a committee's staff for its plan); after
``escalate_after_days`` overdue, the committee above it (a cell's grassroots
committee); after twice as long, the committee above that (the district-level
committee). The e-mail leads to the cell's confirmation page (the
committee's dissemination page for a plan)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from directives.models import Directive
from dissemination.coverage import coverage_build
from dissemination.coverage_tree import tree_today
from dissemination.models import CellConfirmation, ImplementingPlan
from dissemination.reminder_models import DisseminationReminder, DisseminationReminderKind, OwedThing
from dissemination.scope import PLAN_KINDS, SECRETARY_ROLES, STAFF_ROLES
from dissemination.services import setting_for
from notifications.models import NotificationKind
from notifications.services import notifications_send_many
from reminders.calendar import WorkingCalendar
from reminders.ledger import ledger_claim
from reminders.models import ReminderKind, ReminderStatus
from reminders.rules import owed_reminders
from reminders.services import policy_for, sending_allowed
from units.models import Membership, Unit, UnitKind

Kind = DisseminationReminderKind
KINDS = {ReminderKind.DUE_SOON: Kind.DUE_SOON, ReminderKind.OVERDUE: Kind.OVERDUE,
         ReminderKind.ESCALATION: Kind.ESCALATION}  # fmt: skip
ESCALATIONS = (Kind.ESCALATION, Kind.ESCALATION_UP)


@dataclass
class DisseminationSweep:
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    waiting: int = 0  # fell due but outside the sending window


def _at(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


def owed_rows(policy, due_on, today):
    """[(kind, offset, day it fell due)] for something owed by ``due_on`` and
    not yet done: the report reminders' rule, plus the second escalation
    (to the committee above the first) after twice the escalation delay."""
    if due_on is None:
        return []
    rows = [(KINDS[kind], offset, day) for kind, offset, day in owed_reminders(policy, due_on, today)]
    days = policy.escalate_after_days
    if days and (today - due_on).days >= 2 * days:
        rows.append((Kind.ESCALATION_UP, 2 * days, due_on + datetime.timedelta(days=2 * days)))
    return rows


def _plan(directive, policy, today):
    """Unsaved ledger rows owed on ``today``, from the live coverage: the
    committees without a plan and the open cells that have not confirmed."""
    coverage = coverage_build(directive=directive, today=today)
    rows = []

    def add(unit_id, owed, due_on):
        for kind, offset, day in owed_rows(policy, due_on, today):
            rows.append(DisseminationReminder(directive=directive, unit_id=unit_id, owed=owed, kind=kind,
                                              offset=offset, due_at=_at(day, policy.send_from)))  # fmt: skip

    for unit_id, status in coverage.plan_status.items():
        if status in ("missing", "not_due"):
            add(unit_id, OwedThing.PLAN, coverage.plan_due_on)
    if coverage.cell_due_on is not None:
        confirmed = CellConfirmation.objects.filter(directive=directive).values("cell_id")
        cells = (
            Unit.objects.without_tree_fields()
            .open_on(today)
            .filter(kind=UnitKind.PARTY_CELL, parent_id__in=list(coverage.cell_parents))
            .exclude(pk__in=confirmed)
            .values_list("pk", flat=True)
        )
        for cell_id in cells:
            add(cell_id, OwedThing.CELL, coverage.cell_due_on)
    return rows


def _record(directive, rows):
    """Inserts the new rows (the unique key keeps parallel sweeps apart) and
    retires pending rows a newer one of the same kind replaces; answers how
    many were retired."""
    existing = list(
        DisseminationReminder.objects.filter(directive=directive).values_list(
            "pk", "unit_id", "owed", "kind", "offset", "status"
        )
    )
    known = {(unit, owed, kind, offset) for _pk, unit, owed, kind, offset, _status in existing}
    DisseminationReminder.objects.bulk_create(
        [r for r in rows if (r.unit_id, r.owed, r.kind, r.offset) not in known], ignore_conflicts=True, batch_size=2000
    )
    latest = {(r.unit_id, r.owed, r.kind): r.offset for r in rows if r.kind not in ESCALATIONS}
    overdue = {(unit, owed) for unit, owed, kind in latest if kind == Kind.OVERDUE}
    stale = [
        pk
        for pk, unit, owed, kind, offset, status in existing
        if status == ReminderStatus.PENDING
        and kind not in ESCALATIONS
        and (latest.get((unit, owed, kind), offset) != offset or (kind == Kind.DUE_SOON and (unit, owed) in overdue))
    ]
    if not stale:
        return 0
    return DisseminationReminder.objects.filter(pk__in=stale, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.SKIPPED, note="superseded by a later reminder"
    )


def _committees_above(tree, unit_id):
    """The committees above ``unit_id`` today, nearest first."""
    return [pk for pk in tree.ancestors(unit_id) if tree.units[pk].kind in PLAN_KINDS]


def _cell_parent(tree, cells, cell_id):
    parent = cells.get(cell_id)
    return tree.current(parent) if parent is not None else None


def _targets(reminder, tree, cells):
    """(unit whose people hear, the roles that hear) for one row."""
    if reminder.owed == OwedThing.CELL:
        if reminder.kind not in ESCALATIONS:
            return reminder.unit_id, SECRETARY_ROLES
        grassroots = _cell_parent(tree, cells, reminder.unit_id)
        if reminder.kind == Kind.ESCALATION or grassroots is None:
            return grassroots, STAFF_ROLES
        above = _committees_above(tree, grassroots)
        return (above[0] if above else None), STAFF_ROLES
    if reminder.kind not in ESCALATIONS:
        return reminder.unit_id, STAFF_ROLES
    above = _committees_above(tree, reminder.unit_id) if reminder.unit_id in tree.units else []
    step = 0 if reminder.kind == Kind.ESCALATION else 1
    return (above[step] if len(above) > step else None), STAFF_ROLES


def _recipients(chunk, tree, cells):
    """{row pk: [users]}: one query for the memberships of every unit that hears."""
    targets = {reminder.pk: _targets(reminder, tree, cells) for reminder in chunk}
    members = defaultdict(lambda: defaultdict(dict))
    units = {unit for unit, _roles in targets.values() if unit is not None}
    for membership in Membership.objects.filter(unit_id__in=units, user__is_active=True).select_related("user"):
        members[membership.unit_id][membership.role][membership.user_id] = membership.user
    found = {}
    for pk, (unit, roles) in targets.items():
        users = {}
        for role in roles:
            users.update(members[unit][role] if unit is not None else {})
        found[pk] = list(users.values())
    return found


def _reason(reminder, names, due_on):
    """The notification's text (in the site's language): who owes what, by when."""
    values = {"unit": names.get(reminder.unit_id, ""), "directive": str(reminder.directive),
              "day": date_format(due_on, "SHORT_DATE_FORMAT") if due_on else ""}  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        if reminder.owed == OwedThing.CELL:
            text = _("%(unit)s has not yet confirmed that it has studied and disseminated %(directive)s (due %(day)s).")
        else:
            text = _("%(unit)s has not yet issued its implementing plan for %(directive)s (due %(day)s).")
        return text % values


def _link(reminder):
    """The cell's confirmation page (``dissemination.urls.confirm_path``), or the committee's page."""
    name = "dissemination_cell" if reminder.owed == OwedThing.CELL else "dissemination_unit"
    return reverse(name, args=[reminder.directive_id, reminder.unit_id])


def _deliver_chunk(chunk, now, tree, cells, deadlines):
    """One transaction: rows whose plan or confirmation has come meanwhile are
    skipped, the others claimed (rows another sweep took are left to it) and
    their notifications created."""
    with transaction.atomic():
        directive_ids = {r.directive_id for r in chunk}
        plans = set(
            ImplementingPlan.objects.filter(
                directive_id__in=directive_ids, unit_id__in={r.unit_id for r in chunk if r.owed == OwedThing.PLAN}
            ).values_list("directive_id", "unit_id")
        )
        confirmed = set(
            CellConfirmation.objects.filter(
                directive_id__in=directive_ids, cell_id__in={r.unit_id for r in chunk if r.owed == OwedThing.CELL}
            ).values_list("directive_id", "cell_id")
        )
        done = plans | confirmed
        today = timezone.localdate(now)
        owed = [r for r in chunk if (r.directive_id, r.unit_id) not in done and r.unit.is_open_on(today)]
        owed_pks = {r.pk for r in owed}
        skipped = ledger_claim(DisseminationReminder, [r.pk for r in chunk if r.pk not in owed_pks],
                               ReminderStatus.SKIPPED, now, note="done before it was sent")  # fmt: skip
        recipients = _recipients(owed, tree, cells)
        by_count = defaultdict(list)
        for reminder in owed:
            by_count[len(recipients[reminder.pk])].append(reminder.pk)
        sent = set()
        for count, pks in by_count.items():
            sent |= ledger_claim(DisseminationReminder, pks, ReminderStatus.SENT, now, recipients=count)
        names = {r.unit_id: r.unit.name for r in owed}
        notifications_send_many([
            {"recipients": recipients[r.pk],
             "kind": NotificationKind.DISSEMINATION_ESCALATION if r.kind in ESCALATIONS
             else NotificationKind.DISSEMINATION_DUE,
             "reason": _reason(r, names, deadlines[(r.directive_id, r.owed)]), "link": _link(r)}
            for r in owed if r.pk in sent
        ])  # fmt: skip
    return len(sent), len(skipped)


def dissemination_reminders_sweep(*, now=None, directives=None) -> DisseminationSweep:
    """Plans the rows that fell due for every directive in force (or those
    given) and sends the pending ones inside each policy's sending window,
    each exactly once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = WorkingCalendar()
    result = DisseminationSweep()
    tree = None
    for directive in directives or Directive.objects.in_force().select_related("reminder_policy"):
        policy = policy_for(directive)
        if not policy.is_active:
            continue
        rows = _plan(directive, policy, today)
        result.planned += len(rows)
        result.skipped += _record(directive, rows)
        pending = DisseminationReminder.objects.filter(
            directive=directive, status=ReminderStatus.PENDING, due_at__lte=now
        ).select_related("unit", "directive")
        if not sending_allowed(policy, now, calendar):
            result.waiting += pending.count()
            continue
        pending = list(pending.order_by("due_at", "pk"))
        if not pending:
            continue
        tree = tree or tree_today(today, exclude_kinds=[UnitKind.PARTY_CELL])
        cells = {r.unit_id: r.unit.parent_id for r in pending if r.owed == OwedThing.CELL}
        setting = setting_for(directive)
        deadlines = {(directive.pk, OwedThing.PLAN): setting.plan_due_on(),
                     (directive.pk, OwedThing.CELL): setting.cell_due_on()}  # fmt: skip
        size = settings.REMINDER_DELIVERY_CHUNK
        for start in range(0, len(pending), size):
            sent, skipped = _deliver_chunk(pending[start : start + size], now, tree, cells, deadlines)
            result.sent += sent
            result.skipped += skipped
    return result
