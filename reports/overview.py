"""Read models for the home page: a fixed number of queries whatever the data size."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directives.models import Directive, Task
from reports.models import Assignment, AssignmentRole, ProgressReport, ReportingPeriod, ReportState
from units.models import Membership


@dataclass
class AssignmentRow:
    assignment: Assignment
    next_period: ReportingPeriod | None
    report: ProgressReport | None
    today: object

    @property
    def days_left(self):
        return None if self.next_period is None else (self.next_period.due_on - self.today).days

    @property
    def due_text(self):
        days = self.days_left
        if days is None:
            return _("No period due")
        if days == 0:
            return _("Due today")
        if days < 0:
            return ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}

    @property
    def due_css(self):
        days = self.days_left
        if days is None:
            return "text-body-secondary"
        if days < 0:
            return "due-overdue"
        return "due-soon" if days <= 7 else "due-later"


def unit_staff_overview(user, today):
    """The user's memberships and the assignments of their units, each with the
    next period due and that period's report, if started."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__level", "unit__name", "role")
    )
    unit_ids = {membership.unit_id for membership in memberships}
    assignments = list(
        Assignment.objects.filter(unit_id__in=unit_ids, task__directive__status="in_force")
        .select_related("task__directive", "unit")
        .with_next_period(today)
        .order_by("task__directive_id", "task__number", "unit__name")
    )
    period_ids = {a.next_period_id for a in assignments if a.next_period_id}
    periods = ReportingPeriod.objects.in_bulk(period_ids)
    reports = {
        (report.assignment_id, report.period_id): report
        for report in ProgressReport.objects.filter(
            assignment__in=[a.pk for a in assignments], period_id__in=period_ids
        )
    }
    rows = [
        AssignmentRow(
            assignment=a,
            next_period=periods.get(a.next_period_id),
            report=reports.get((a.pk, a.next_period_id)),
            today=today,
        )
        for a in assignments
    ]
    return memberships, rows


@dataclass
class DirectiveSummary:
    directive: Directive
    tasks: list = field(default_factory=list)
    report_states: Counter = field(default_factory=Counter)

    @property
    def state_counts(self):
        return [(label, self.report_states[value]) for value, label in ReportState.choices if self.report_states[value]]


def province_overview(today):
    """Directives in force with their tasks, assignment counts, next due date
    and reports by state."""
    next_due = (
        ReportingPeriod.objects.filter(schedule__assignments__task__directive=OuterRef("pk"), due_on__gte=today)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    directives = list(Directive.objects.in_force().annotate(next_due_on=Subquery(next_due)).order_by("title"))
    summaries = {d.pk: DirectiveSummary(directive=d) for d in directives}
    tasks = Task.objects.filter(directive__in=directives).annotate(
        unit_count=Count("assignments"),
        lead_count=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD)),
    )
    for task in tasks.order_by("number"):
        summaries[task.directive_id].tasks.append(task)
    states = defaultdict(Counter)
    for row in (
        ProgressReport.objects.filter(assignment__task__directive__in=directives)
        .values("assignment__task__directive", "state")
        .annotate(n=Count("pk"))
    ):
        states[row["assignment__task__directive"]][row["state"]] = row["n"]
    for pk, summary in summaries.items():
        summary.report_states = states[pk]
    return list(summaries.values())
