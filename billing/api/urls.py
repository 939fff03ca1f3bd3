from django.urls import path

from billing.api import views

urlpatterns = [
    path("customers", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/<str:pk>", views.CustomerDetailView.as_view(), name="customer-detail"),
    path(
        "customers/<str:pk>/balance-transactions",
        views.BalanceTransactionListView.as_view(),
        name="customer-balance-transactions",
    ),
    path(
        "customers/<str:pk>/balance-adjustments",
        views.BalanceAdjustmentView.as_view(),
        name="customer-balance-adjustments",
    ),
]
