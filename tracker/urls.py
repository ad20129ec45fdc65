from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from tracker.converters import IdConverter
from tracker.health import healthz, ping

# Before the apps' URL modules are read: they use it for every row id.
register_converter(IdConverter, "id")

admin.site.site_header = admin.site.site_title = _("Directive implementation tracker")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("dissemination/", include("dissemination.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("ping", ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "tracker.errors.bad_request"
handler403 = "tracker.errors.permission_denied"
handler404 = "tracker.errors.page_not_found"
handler500 = "tracker.errors.server_error"
