from django.urls import include, path

from followups import views

urlpatterns = [
    path("", views.register, name="followup_register"),
    path("", include("followups.roll_urls")),  # import and export
    path("new/", views.item_new, name="followup_new"),
    path("direction/", views.direction_new, name="followup_direction"),
    path("<id:pk>/", views.item_detail, name="followup_detail"),
    path("<id:pk>/respond/", views.item_respond, name="followup_respond"),
    path("<id:pk>/actions/<str:action>/", views.item_action, name="followup_action"),
    path("<id:pk>/resupervise/", views.item_resupervision, name="followup_resupervise"),
    path("<id:pk>/document/", views.document_download, name="followup_document"),
    path("<id:item_pk>/evidence/<id:pk>/", views.evidence_download, name="followup_evidence"),
]
