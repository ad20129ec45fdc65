from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from reports.overview import province_overview, unit_staff_overview
from units.roles import is_administrator, is_committee, is_office, sees_whole_province


@login_required
def home(request):
    """Each role's starting page: unit staff see their units and what is due;
    the office, the committee and administrators see the directives in force."""
    today = timezone.localdate()
    memberships, rows = unit_staff_overview(request.user, today)
    context = {
        "today": today,
        "memberships": memberships,
        "rows": rows,
        "is_administrator": is_administrator(request.user),
        "is_office": is_office(request.user),
        "is_committee": is_committee(request.user),
    }
    if sees_whole_province(request.user):
        context["directives"] = province_overview(today)
    return render(request, "reports/home.html", context)
