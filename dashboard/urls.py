from django.urls import include, path

from dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<id:unit_pk>/", views.unit_detail, name="dashboard_unit"),
    path("units/<id:unit_pk>/rows/", views.matrix_children, name="dashboard_matrix_children"),
    path("tasks/<id:task_pk>/", views.task_detail, name="dashboard_task"),
    path("figures/", views.figure_rows, name="dashboard_figure_rows"),
    path("selection/periods/", views.selection_periods, name="dashboard_selection_periods"),
    path(
        "remind/<id:assignment_pk>/<id:period_pk>/",
        views.remind_now,
        name="dashboard_remind_now",
    ),
    path("", include("dashboard.export_urls")),
    path("dissemination/", include("dissemination.coverage_urls")),
]
