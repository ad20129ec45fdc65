"""Included by dashboard/urls.py under ``dissemination/``."""

from django.urls import path

from dissemination import coverage_views

urlpatterns = [
    path("", coverage_views.coverage_section, name="dissemination_coverage"),
    path("cells/", coverage_views.coverage_unit, name="dissemination_coverage_cells"),
    path("units/<id:unit_pk>/", coverage_views.coverage_unit, name="dissemination_coverage_unit"),
]
