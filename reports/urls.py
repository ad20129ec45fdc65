from django.urls import path

from reports import inbox_views, report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work_view, name="my_work"),
    path(
        "assignments/<id:assignment_pk>/periods/<id:period_pk>/report/",
        report_views.report_for_period,
        name="report_for_period",
    ),
    path("reports/<id:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<id:pk>/actions/<str:action>/", report_views.report_action, name="report_action"),
    path(
        "reports/<id:report_pk>/attachments/<id:pk>/",
        report_views.attachment_download,
        name="attachment_download",
    ),
    path(
        "reports/<id:report_pk>/attachments/<id:pk>/remove/",
        report_views.attachment_remove,
        name="attachment_remove",
    ),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/accept/", inbox_views.inbox_accept, name="inbox_accept"),
]
