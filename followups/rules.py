"""Who may see and do what with a follow-up item (django-rules). Views check
these through followups.access, which answers 404 when a check fails.

- The addressed units (lead and co-ordinating) read their items; their
  reporters and heads write the response and add evidence; the lead unit's
  head (or its reporter, where the unit sends without sign-off) reports the
  item to the verifying body.
- The issuing body and the verifying body read their items; the verifying
  body's reporters and heads accept or return a reported item and open a
  re-supervision round.
- The office, the Standing Committee and administrators read everything; the
  office and administrators record items; the Committee and the office
  record directions. Nobody else sees an item.
"""

import rules

from followups.models import ANSWERABLE_STATUSES, CLOSED_STATUSES, AddresseeRole, FollowUpStatus
from reports.rules import is_admin, is_committee_member, is_office_staff, sees_everything
from units.roles import readable_unit_ids, unit_roles

STAFF_ROLES = {"reporter", "head"}


def addressee_roles(item):
    """{unit id: role} of the item's addressed units, read once per object."""
    if not hasattr(item, "_addressee_roles"):
        item._addressee_roles = dict(item.addressees.values_list("unit_id", "role"))
    return item._addressee_roles


def lead_unit_id(item):
    roles = addressee_roles(item)
    leads = [unit_id for unit_id, role in roles.items() if role == AddresseeRole.LEAD]
    return leads[0] if leads else None


def _staff_of(user, unit_id):
    return unit_id is not None and bool(unit_roles(user).get(unit_id, set()) & STAFF_ROLES)


@rules.predicate
def is_addressed(user, item):
    return bool(set(addressee_roles(item)) & readable_unit_ids(user))


@rules.predicate
def is_addressed_staff(user, item):
    return any(_staff_of(user, unit_id) for unit_id in addressee_roles(item))


@rules.predicate
def is_lead_head(user, item):
    return "head" in unit_roles(user).get(lead_unit_id(item), set())


@rules.predicate
def is_lead_reporter(user, item):
    return "reporter" in unit_roles(user).get(lead_unit_id(item), set())


@rules.predicate
def lead_needs_signoff(user, item):
    from units.models import Unit

    lead = lead_unit_id(item)
    return lead is None or Unit.objects.filter(pk=lead, requires_signoff=True).exists()


@rules.predicate
def is_issuer(user, item):
    return item.document.issuing_unit_id in unit_roles(user)


@rules.predicate
def is_issuer_staff(user, item):
    return _staff_of(user, item.document.issuing_unit_id)


@rules.predicate
def is_verifier(user, item):
    return item.verifying_unit_id in unit_roles(user)


@rules.predicate
def is_verifier_staff(user, item):
    return _staff_of(user, item.verifying_unit_id)


def _status_in(*statuses):
    @rules.predicate
    def check(user, item):
        return item.status in statuses

    return check


is_answerable = _status_in(*ANSWERABLE_STATUSES)
is_being_written = _status_in(FollowUpStatus.NOT_STARTED, FollowUpStatus.IN_PROGRESS, FollowUpStatus.RETURNED)
is_awaiting_signoff = _status_in(FollowUpStatus.PENDING_SIGNOFF)
is_reported = _status_in(FollowUpStatus.REPORTED)
is_closed = _status_in(*CLOSED_STATUSES)


@rules.predicate
def has_any_staff_role(user):
    return any(roles & STAFF_ROLES for roles in unit_roles(user).values())


rules.add_perm("followups.read_item", sees_everything | is_addressed | is_issuer | is_verifier)
# The response (progress text and evidence): any writer of an addressed unit while the
# units work on it; while it waits for sign-off, only the lead unit's head.
rules.add_perm(
    "followups.answer_item",
    ((is_addressed_staff | is_admin) & is_being_written) | ((is_lead_head | is_admin) & is_awaiting_signoff),
)
rules.add_perm(
    "followups.send_to_head", (is_lead_reporter | is_lead_head | is_admin) & is_being_written & lead_needs_signoff
)
rules.add_perm("followups.send_back", (is_lead_head | is_admin) & is_awaiting_signoff)
rules.add_perm(
    "followups.report_item",
    ((is_lead_head | is_admin) & is_answerable) | (is_lead_reporter & is_being_written & ~lead_needs_signoff),
)
rules.add_perm("followups.verify_item", (is_verifier_staff | is_admin) & is_reported)
rules.add_perm("followups.resupervise_item", (is_verifier_staff | is_issuer_staff | is_admin) & is_closed)
# Recording: the office and administrators record any item; the staff of a body record the
# items it issues (the form offers only their units); the Committee and the office record
# directions.
rules.add_perm("followups.record_item", is_admin | is_office_staff | has_any_staff_role)
rules.add_perm("followups.record_direction", is_admin | is_office_staff | is_committee_member)
rules.add_perm("followups.read_register", rules.is_authenticated)


def can_answer(user, item):
    """The one test for writing the response and adding evidence. The status is
    checked outside the rule too, because Django's has_perm answers True for any
    active superuser before asking the rules."""
    return item.status in ANSWERABLE_STATUSES and user.has_perm("followups.answer_item", item)


def can_resupervise(user, item):
    """Whether ``user`` may open a re-supervision round of ``item`` now (closed items only)."""
    return item.status in CLOSED_STATUSES and user.has_perm("followups.resupervise_item", item)


# Importing items from a workbook (followups/roll_rules.py).
from followups import roll_rules  # noqa: E402, F401
