"""Version 1 of the API. A resource is one module of api/v1 and one line here."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api.v1 import (
    assignments,
    attachments,
    directives,
    dissemination,
    figures,
    followups,
    notifications,
    reports,
    units,
)

router = SimpleRouter(use_regex_path=False)
router.register("directives", directives.DirectiveViewSet, basename="api-directive")
router.register("tasks", directives.TaskViewSet, basename="api-task")
router.register("indicators", directives.IndicatorViewSet, basename="api-indicator")
router.register("units", units.UnitViewSet, basename="api-unit")
router.register("assignments", assignments.AssignmentViewSet, basename="api-assignment")
router.register("periods", assignments.PeriodViewSet, basename="api-period")
router.register("due", assignments.DueViewSet, basename="api-due")
router.register("reports", reports.ReportViewSet, basename="api-report")
router.register("plans", dissemination.PlanViewSet, basename="api-plan")
router.register("sessions", dissemination.SessionViewSet, basename="api-session")
router.register("confirmations", dissemination.ConfirmationViewSet, basename="api-confirmation")
router.register("follow-ups", followups.FollowUpItemViewSet, basename="api-followup")
router.register("notifications", notifications.NotificationViewSet, basename="api-notification")

urlpatterns = [
    *router.urls,
    path("reports/<id:report_pk>/attachments/", attachments.AttachmentListView.as_view(), name="api-attachment-list"),
    path(
        "reports/<id:report_pk>/attachments/<id:pk>/",
        attachments.AttachmentView.as_view(),
        name="api-attachment-detail",
    ),
    path("figures/", figures.FiguresView.as_view(), name="api-figures"),
]
