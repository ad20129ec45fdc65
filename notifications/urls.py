from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<id:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("settings/", views.notification_settings, name="notification_settings"),
]
