from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from billing.api.errors import api_not_found, server_error
from payments.webhooks.views import stripe_webhook

PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}

# Swagger UI's page keeps a small <style> block and its bundle sets style attributes; its
# script comes from our static files and from `docs?script` (the split view), never inline.
DOCS_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
}
docs_view = SpectacularSwaggerSplitView.as_view(url_name="openapi-schema", **PUBLIC)

api_v1 = [
    path("", include("billing.api.urls")),
    path("", include("invoices.api.urls")),
    path("", include("payments.api.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(**PUBLIC), name="openapi-schema"),
    path(
        "docs",
        csp_override(DOCS_CSP)(docs_view) if settings.SECURE_CSP else docs_view,
        name="api-docs",
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
