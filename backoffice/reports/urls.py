"""`/admin/reports/…`: each page behind the admin's sign-in (staff only), then its permission."""

from django.contrib import admin
from django.urls import path

from backoffice.reports import aged_receivables, collections

app_name = "reports"

urlpatterns = [
    path(
        "aged-receivables/",
        admin.site.admin_view(aged_receivables.aged_receivables_view),
        name="aged-receivables",
    ),
    path(
        "aged-receivables.csv",
        admin.site.admin_view(aged_receivables.aged_receivables_csv_view),
        name="aged-receivables-csv",
    ),
    path(
        "collections/",
        admin.site.admin_view(collections.collections_view),
        name="collections",
    ),
    path(
        "collections.csv",
        admin.site.admin_view(collections.collections_csv_view),
        name="collections-csv",
    ),
]
