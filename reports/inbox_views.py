"""The provincial office's inbox: reports waiting for review, oldest (or newest)
first, a page at a time, filtered by directive, task, unit level and period."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from directives.models import DirectiveStatus, Task
from reports.forms import INBOX_SORTS, InboxFilterForm
from reports.models import ProgressReport, ReportingPeriod, ReportState, TransitionAction
from reports.params import ids_from
from reports.workflow import report_transition
from units.roles import is_administrator, is_office

# A phone shows a page as cards: twenty keep it a few screens long.
PAGE_SIZE = 20
# Longer than any primary key: a longer run of digits is not an id (and would overflow the column).
MAX_ID_DIGITS = 18


def _reviewer_or_404(user):
    if not (is_office(user) or is_administrator(user)):
        raise Http404


def _filtered(filters):
    reports = (
        ProgressReport.objects.awaiting_review()
        .select_related("assignment__task__directive", "assignment__unit", "period", "submitted_by")
        .order_by(*INBOX_SORTS[filters.get("sort", "oldest")])
    )
    if "directive" in filters:
        reports = reports.filter(assignment__task__directive_id=int(filters["directive"]))
    if "task" in filters:
        reports = reports.filter(assignment__task_id=int(filters["task"]))
    if "level" in filters:
        reports = reports.filter(assignment__unit__level=filters["level"])
    if "period" in filters:
        reports = reports.filter(period__key=filters["period"])
    return reports


def _period_choices():
    """The periods that have reports waiting, newest due first, one per key."""
    # Each period asks whether one report waits (an index probe), rather than
    # joining every waiting report to its period.
    waiting = ProgressReport.objects.filter(period=OuterRef("pk"), state=ReportState.SUBMITTED)
    periods = (
        ReportingPeriod.objects.filter(Exists(waiting)).order_by("-due_on", "pk").values_list("key", "kind", "title")
    )
    choices, seen = [], set()
    for key, kind, title in periods:
        if key not in seen:
            seen.add(key)
            choices.append((key, str(ReportingPeriod(key=key, kind=kind, title=title).label)))
    return choices


@login_required
def inbox(request):
    _reviewer_or_404(request.user)
    tasks = (
        Task.objects.filter(directive__status=DirectiveStatus.IN_FORCE)
        .select_related("directive")
        .order_by(F("directive__signed_on").desc(nulls_last=True), "directive__title", "directive_id", "number")
    )
    form = InboxFilterForm(request.GET or None, tasks=tasks, periods=_period_choices())
    filters = form.filters() if form.is_bound else {}
    reports = _filtered(filters)
    days = settings.REVIEW_WAITING_DAYS
    waiting_long = reports.filter(state_changed_at__lt=timezone.now() - datetime.timedelta(days=days)).count()
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for report in page:
        report.waiting_days = (now - report.state_changed_at).days if report.state_changed_at else None
    context = {
        "filter_form": form,
        "page": page,
        "waiting_long": waiting_long,
        "waiting_days": days,
        # Page links keep the filters that were read, and only those.
        "query": urlencode(filters),
    }
    return render(request, "reports/inbox.html", context)


def _report_ids(values):
    """The posted ids written in ASCII digits; anything else ("²", "٣", " 3", "-1") is ignored."""
    return [int(value) for value in values if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS]


@require_POST
@login_required
def inbox_accept(request):
    """Accepts every selected report the user may still accept."""
    _reviewer_or_404(request.user)
    ids = ids_from(request.POST.getlist("report"))
    accepted = 0
    for report in ProgressReport.objects.filter(pk__in=ids):
        try:
            report_transition(report=report, action=TransitionAction.ACCEPT, by=request.user)
        except (ValidationError, PermissionDenied):
            continue
        accepted += 1
    skipped = len(ids) - accepted
    if accepted:
        messages.success(
            request,
            ngettext("%(count)d report was accepted.", "%(count)d reports were accepted.", accepted)
            % {"count": accepted},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d report could not be accepted: it is no longer waiting for review.",
                "%(count)d reports could not be accepted: they are no longer waiting for review.",
                skipped,
            )
            % {"count": skipped},
        )
    if not ids:
        messages.info(request, _("Select the reports to accept."))
    # Back to the filtered inbox the form came from, but never to another site.
    back = request.POST.get("next", "")
    hosts = {request.get_host()}
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts=hosts, require_https=request.is_secure()):
        return redirect("inbox")
    return HttpResponseRedirect(back)  # a path, never a URL name to reverse
