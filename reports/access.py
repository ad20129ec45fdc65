"""The one way a view gets an object: 404 for anything the user may not see.

Answering 404 rather than 403 does not tell a user that another unit's report
exists."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from reports.models import Assignment, Attachment, ProgressReport, ReportingPeriod


def object_or_404(user, queryset, perm, **lookup):
    obj = get_object_or_404(queryset, **lookup)
    if not user.has_perm(perm, obj):
        raise Http404
    return obj


def report_or_404(user, pk, perm="reports.read_report"):
    queryset = ProgressReport.objects.select_related(
        "assignment__task__directive", "assignment__unit", "assignment__reviewing_unit", "period", "submitted_by"
    )
    return object_or_404(user, queryset, perm, pk=pk)


def assignment_or_404(user, pk, perm="reports.read_assignment"):
    queryset = Assignment.objects.select_related("task__directive", "unit", "schedule", "reviewing_unit")
    return object_or_404(user, queryset, perm, pk=pk)


def period_of_assignment_or_404(assignment, period_pk):
    """A period the assignment owes: on its schedule, while its unit was open."""
    period = get_object_or_404(ReportingPeriod, pk=period_pk, schedule_id=assignment.schedule_id)
    if not assignment.unit.is_open_during(period.starts_on, period.ends_on):
        raise Http404
    return period


def attachment_or_404(user, report_pk, pk, perm="reports.read_report"):
    attachment = get_object_or_404(
        Attachment.objects.select_related("report__assignment__unit"), pk=pk, report_id=report_pk
    )
    if not user.has_perm(perm, attachment.report):
        raise Http404
    return attachment
