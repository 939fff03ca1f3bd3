"""The URL patterns the security tests sweep: every API operation, every admin and portal URL."""

import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, namespaced name, pattern) of every URL pattern, includes flattened."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".lstrip(":") if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern


def api_operations() -> set[tuple[str, str]]:
    """(method, route under /api/v1/ with `{pk}`) of every operation the API answers."""
    operations = set()
    for route, _name, pattern in url_patterns():
        view = getattr(pattern.callback, "view_class", None)
        if (
            not route.startswith("api/v1/")
            or view is None
            or route.endswith(("openapi.json", "docs"))
        ):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{pk}", route.removeprefix("api/v1/"))
        operations |= {(method, path) for method in HTTP_METHODS if hasattr(view, method)}
    return operations


def concrete_urls(prefix: str, values_for) -> list[str]:
    """A URL for every named pattern under `prefix`; `values_for(route, arg)` fills arguments."""
    urls = []
    for route, name, pattern in url_patterns():
        if not route.startswith(prefix) or name is None:
            continue
        names = list(pattern.pattern.regex.groupindex)
        urls.append(reverse(name, kwargs={arg: values_for(route, arg) for arg in names}))
    return sorted(set(urls))
