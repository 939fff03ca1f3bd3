from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
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


def favicon(request):
    """Browsers ask for /favicon.ico on every page without a <link rel="icon">."""
    return HttpResponseRedirect(static("settle/favicon.svg"))


urlpatterns = [
    # A newcomer's first stops: the site root and the browser's favicon request.
    path("", RedirectView.as_view(pattern_name="portal:home"), name="root"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("webhooks/stripe", stripe_webhook, name="stripe-webhook"),
    path("portal/", include("portal.urls")),
]

handler404 = api_not_found
handler500 = server_error
