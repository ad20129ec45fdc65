"""Follow-up items: the register (list, filterable as the register page is)
and an item with its addressees and timeline; the addressed unit's response
through followups.services.item_save_response with the page's version check
(409 with the current version on a conflict); the workflow's actions as POSTs
through followups.workflow.item_transition, under the same rules as the pages.
The list holds followups.access.items_visible_to; a detail goes through
followups.access.item_or_404 (the ``followups.read_item`` rule)."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api.errors import Conflict, django_validation_error, form_invalid
from api.filters import IdFilter, UpdatedSinceFilter
from api.v1.base import ViewSet
from followups import workflow
from followups.access import item_or_404, items_visible_to
from followups.forms import ActionForm
from followups.models import (
    Claim,
    FollowUpAddressee,
    FollowUpItem,
    FollowUpStatus,
    FollowUpStep,
    SourceKind,
    StepAction,
)
from followups.services import ResponseConflict, item_save_response


class AddresseeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpAddressee
        fields = ["unit", "role"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpStep
        fields = ["id", "action", "from_status", "to_status", "unit", "at", "text"]


class ItemSerializer(serializers.ModelSerializer):
    source_kind = serializers.CharField(source="document.kind", read_only=True)
    source_number = serializers.CharField(source="document.number", read_only=True)
    issuing_unit = serializers.IntegerField(source="document.issuing_unit_id", read_only=True, allow_null=True)
    addressees = AddresseeSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpItem
        fields = ["id", "document", "source_kind", "source_number", "issuing_unit", "number", "text", "task",
                  "about_report", "addressees", "verifying_unit", "deadline", "due_on", "status", "claim",
                  "response", "reason", "reported_at", "completed_on", "closed_at", "status_changed_at", "round",
                  "previous", "version", "overdue", "created_at", "updated_at"]  # fmt: skip

    def get_overdue(self, item) -> bool:
        return item.is_overdue(timezone.localdate())


class ItemDetailSerializer(ItemSerializer):
    steps = StepSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "steps", "actions"]

    def get_actions(self, item) -> list[str]:
        """The workflow actions the caller may take on the item now."""
        return [str(step) for step in workflow.allowed_actions(item, self.context["request"].user)]


class ResponseSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    response = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text="Evidence files (multipart/form-data), checked as report attachments are; "
        "tied to this progress step on the item's timeline.",
    )  # fmt: skip


class ActionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False,
        help_text="When given, the action is refused (409) if the item was saved since.",
    )  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    claim = serializers.ChoiceField(choices=Claim.choices, required=False, allow_blank=True, default="")


OVERDUE_CHOICES = (("true", "true"), ("false", "false"))


class ItemFilter(django_filters.FilterSet):
    source_kind = django_filters.ChoiceFilter(field_name="document__kind", choices=SourceKind.choices)
    addressee = IdFilter(method="filter_addressee")
    task = IdFilter(field_name="task_id")
    status = django_filters.MultipleChoiceFilter(choices=FollowUpStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = FollowUpItem
        fields = ["source_kind", "addressee", "task", "status", "overdue", "updated_since"]

    def filter_addressee(self, queryset, name, value):
        return queryset.addressed_to([value])

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.not_overdue(today)


def item_queryset():
    return FollowUpItem.objects.select_related("document").prefetch_related(
        Prefetch("addressees", queryset=FollowUpAddressee.objects.order_by("-role", "unit_id"))
    )


def _reread(item):
    steps = Prefetch("steps", queryset=FollowUpStep.objects.order_by("at", "pk"))
    return item_queryset().prefetch_related(steps).get(pk=item.pk)


def _conflict(version):
    return Conflict(version, _("Someone saved this item after the version you sent; nothing was changed."))


def _action_view(step):
    def transition(self, request, pk=None):
        item = item_or_404(request.user, pk)
        sent = ActionSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        form = ActionForm({"reason": sent.validated_data["reason"], "claim": sent.validated_data["claim"]})
        if not form.is_valid():
            raise form_invalid(form)
        expected = sent.validated_data.get("expected_version")
        if expected is not None and expected != item.version:
            raise _conflict(item.version)
        try:
            item = workflow.item_transition(
                item=item, action=step, by=request.user, reason=form.cleaned_data["reason"],
                claim=form.cleaned_data["claim"],
            )  # fmt: skip
        except PermissionDenied:
            raise exceptions.NotFound() from None
        except DjangoValidationError as error:
            raise django_validation_error(error) from None
        return Response(ItemDetailSerializer(_reread(item), context=self.get_serializer_context()).data)

    transition.__name__ = f"action_{step}"
    transition.__doc__ = f"Workflow action “{step}” ({StepAction(step).label}), under the pages' rules."
    decorated = extend_schema(
        request=ActionSerializer, responses={200: ItemDetailSerializer}, operation_id=f"followups_{step}"
    )(transition)
    return action(detail=True, methods=["post"], url_path=step.replace("_", "-"), url_name=step)(decorated)


class FollowUpItemViewSet(mixins.ListModelMixin, ViewSet):
    serializer_class = ItemSerializer
    filterset_class = ItemFilter

    def get_queryset(self):
        return items_visible_to(self.request.user, item_queryset()).order_by("due_on", "pk")

    @extend_schema(responses=ItemDetailSerializer)
    def retrieve(self, request, pk=None):
        item = _reread(item_or_404(request.user, pk))
        return Response(ItemDetailSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(request=ResponseSerializer, responses={200: ItemDetailSerializer})
    @action(
        detail=True, methods=["post"], url_path="response", url_name="response",
        parser_classes=[JSONParser, MultiPartParser],
    )  # fmt: skip
    def respond(self, request, pk=None):
        """Saves the addressed unit's progress and result, with its evidence
        files (multipart), if nobody saved the item since ``expected_version``;
        otherwise 409 with ``current_version`` and nothing changed. Every file
        is checked before anything is saved: one refused file refuses the lot."""
        item = item_or_404(request.user, pk)
        sent = ResponseSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            item = item_save_response(
                item=item, by=request.user, response=sent.validated_data["response"],
                expected_version=sent.validated_data["expected_version"], uploads=sent.validated_data["evidence"],
            )  # fmt: skip
        except ResponseConflict as conflict:
            raise _conflict(conflict.current.version) from None
        except PermissionDenied:
            raise exceptions.NotFound() from None
        except DjangoValidationError as error:
            raise django_validation_error(error, field="evidence") from None
        return Response(ItemDetailSerializer(_reread(item), context=self.get_serializer_context()).data)


for _step in workflow.TRANSITIONS:
    setattr(FollowUpItemViewSet, f"action_{_step}", _action_view(str(_step)))
