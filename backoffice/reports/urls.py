"""`/admin/reports/…`: each page behind the admin's sign-in (staff only), then its permission."""

from django.contrib import admin
from django.urls import path

from backoffice.reports import aged_receivables

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
]
