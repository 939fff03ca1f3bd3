from django.urls import path

from invoices.api import views

urlpatterns = [
    path("invoices", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<str:pk>", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("advance-invoices", views.AdvanceInvoiceListView.as_view(), name="advance-list"),
    path(
        "advance-invoices/<str:pk>", views.AdvanceInvoiceDetailView.as_view(), name="advance-detail"
    ),
]
