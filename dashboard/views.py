"""The Standing Committee's dashboard and its drill-downs. Every page reads
the same selection (directive and periods) from the query string and the same
figures, so a number on one page is the number on the next."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dashboard.late import SORTS, late_page, late_rows, late_rows_page, parse_after
from dashboard.matrix import matrix_groups, rollups
from dashboard.measures import MEASURES, Category
from dashboard.models import TallyState
from dashboard.selection import selection_from
from dashboard.tallies import cache_get, cache_set, tally_cache_key
from dashboard.tally_figures import tally_dashboard
from dashboard.top_rows import tallied_top_rows, too_large_to_compute
from followups.dashboard import dashboard_section
from reminders.services import reminder_send_now
from reports.access import assignment_or_404, period_of_assignment_or_404
from reports.params import query_id
from units.models import Unit

LATE_LIST_SIZE = 25
view_permission = permission_required("dashboard.view_dashboard", raise_exception=True)


def _figures(request, unit_pk=None, *, series=True, selection=None, task=None):
    """The selection (``selection`` when already read) and its figures; for a
    page about one unit, only that unit's subtree is computed (a province's
    rows at national size, not the country's); without the chart's points for
    a page that shows none; for a page about one task, that task only."""
    selection = selection or selection_from(request)
    if selection is None:
        return None, None
    scope = None
    if unit_pk is not None:
        scope = Unit.objects.without_tree_fields().filter(pk=unit_pk).first()
        if scope is None:
            raise Http404
    return selection, selection.figures(scope=scope, series=series, task=task)


def _chart_data(figures):
    return {
        "labels": [str(point.period.label) for point in figures.series],
        "datasets": [
            {"label": _("Reporting rate (%)"), "data": [_number(p.reporting_rate) for p in figures.series]},
            {"label": _("On-time rate (%)"), "data": [_number(p.on_time_rate) for p in figures.series]},
            {"label": _("Average progress (%)"), "data": [_number(p.progress) for p in figures.series]},
        ],
    }


def _number(value):
    return None if value is None else float(value)


@require_safe
@login_required
@view_permission
def dashboard(request):
    """The whole directive from the maintained tallies when they are fresh,
    otherwise (and for a unit's subtree) computed live: the same figures. The
    tallied figures, the same for every reader, are kept in the cache under
    the tallies' version, so that a change to any report shows at once."""
    selection = selection_from(request)
    context = {"selection": selection}
    if selection is None:
        return render(request, "dashboard/dashboard.html", context)
    sort = request.GET.get("late_sort", "days")
    sort = sort if sort in SORTS else "days"
    may_change_rule = request.user.has_perm("directives.change_directive")
    key = tally_cache_key(selection, get_language(), may_change_rule)
    cached = cache_get(key) if key else None
    if cached is None:
        state = TallyState.objects.filter(directive=selection.directive).first() if key else None
        tallied = tally_dashboard(selection, state=state) if state else None
        if tallied is None and state and too_large_to_compute(selection.directive):
            # Being recalculated after a change to units or assignments: the last figures, said so.
            tallied, key = tally_dashboard(selection, state=state, allow_stale=True), None
        figures, from_tallies = (tallied[0], True) if tallied else (selection.figures(), False)
        groups = tallied[1] if tallied else matrix_groups(figures)
        body = render_to_string("dashboard/_body.html", {
            "selection": selection, "figures": figures, "groups": groups, "chart": _chart_data(figures),
            "from_tallies": from_tallies}, request=request)  # fmt: skip
        cached = {"body": body, "late_total": figures.total.counts.overdue, "from_tallies": from_tallies}
        if from_tallies and key:
            cache_set(key, cached)
        if not from_tallies:
            live_late = late_rows(figures, sort=sort)
    # A page of the late list at a time, after the row named by ``late_after`` (keyset pagination).
    after = parse_after(request.GET.get("late_after"))
    if cached["from_tallies"]:
        late = late_page(selection, sort, after, size=LATE_LIST_SIZE)
    else:
        late = late_rows_page(live_late, after, size=LATE_LIST_SIZE)
    context.update(
        body=mark_safe(cached["body"]),  # noqa: S308 - our own template's output, kept in the cache
        from_tallies=cached["from_tallies"],
        late=late.rows,
        late_next=late.next_after,
        late_after=after and f"{after[0]}-{after[1]}",
        late_total=cached["late_total"],
        late_sort=request.GET.get("late_sort", "days"),
        late_columns=[
            ("unit", _("Unit")),
            ("task", _("Task")),
            ("days", _("Days overdue")),
            ("reminders", _("Reminders sent")),
        ],
        may_remind=request.user.has_perm("dashboard.remind_now"),
        followups=dashboard_section(selection),  # the follow-up register's section (followups/dashboard.py)
    )
    return render(request, "dashboard/dashboard.html", context)


@require_safe
@login_required
@view_permission
def matrix_children(request, unit_pk):
    """The rows below one unit (htmx: the matrix expands on demand)."""
    selection, figures = _figures(request, unit_pk, series=False)
    if figures is None or unit_pk not in figures.units:
        raise Http404
    sums, own = rollups(figures)
    if not any(child in sums for child in figures.units[unit_pk].child_ids):
        raise Http404  # nothing below it to open
    groups = matrix_groups(figures, unit_pk, sums, own)
    context = {"selection": selection, "figures": figures, "groups": groups, "parent": figures.units[unit_pk]}
    return render(request, "dashboard/_matrix_rows.html", context)


@require_safe
@login_required
@view_permission
def task_detail(request, task_pk):
    """Task → units: every unit's figures for one task; for a directive too
    large to compute live, the matrix's top rows from the tallies, each
    opening this page for its subtree."""
    selection, figures, top_rows = _figures_or_top_rows(request, task_pk)
    task = next((t for t in figures.tasks if t.pk == task_pk), None) if figures else None
    if task is None:
        raise Http404
    task_figures = next(t for t in figures.by_task if t.task.pk == task_pk)
    cells = sorted(
        (cell for (_unit, cell_task), cell in figures.cells.items() if cell_task == task_pk),
        key=lambda cell: (cell.unit.level, cell.unit.kind, cell.unit.name),
    )
    context = {"selection": selection, "figures": figures, "task": task, "task_figures": task_figures,
               "cells": cells, "top_rows": top_rows}  # fmt: skip
    return render(request, "dashboard/task_detail.html", context)


def _figures_or_top_rows(request, task_pk=None, *, series=True):
    """(selection, figures, top rows): the top rows from the tallies (and their
    figures) when the page is about the whole of a directive too large to
    compute live, else the live figures of the selection and no top rows."""
    selection = selection_from(request)
    if selection is not None and query_id(request.GET, "unit") is None and too_large_to_compute(selection.directive):
        found = tallied_top_rows(selection, task_pk)
        if found is not None:
            return selection, found[0], found[1]
    unit_pk = query_id(request.GET, "unit")
    return *_figures(request, unit_pk, series=series, selection=selection, task=task_pk), None


@require_safe
@login_required
@view_permission
def unit_detail(request, unit_pk):
    """Unit → its assignments and reports, with the units below it rolled up."""
    selection, figures = _figures(request, unit_pk, series=False)
    if figures is None or unit_pk not in figures.units:
        raise Http404
    unit = figures.units[unit_pk]
    sums, own = rollups(figures)
    blocks = sums.get(unit_pk, {})
    context = {
        "selection": selection,
        "figures": figures,
        "unit": unit,
        "subtree": figures.block_for(figures.subtree_ids(unit_pk)),
        "task_rows": [(task, blocks.get(task.pk)) for task in figures.tasks],
        "own_cells": [cell for task in figures.tasks if (cell := own.get(unit_pk, {}).get(task.pk))],
        "groups": matrix_groups(figures, unit_pk, sums, own) if unit_pk in sums else [],
        "merged": figures.merged_into.get(unit_pk, []),
        "scope_query": selection.query(unit=unit),
    }
    return render(request, "dashboard/unit_detail.html", context)


def _task_of(figures, request):
    """The task ``?task=`` names (404 when the directive has no such task), or None."""
    if (task_pk := query_id(request.GET, "task")) is not None and task_pk not in {t.pk for t in figures.tasks}:
        raise Http404
    return task_pk


def _wanted(figures, request):
    """The units and task a figure link names: ``unit`` (with ``scope=own``
    for the unit alone, otherwise its subtree) and ``task``."""
    unit_pks, unit = None, None
    if (unit_pk := query_id(request.GET, "unit")) is not None:
        unit = figures.units.get(unit_pk)
        if unit is None:
            raise Http404
        unit_pks = {unit.pk} if request.GET.get("scope") == "own" else set(figures.subtree_ids(unit.pk))
    return unit, unit_pks, _task_of(figures, request)


@require_safe
@login_required
@view_permission
def selection_periods(request):
    """The period selects of the selection form for the directive just chosen
    (htmx swaps them in): that directive's periods and its default range."""
    selection = selection_from(request)
    if selection is None:
        return HttpResponse(status=204)  # a directive without periods: nothing to offer
    return render(request, "dashboard/selection_periods.html", {"selection": selection})


@require_safe
@login_required
@view_permission
def figure_rows(request):
    """The rows behind a figure: the expected reports a count counts, or the
    assignments in a category of the taxonomy. A figure of one unit (its
    subtree, or the unit alone down to a single assignment) is computed for
    that unit's subtree only, not for the whole directive."""
    selection, figures, top_rows = _figures_or_top_rows(request, query_id(request.GET, "task"), series=False)
    if figures is None:
        raise Http404
    unit, unit_pks, task_pk = (
        _wanted(figures, request) if top_rows is None else (None, None, _task_of(figures, request))
    )
    category = request.GET.get("category", "")
    measure = request.GET.get("measure", "expected")
    if category not in Category.values:
        category = ""
    if measure not in MEASURES:
        measure = "expected"
    cells = [
        cell
        for (unit_pk, cell_task), cell in figures.cells.items()
        if (unit_pks is None or unit_pk in unit_pks) and (task_pk is None or cell_task == task_pk)
    ]
    cells.sort(key=lambda cell: (cell.task.number, cell.unit.level, cell.unit.name))
    context = {
        "selection": selection,
        "figures": figures,
        "unit": unit,
        "scope": request.GET.get("scope", ""),
        "task": next((t for t in figures.tasks if t.pk == task_pk), None),
        "measure": measure,
        "measure_label": dict(measure_labels())[measure],
        "category": category,
    }
    if top_rows is not None:
        context["top_rows"] = [(row, row.count(measure, category)) for row in top_rows]
        context["top_total"] = sum(count for _row, count in context["top_rows"])
    elif category:
        context["cells"] = [cell for cell in cells if cell.category == category]
        context["category_label"] = Category(category).label
    else:
        context["rows"] = [(cell, row) for cell in cells for row in cell.expected if getattr(row.counts, measure)]
    return render(request, "dashboard/figure_rows.html", context)


def measure_labels():
    return [
        ("expected", _("Expected reports")),
        ("received", _("Received")),
        ("on_time", _("Received on time")),
        ("late", _("Received late")),
        ("overdue", _("Overdue, not received")),
        ("awaiting", _("Not yet due")),
        ("accepted", _("Accepted")),
        ("returned", _("Returned for correction")),
    ]


def _safe_next(request, fallback):
    """The posted page to go back to when it is a path of this site, else ``fallback``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)  # a path, never a URL name to reverse
    return redirect(fallback)


@require_POST
@login_required
@permission_required("dashboard.remind_now", raise_exception=True)
def remind_now(request, assignment_pk, period_pk):
    """ "Remind now" on the late list, recorded in the reminder ledger."""
    assignment = assignment_or_404(request.user, assignment_pk)
    period = period_of_assignment_or_404(assignment, period_pk)
    outcome = reminder_send_now(assignment=assignment, period=period, by=request.user)
    unit = assignment.unit.display_name
    if outcome in ("sent", "taken"):  # "taken": a sweep running at the same moment sent it
        messages.success(request, _("%(unit)s has been reminded.") % {"unit": unit})
    elif outcome == "already":
        messages.info(request, _("%(unit)s was already reminded today.") % {"unit": unit})
    else:
        messages.info(request, _("%(unit)s has sent this report meanwhile; no reminder was needed.") % {"unit": unit})
    return _safe_next(request, "dashboard")
