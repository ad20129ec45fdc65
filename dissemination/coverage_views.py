"""The dashboard's "Học tập, quán triệt" section and its drill-down: the
dissemination coverage of the directive in the query string, computed live.
Read by the province-wide roles, like the rest of the dashboard."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from directives.models import Directive, DirectiveStatus
from dissemination.coverage import coverage_build
from dissemination.coverage_contacts import committee_contacts
from dissemination.coverage_pages import NotReachedPaginator
from reports.params import query_id

CELLS_PER_PAGE = 50
view_permission = permission_required("dashboard.view_dashboard", raise_exception=True)


def directive_from(request):
    """The directive named by ``?directive=`` (404 when there is none such), else
    the dashboard's default: the newest in force."""
    directives = Directive.objects.exclude(status=DirectiveStatus.DRAFT)
    if (pk := query_id(request.GET, "directive")) is not None:
        directive = directives.filter(pk=pk).first()
        if directive is None:
            raise Http404
        return directive
    directive = directives.filter(status=DirectiveStatus.IN_FORCE).order_by("-signed_on", "pk").first()
    if directive is None:
        raise Http404
    return directive


@require_safe
@login_required
@view_permission
def coverage_section(request):
    """The section: the dashboard loads it into its page (htmx); opened on its
    own it is a page of its own."""
    directive = directive_from(request)
    coverage = coverage_build(directive=directive)
    rows = coverage.rows()
    if len(rows) == 1:  # one province: its units are the rows worth showing
        rows = coverage.rows(rows[0].unit.pk) or rows
    context = {"coverage": coverage, "directive": directive, "rows": rows}
    fragment = request.headers.get("HX-Request")
    template = "dissemination/_coverage_section.html" if fragment else "dissemination/coverage.html"
    return render(request, template, context)


@require_safe
@login_required
@view_permission
def coverage_unit(request, unit_pk=None):
    """Drill-down: one unit's figures, the units below it, and the Party cells
    under it that have not yet confirmed, with their committee's contact
    (every cell of the directive's scope when no unit is named)."""
    directive = directive_from(request)
    coverage = coverage_build(directive=directive)
    if unit_pk is not None and unit_pk not in coverage.in_scope:
        raise Http404
    paginator = NotReachedPaginator(coverage, CELLS_PER_PAGE, unit_pk=unit_pk)
    page = paginator.get_page(request.GET.get("page"))
    committees = {coverage.cell_parents.get(cell.parent_id) for cell in page}
    contacts = committee_contacts(coverage, committees - {None})
    unit = coverage.tree.units[unit_pk] if unit_pk is not None else None
    context = {
        "coverage": coverage,
        "directive": directive,
        "unit": unit,
        "tally": coverage.tally_of(unit_pk) if unit_pk is not None else coverage.total,
        "own_cells": coverage.own_cells.get(unit_pk) if unit_pk is not None else None,
        "plan_status": coverage.plan_status.get(unit_pk, "") if unit_pk is not None else "",
        "rows": coverage.rows(unit_pk),
        "ancestors": [coverage.tree.units[pk] for pk in reversed(coverage.tree.ancestors(unit_pk))]
        if unit_pk is not None
        else [],
        "page": page,
        "cells": [(cell, contacts.get(coverage.cell_parents.get(cell.parent_id))) for cell in page],
    }
    return render(request, "dissemination/coverage_unit.html", context)
