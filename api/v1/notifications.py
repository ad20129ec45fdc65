"""The caller's own notifications: list, mark read."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.v1.base import ViewSet
from notifications.models import Notification
from notifications.services import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True, help_text="The page it leads to.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "report", "assignment", "period", "reason", "url", "created_at", "read_at",
                  "done_at"]  # fmt: skip


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["unread", "kind"]


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a user
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        notification = self.get_object()
        return Response({"marked": notifications_mark_read(user=request.user, ids=[notification.pk])})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_read(user=request.user)})
