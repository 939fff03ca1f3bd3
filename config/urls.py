from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api.framework.errors import api_not_found, server_error
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
    path("", include("api.urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(**PUBLIC), name="openapi-schema"),
    path(
        "docs",
        csp_override(DOCS_CSP)(docs_view) if settings.SECURE_CSP else docs_view,
        name="api-docs",
    ),
]


def favicon(request):
    """Browsers ask for /favicon.ico on every page without a <link rel="icon">."""
    return HttpResponseRedirect(static("settle/favicon.svg"))


urlpatterns = [
    # A newcomer's first stops: the site root and the browser's favicon request.
    path("", RedirectView.as_view(pattern_name="portal:home"), name="root"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", include("backoffice.urls")),
    path("admin/reports/", include("backoffice.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("webhooks/stripe", stripe_webhook, name="stripe-webhook"),
    path("portal/", include("portal.urls")),
]

handler404 = api_not_found
handler500 = server_error
