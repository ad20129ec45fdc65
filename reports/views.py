from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from followups.overview import my_followups
from notifications.models import EmailStatus, Notification
from reports.forms import MyWorkFilterForm
from reports.overview import awaiting_my_signature, by_directive, my_work, province_overview
from units.closure import closed_units
from units.roles import is_administrator, is_committee, is_office, sees_whole_province, unit_roles


@login_required
def home(request):
    """Sends each role where it belongs: unit staff to their work, the office to
    its inbox, Standing Committee members to the dashboard; administrators see
    the directives in force."""
    user = request.user
    if is_office(user) and not is_administrator(user):
        return redirect("inbox")
    if is_committee(user) and not is_administrator(user):
        return redirect("dashboard")
    if unit_roles(user) and not sees_whole_province(user):
        return redirect("my_work")
    context = {
        "today": timezone.localdate(),
        "is_administrator": is_administrator(user),
        "directives": province_overview(timezone.localdate()) if sees_whole_province(user) else None,
        "failed_emails": Notification.objects.filter(email_status=EmailStatus.FAILED).count()
        if is_administrator(user)
        else 0,
    }
    return render(request, "reports/home.html", context)


@login_required
def my_work_view(request):
    """ "Việc của tôi": what the user's units owe, overdue first, by task."""
    today = timezone.localdate()
    period_key = request.GET.get("period", "")
    state = request.GET.get("state", "")
    memberships, groups, periods = my_work(request.user, today, period_key=period_key, state=state)
    form = MyWorkFilterForm(request.GET or None, periods=periods)
    if form.is_bound and not form.is_valid():
        memberships, groups, periods = my_work(request.user, today)
    context = {
        "today": today,
        "memberships": memberships,
        "groups": groups,
        "directive_groups": by_directive(groups),
        "filter_form": form,
        "to_sign": awaiting_my_signature(request.user),
        # Staff of a closed unit are told so (issue #12, item 5).
        "closed_units": closed_units(dict.fromkeys(m.unit for m in memberships), today),
    }
    context["followups"], context["followups_count"] = my_followups(request.user, today)
    return render(request, "reports/my_work.html", context)
