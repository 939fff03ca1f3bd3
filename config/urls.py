from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from billing.api.errors import api_not_found, server_error
from payments.webhooks.views import stripe_webhook

PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

api_v1 = [
    path("", include("billing.api.urls")),
    path("", include("invoices.api.urls")),
    path("", include("payments.api.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(**PUBLIC), name="openapi-schema"),
    path(
        "docs", SpectacularSwaggerView.as_view(url_name="openapi-schema", **PUBLIC), name="api-docs"
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("webhooks/stripe", stripe_webhook, name="stripe-webhook"),
    path("portal/", include("portal.urls")),
]

handler404 = api_not_found
handler500 = server_error
