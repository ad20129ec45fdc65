"""Object permissions (django-rules). Every per-object view checks one of
these through reports.access, which answers 404 when the check fails."""

import rules

from reports.models import Assignment, Attachment, ProgressReport, ReportState
from units.roles import is_administrator, is_committee, is_office, readable_unit_ids, unit_roles


def _unit_id(obj):
    if isinstance(obj, ProgressReport):
        return obj.assignment.unit_id
    if isinstance(obj, Assignment):
        return obj.unit_id
    if isinstance(obj, Attachment):
        return obj.report.assignment.unit_id
    return None


def _report(obj):
    return obj.report if isinstance(obj, Attachment) else obj


@rules.predicate
def is_admin(user):
    return is_administrator(user)


@rules.predicate
def is_office_staff(user):
    return is_office(user)


@rules.predicate
def is_committee_member(user):
    return is_committee(user)


@rules.predicate
def is_unit_member(user, obj):
    return _unit_id(obj) in unit_roles(user)


@rules.predicate
def is_unit_head(user, obj):
    return "head" in unit_roles(user).get(_unit_id(obj), ())


@rules.predicate
def is_unit_reporter(user, obj):
    return "reporter" in unit_roles(user).get(_unit_id(obj), ())


@rules.predicate
def reads_unit(user, obj):
    return _unit_id(obj) in readable_unit_ids(user)


def _reviewing_unit_id(obj):
    if isinstance(obj, ProgressReport):
        return obj.assignment.reviewing_unit_id
    if isinstance(obj, Assignment):
        return obj.reviewing_unit_id
    if isinstance(obj, Attachment):
        return obj.report.assignment.reviewing_unit_id
    return None


@rules.predicate
def is_in_reviewing_unit(user, obj):
    """Staff of the unit named to review the assignment read its reports (they
    are told when a unit keeps ignoring reminders)."""
    reviewing = _reviewing_unit_id(obj)
    return reviewing is not None and reviewing in unit_roles(user)


@rules.predicate
def is_draft_or_returned(user, obj):
    return _report(obj).state in (ReportState.DRAFT, ReportState.RETURNED)


@rules.predicate
def is_awaiting_signoff(user, obj):
    return _report(obj).state == ReportState.PENDING_SIGNOFF


@rules.predicate
def is_submitted(user, obj):
    return _report(obj).state == ReportState.SUBMITTED


@rules.predicate
def is_accepted(user, obj):
    return _report(obj).state == ReportState.ACCEPTED


@rules.predicate
def needs_signoff(user, obj):
    return _report(obj).assignment.unit.requires_signoff


sees_everything = is_admin | is_office_staff | is_committee_member
# Viewers are members too, but only reporters and heads write.
is_unit_staff = is_unit_reporter | is_unit_head
reviews = is_admin | is_office_staff
staff_may_edit = (is_unit_staff & is_draft_or_returned) | (is_unit_head & is_awaiting_signoff)


def can_edit_report(user, report):
    """The one test for changing a report's content or files. The state check
    is repeated outside the rule because Django's has_perm answers True for
    any active superuser before asking the rules."""
    return report.is_editable_state and user.has_perm("reports.edit_report", report)


# Reading: the province-wide roles read everything; unit staff their own units
# (and subordinates where the unit allows it); the reviewing unit's staff the
# assignments they review.
rules.add_perm("reports.read_assignment", sees_everything | reads_unit | is_in_reviewing_unit)
rules.add_perm("reports.read_report", sees_everything | reads_unit | is_in_reviewing_unit)
rules.add_perm("reports.read_history", reviews)
# Writing: unit staff on their own unit's reports; administrators do everything.
rules.add_perm("reports.start_report", is_admin | is_unit_staff)
rules.add_perm("reports.edit_report", staff_may_edit | (is_admin & (is_draft_or_returned | is_awaiting_signoff)))
rules.add_perm("reports.send_to_head", (is_unit_staff | is_admin) & is_draft_or_returned & needs_signoff)
rules.add_perm(
    "reports.submit_report",
    ((is_unit_head | is_admin) & (is_draft_or_returned | is_awaiting_signoff))
    | (is_unit_reporter & is_draft_or_returned & ~needs_signoff),
)
rules.add_perm("reports.send_back_report", (is_unit_head | is_admin) & is_awaiting_signoff)
# Review: the provincial office (and administrators).
rules.add_perm("reports.review_report", reviews & is_submitted)
rules.add_perm("reports.reopen_report", reviews & is_accepted)
