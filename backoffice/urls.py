"""Back office pages that belong to no single model, under `/admin/`."""

from django.contrib import admin
from django.urls import path

from backoffice.exports import exports_view

urlpatterns = [
    path("exports/", admin.site.admin_view(exports_view), name="backoffice-exports"),
]
