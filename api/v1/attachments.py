"""A report's attachments: listed with the report's read right, uploaded and
removed through reports/attachments.py (its content checks and size limit),
downloaded with the read right, as on the report page."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.access import attachment_or_404, report_or_404
from reports.attachments import CONTENT_TYPES, attachment_add, attachment_delete
from reports.models import Attachment


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "report", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class AttachmentListView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentSerializer(many=True), operation_id="reports_attachments_list")
    def get(self, request, report_pk):
        report = report_or_404(request.user, report_pk)
        return Response(AttachmentSerializer(report.attachments.order_by("uploaded_at", "pk"), many=True).data)

    @extend_schema(
        request=UploadSerializer, responses={201: AttachmentSerializer}, operation_id="reports_attachments_create"
    )
    def post(self, request, report_pk):
        report = report_or_404(request.user, report_pk)
        sent = UploadSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            attachment = attachment_add(report=report, upload=sent.validated_data["file"], by=request.user)
        except PermissionDenied:
            raise exceptions.PermissionDenied() from None
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentView(APIView):
    @extend_schema(
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in sorted(set(CONTENT_TYPES.values()))},
        operation_id="reports_attachments_download",
    )
    def get(self, request, report_pk, pk):
        """The file itself."""
        attachment = attachment_or_404(request.user, report_pk, pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
        )

    @extend_schema(responses={204: None}, operation_id="reports_attachments_destroy")
    def delete(self, request, report_pk, pk):
        attachment = attachment_or_404(request.user, report_pk, pk, perm="reports.edit_report")
        try:
            attachment_delete(attachment=attachment, by=request.user)
        except PermissionDenied:
            raise Http404 from None  # as on the report page
        return Response(status=status.HTTP_204_NO_CONTENT)
