"""The one way a dissemination view gets its objects: 404 for anything the
user may not see (as ``reports.access``). The unit's kind is checked here as
well as in the rules, because Django answers ``has_perm`` True for an active
superuser without asking the rules."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from directives.models import Directive
from dissemination.models import DisseminationSession, SessionAttachment
from dissemination.scope import PLAN_KINDS
from reports.access import object_or_404
from units.models import Unit, UnitKind

READ = "dissemination.read_unit"
RECORD = "dissemination.record_for_unit"
CONFIRM = "dissemination.confirm_cell"


def directive_or_404(pk):
    return get_object_or_404(Directive, pk=pk)


def committee_or_404(user, pk, perm=READ):
    unit = object_or_404(user, Unit.objects.without_tree_fields().select_related("parent"), perm, pk=pk)
    if unit.kind not in PLAN_KINDS:
        raise Http404
    return unit


def cell_or_404(user, pk, perm=READ):
    unit = object_or_404(user, Unit.objects.without_tree_fields().select_related("parent"), perm, pk=pk)
    if unit.kind != UnitKind.PARTY_CELL:
        raise Http404
    return unit


def session_or_404(user, pk, perm=READ):
    session = get_object_or_404(DisseminationSession.objects.select_related("directive", "unit"), pk=pk)
    if session.unit.kind not in PLAN_KINDS or not user.has_perm(perm, session.unit):
        raise Http404
    return session


def session_attachment_or_404(user, session_pk, pk, perm=READ):
    session = session_or_404(user, session_pk, perm)
    return get_object_or_404(SessionAttachment, pk=pk, session=session)
