"""The register's import and export (followups/roll_views.py), included by followups/urls.py."""

from django.urls import path

from followups import roll_views

urlpatterns = [
    path("export.xlsx", roll_views.register_export, name="followup_export"),
    path("import/", roll_views.import_upload, name="followup_import"),
    path("import/template.xlsx", roll_views.import_template, name="followup_import_template"),
    path("import/<uuid:pk>/", roll_views.import_preview, name="followup_import_preview"),
]
