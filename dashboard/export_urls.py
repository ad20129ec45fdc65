from django.urls import path

from dashboard import export_views

urlpatterns = [
    path("export.xlsx", export_views.export_xlsx, name="dashboard_export_xlsx"),
    path("summary.docx", export_views.summary_docx, name="dashboard_summary_docx"),
    path("summary.pdf", export_views.summary_pdf, name="dashboard_summary_pdf"),
    path("summary-template.docx", export_views.summary_template, name="dashboard_summary_template"),
    path("exports/<uuid:pk>/", export_views.export_job, name="dashboard_export_job"),
    path("exports/<uuid:pk>/download/", export_views.export_download, name="dashboard_export_download"),
]
