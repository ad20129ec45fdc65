from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from api import web

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", web.DocsView.as_view(), name="api_docs"),
    path("api/docs/redoc/", web.RedocView.as_view(), name="api_redoc"),
    path("api/v1/", include("api.v1.urls")),
    path("account/api-keys/", web.api_keys, name="api_keys"),
    path("account/api-keys/<id:pk>/revoke/", web.api_key_revoke, name="api_key_revoke"),
]
