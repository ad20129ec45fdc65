"""Read models for the home and "my work" pages: a fixed number of queries
whatever the data size."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directives.models import Directive, Task
from reports.models import Assignment, AssignmentRole, ProgressReport, ReportingPeriod, ReportState
from units.models import Membership, MembershipRole

# "My work" looks this far ahead for the next period due.
UPCOMING = datetime.timedelta(days=400)


DONE_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)


def due_phrase(days):
    """ "Còn 3 ngày", "Đến hạn hôm nay", "Quá hạn 2 ngày" for a due date ``days`` away."""
    if days == 0:
        return _("Due today")
    if days < 0:
        return ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}
    return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}


@dataclass
class DueRow:
    """One report an assignment owes for one period, with its deadline status."""

    assignment: Assignment
    period: ReportingPeriod | None
    report: ProgressReport | None
    today: object

    @property
    def state(self):
        return self.report.state if self.report else "not_started"

    @property
    def state_label(self):
        return self.report.get_state_display() if self.report else _("Not started")

    @property
    def is_done(self):
        return self.report is not None and self.report.state in DONE_STATES

    @property
    def days_left(self):
        return None if self.period is None else (self.period.due_on - self.today).days

    @property
    def is_overdue(self):
        return self.days_left is not None and self.days_left < 0 and not self.is_done

    @property
    def due_text(self):
        if self.days_left is None:
            return _("No period due")
        return _("Sent") if self.is_done else due_phrase(self.days_left)

    @property
    def due_css(self):
        days = self.days_left
        if days is None or self.is_done:
            return "text-body-secondary"
        if days < 0:
            return "due-overdue"
        return "due-soon" if days <= 7 else "due-later"


@dataclass
class TaskGroup:
    task: object
    rows: list = field(default_factory=list)


@dataclass
class DirectiveGroup:
    directive: Directive
    task_groups: list


def by_directive(task_groups):
    """The task groups of ``my_work`` under their directives (they come ordered by directive)."""
    return [
        DirectiveGroup(directive, list(groups))
        for directive, groups in groupby(task_groups, key=lambda group: group.task.directive)
    ]


def _rows_for(assignment, periods, reports, today, period_key):
    owed = [p for p in periods if assignment.unit.is_open_during(p.starts_on, p.ends_on)]
    if period_key:
        return [DueRow(assignment, p, reports.get((assignment.pk, p.pk)), today) for p in owed if p.key == period_key]
    rows, current = [], None
    for period in owed:  # ordered by due date
        report = reports.get((assignment.pk, period.pk))
        row = DueRow(assignment, period, report, today)
        if period.due_on < today:
            if not row.is_done:
                rows.append(row)  # overdue, or returned and not yet sent again
        elif current is None:
            current = row
    if current is None and not rows:
        rows.append(DueRow(assignment, None, None, today))
    return [*rows, current] if current else rows


def _matches(row, state):
    if not state:
        return True
    if state == "overdue":
        return row.is_overdue
    return row.state == state


def my_work(user, today, *, period_key="", state=""):
    """The user's units, and for each assignment of those units the reports it
    owes now: every overdue one and the current period's (or the chosen
    period's), grouped by task. Four queries whatever the number of rows."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("unit").order_by("unit__level", "unit__name", "role")
    )
    assignments = list(
        Assignment.objects.filter(unit_id__in={m.unit_id for m in memberships}, task__directive__status="in_force")
        .select_related("task__directive", "unit")
        .order_by("task__directive_id", "task__number", "unit__name")
    )
    periods = list(
        ReportingPeriod.objects.filter(
            schedule_id__in={a.schedule_id for a in assignments}, starts_on__lte=today + UPCOMING
        ).order_by("due_on", "pk")
    )
    by_schedule = defaultdict(list)
    for period in periods:
        by_schedule[period.schedule_id].append(period)
    reports = {
        (r.assignment_id, r.period_id): r
        for r in ProgressReport.objects.filter(assignment__in=assignments, period__in=periods)
        .order_by()
        .only("pk", "assignment_id", "period_id", "state", "version")
    }
    groups = {}
    for assignment in assignments:
        for row in _rows_for(assignment, by_schedule[assignment.schedule_id], reports, today, period_key):
            if not _matches(row, state):
                continue
            groups.setdefault(assignment.task_id, TaskGroup(assignment.task)).rows.append(row)
    period_choices = sorted(
        {(p.key, str(p.label), p.due_on) for p in periods if p.starts_on <= today}, key=lambda c: c[2], reverse=True
    )
    return memberships, list(groups.values()), [(key, label) for key, label, _due in period_choices]


def awaiting_my_signature(user):
    """Reports of the units the user heads that wait for their sign-off, the
    longest waiting first: what a head does first. One query."""
    headed = Membership.objects.filter(user=user, role=MembershipRole.HEAD).values("unit_id")
    return list(
        ProgressReport.objects.filter(
            state=ReportState.PENDING_SIGNOFF,
            assignment__unit_id__in=headed,
            assignment__task__directive__status="in_force",
        )
        .select_related("assignment__task", "assignment__unit", "period")
        .order_by("state_changed_at", "pk")
    )


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
