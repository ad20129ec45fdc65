from django.urls import path

from dissemination import views

urlpatterns = [
    path("", views.home, name="dissemination_home"),
    path("<id:directive_pk>/units/<id:unit_pk>/", views.unit_page, name="dissemination_unit"),
    path("<id:directive_pk>/units/<id:unit_pk>/plan/", views.plan_edit, name="dissemination_plan"),
    path("<id:directive_pk>/units/<id:unit_pk>/plan/file/", views.plan_file, name="dissemination_plan_file"),
    path("<id:directive_pk>/units/<id:unit_pk>/sessions/new/", views.session_create, name="dissemination_session_new"),
    path("sessions/<id:pk>/", views.session_edit, name="dissemination_session"),
    path(
        "sessions/<id:session_pk>/attachments/<id:pk>/",
        views.session_attachment,
        name="dissemination_session_attachment",
    ),
    path(
        "sessions/<id:session_pk>/attachments/<id:pk>/remove/",
        views.session_attachment_remove,
        name="dissemination_session_attachment_remove",
    ),
    # The link a reminder e-mail gives a cell's secretary (``confirm_path``).
    path("<id:directive_pk>/cells/<id:cell_pk>/", views.cell_page, name="dissemination_cell"),
]


def confirm_path(directive, cell):
    """The path of the Party cell's confirmation page, for reminders and notifications."""
    from django.urls import reverse

    return reverse("dissemination_cell", args=[directive.pk, cell.pk])
