"""Restricted keys: every API view names its resource, and its scope is checked first.

The rule for every view of `api/urls.py` (and every one added later): set
`scope_resource` to one of `billing.api_key_scopes.RESOURCES`. A GET, HEAD or
OPTIONS needs `<resource>:read`, any other method `<resource>:write` (which also
allows reading). A view without a known resource refuses to be routed
(`SettleAPIView.as_view` raises), and tests/api/test_api_key_scopes.py walks the
URL patterns to prove each one declares it.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission

from billing.api_key_scopes import READ, RESOURCES, WRITE, scope_name, scopes_allow
from billing.errors import PermissionDenied

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def check_scope_resource(view_class) -> str:
    """The view's declared resource, or an error naming the view and the choices."""
    resource = getattr(view_class, "scope_resource", None)
    if resource not in RESOURCES:
        raise ImproperlyConfigured(
            f"{view_class.__module__}.{view_class.__qualname__} must declare "
            f"`scope_resource`, one of: {', '.join(RESOURCES)} (got {resource!r})."
        )
    return resource


def required_scope(view_class, method: str) -> str:
    """The scope a request with `method` needs on a view of `view_class`."""
    action = READ if method.upper() in SAFE_METHODS else WRITE
    return scope_name(check_scope_resource(view_class), action)


def require_read_scopes(request, resources, *, needed_for: str, param: str) -> None:
    """403 `insufficient_scope` unless the key may read every one of `resources`: for what
    a request reaches beyond its own resource (what `include` embeds, what events carry)."""
    scopes = getattr(request.auth, "scopes", None)
    missing = sorted({name for name in resources if not scopes_allow(scopes, name, READ)})
    if not missing:
        return
    needed = ", ".join(scope_name(name, READ) for name in missing)
    raise PermissionDenied(
        f"This API key lacks {needed}, needed {needed_for}. Use a key with {needed} "
        "(or the write scope of the same resource).",
        code="insufficient_scope",
        param=param,
    )


class HasRequiredScope(BasePermission):
    """403 `insufficient_scope` before the view runs, when the key's scopes do not allow it."""

    def has_permission(self, request, view) -> bool:
        needed = required_scope(type(view), request.method)
        resource, _, action = needed.partition(":")
        if scopes_allow(getattr(request.auth, "scopes", None), resource, action):
            return True
        raise PermissionDenied(
            f"This API key lacks the scope {needed}, needed for "
            f"{request.method} {request.path}. Use a key with {needed}"
            + (f" or {resource}:write." if action == READ else "."),
            code="insufficient_scope",
        )
