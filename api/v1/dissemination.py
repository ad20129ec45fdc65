"""Dissemination: implementing plans, dissemination sessions and cell
confirmations (read); a committee's plan and sessions recorded through
dissemination.services (plan_save, session_save, session_attachment_add) and a
Party cell's confirmation through cell_confirm, as their pages do, with the
pages' forms checking what is sent. Lists hold what
``dissemination.read_unit`` allows (the province-wide roles everything, a
member the units of their subtree); a detail goes through the rule itself
(404 otherwise), as dissemination/access.py does for the pages."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api.errors import django_validation_error, form_invalid
from api.filters import IdFilter, UpdatedSinceFilter
from api.v1.base import ViewSet
from dissemination.access import READ, RECORD, cell_or_404, committee_or_404, directive_or_404, session_or_404
from dissemination.forms import CellConfirmForm, PlanForm, SessionForm
from dissemination.models import CellConfirmation, DisseminationSession, ImplementingPlan, PlanKind
from dissemination.rules import subtree_unit_ids
from dissemination.scope import PLAN_KINDS
from dissemination.services import (
    PLAN_FIELDS,
    SESSION_FIELDS,
    cell_confirm,
    plan_for,
    plan_save,
    session_attachment_add,
    session_save,
)
from reports.attachments import attachment_check
from units.models import UnitKind
from units.roles import sees_whole_province


def _readable(user, queryset, field="unit"):
    """``dissemination.read_unit`` as a filter on ``field``."""
    if sees_whole_province(user):
        return queryset
    return queryset.filter(**{f"{field}_id__in": subtree_unit_ids(user)})


def _object_or_404(user, queryset, field, pk):
    found = get_object_or_404(queryset, pk=pk)
    if not user.has_perm(READ, getattr(found, field)):
        raise Http404
    return found


class PlanSerializer(serializers.ModelSerializer):
    is_late = serializers.BooleanField(read_only=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ImplementingPlan
        fields = ["id", "directive", "unit", "kind", "number", "issued_on", "signer", "due_on", "is_late",
                  "has_file", "original_name", "created_at", "updated_at"]  # fmt: skip

    def get_has_file(self, plan) -> bool:
        return bool(plan.file)


class SessionSerializer(serializers.ModelSerializer):
    total_present = serializers.IntegerField(read_only=True)

    class Meta:
        model = DisseminationSession
        fields = ["id", "directive", "unit", "held_on", "level", "form", "committee_members_present",
                  "party_members_present", "party_members_expected", "others_present", "total_present", "note",
                  "created_at", "updated_at"]  # fmt: skip


class ConfirmationSerializer(serializers.ModelSerializer):
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = CellConfirmation
        fields = ["id", "directive", "cell", "met_on", "members_present", "members_total", "note", "on_behalf",
                  "confirmed_at", "confirmed_on", "due_on", "is_late", "updated_at"]  # fmt: skip


class PlanWriteSerializer(serializers.Serializer):
    directive = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The committee whose plan it is.")
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    number = serializers.CharField()
    issued_on = serializers.DateField()
    signer = serializers.CharField()
    document = serializers.FileField(
        required=False, help_text="The signed plan (multipart/form-data); replaces the stored file."
    )


class SessionWriteSerializer(serializers.ModelSerializer):
    # The counts and the note as the session's page takes them; SessionForm checks them again.
    # The directive and the committee by id: one that does not exist and one the caller may
    # not record for get the same 404, as on the pages.
    directive = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The committee that held it.")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text="Minutes or photos (multipart/form-data), checked as report attachments are.",
    )  # fmt: skip

    class Meta:
        model = DisseminationSession
        fields = ["directive", "unit", *SESSION_FIELDS, "files"]


class SessionUpdateSerializer(SessionWriteSerializer):
    directive = unit = None  # a session stays with its directive and committee

    class Meta(SessionWriteSerializer.Meta):
        fields = [*SESSION_FIELDS, "files"]


def _form_data(sent, names):
    return {name: sent.initial_data.get(name, "") for name in names}


class ConfirmSerializer(serializers.Serializer):
    directive = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    cell = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    met_on = serializers.DateField()
    members_present = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    members_total = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanFilter(django_filters.FilterSet):
    directive = IdFilter(field_name="directive_id")
    unit = IdFilter(field_name="unit_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ImplementingPlan
        fields = ["directive", "unit", "updated_since"]


class SessionFilter(PlanFilter):
    class Meta:
        model = DisseminationSession
        fields = ["directive", "unit", "updated_since"]


class ConfirmationFilter(django_filters.FilterSet):
    directive = IdFilter(field_name="directive_id")
    cell = IdFilter(field_name="cell_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = CellConfirmation
        fields = ["directive", "cell", "updated_since"]


class PlanViewSet(mixins.ListModelMixin, ViewSet):
    """Committees' implementing plans for a directive (the file at the plan's page)."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        queryset = ImplementingPlan.objects.filter(unit__kind__in=PLAN_KINDS).order_by("-issued_on", "-pk")
        return _readable(self.request.user, queryset)

    def retrieve(self, request, pk=None):
        queryset = ImplementingPlan.objects.select_related("unit").filter(unit__kind__in=PLAN_KINDS)
        plan = _object_or_404(request.user, queryset, "unit", pk)
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)

    @extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer, 201: PlanSerializer})
    def create(self, request):
        """Records the committee's implementing plan for the directive, or changes
        it (one per committee and directive, as on the plan's page): 201 when it is
        new, 200 when it was changed. A ``document`` replaces the stored file."""
        sent = PlanWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        directive = directive_or_404(sent.validated_data["directive"])
        unit = committee_or_404(request.user, sent.validated_data["unit"], RECORD)
        plan = plan_for(directive, unit)
        created = plan.pk is None
        upload = sent.validated_data.get("document")
        form = PlanForm(_form_data(sent, PLAN_FIELDS), {"document": upload} if upload else {}, instance=plan)
        if not form.is_valid():
            raise form_invalid(form)
        try:
            plan = plan_save(plan=plan, data=form.cleaned_data, upload=upload, by=request.user)
        except PermissionDenied:
            raise exceptions.NotFound() from None
        except DjangoValidationError as error:
            raise django_validation_error(error, field="document") from None
        except IntegrityError:
            message = _("Someone else recorded this committee's plan meanwhile. Open the plan again.")
            raise exceptions.ValidationError({"non_field_errors": [message]}) from None
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data, status=answer)


class SessionViewSet(mixins.ListModelMixin, ViewSet):
    """Dissemination sessions committees held, with their attendance."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        queryset = DisseminationSession.objects.filter(unit__kind__in=PLAN_KINDS).order_by("-held_on", "-pk")
        return _readable(self.request.user, queryset)

    def retrieve(self, request, pk=None):
        session = session_or_404(request.user, pk)
        return Response(SessionSerializer(session, context=self.get_serializer_context()).data)

    @extend_schema(request=SessionWriteSerializer, responses={201: SessionSerializer})
    def create(self, request):
        """Records a session the committee held (several per committee are normal:
        make-up sessions for those absent), with its minutes or photos."""
        sent = SessionWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        directive = directive_or_404(sent.validated_data["directive"])
        unit = committee_or_404(request.user, sent.validated_data["unit"], RECORD)
        session = self._save(request, sent, DisseminationSession(directive=directive, unit=unit))
        return Response(SessionSerializer(session, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=SessionUpdateSerializer, responses={200: SessionSerializer})
    def update(self, request, pk=None):
        """Changes a session (every field again, as its page sends them); files
        sent are added to those already attached."""
        session = session_or_404(request.user, pk, RECORD)
        sent = SessionUpdateSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        session = self._save(request, sent, session)
        return Response(SessionSerializer(session, context=self.get_serializer_context()).data)

    def _save(self, request, sent, session):
        form = SessionForm(_form_data(sent, SESSION_FIELDS), instance=session)
        if not form.is_valid():
            raise form_invalid(form)
        uploads = sent.validated_data["files"]
        added = []
        try:
            for upload in uploads:  # every file checked before anything is saved
                attachment_check(upload)
            with transaction.atomic():  # the session and its files, or nothing (the same file twice, say)
                session = session_save(session=session, data=form.cleaned_data, by=request.user)
                for upload in uploads:
                    added.append(session_attachment_add(session=session, upload=upload, by=request.user))
        except PermissionDenied:
            raise exceptions.NotFound() from None
        except DjangoValidationError as error:
            for attachment in added:  # their rows were rolled back: their files go too
                attachment.file.delete(save=False)
            raise django_validation_error(error, field="files") from None
        return session


class ConfirmationViewSet(mixins.ListModelMixin, ViewSet):
    """Party cells' confirmations that they discussed a directive."""

    serializer_class = ConfirmationSerializer
    filterset_class = ConfirmationFilter

    def get_queryset(self):
        queryset = CellConfirmation.objects.filter(cell__kind=UnitKind.PARTY_CELL).order_by("-confirmed_at", "-pk")
        return _readable(self.request.user, queryset, "cell")

    def retrieve(self, request, pk=None):
        queryset = CellConfirmation.objects.select_related("cell").filter(cell__kind=UnitKind.PARTY_CELL)
        confirmation = _object_or_404(request.user, queryset, "cell", pk)
        return Response(ConfirmationSerializer(confirmation, context=self.get_serializer_context()).data)

    @extend_schema(request=ConfirmSerializer, responses={200: ConfirmationSerializer, 201: ConfirmationSerializer})
    def create(self, request):
        """Confirms for a Party cell (its secretary, or its grassroots committee on
        its behalf), as the cell's page does: a second confirmation updates the
        first and keeps its date."""
        sent = ConfirmSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        directive = directive_or_404(sent.validated_data["directive"])
        cell = cell_or_404(request.user, sent.validated_data["cell"])
        form = CellConfirmForm(_form_data(sent, ConfirmSerializer().fields))
        if not form.is_valid():
            raise form_invalid(form)
        try:
            confirmation, created = cell_confirm(
                directive=directive, cell=cell, data=form.cleaned_data, by=request.user
            )
        except PermissionDenied:
            raise exceptions.NotFound() from None
        except DjangoValidationError as error:
            raise django_validation_error(error) from None
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ConfirmationSerializer(confirmation, context=self.get_serializer_context()).data, status=answer)
