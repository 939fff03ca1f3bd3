"""`/healthz` and `/readyz` for load balancers and orchestrators.

- `/healthz`: the process answers (liveness). It touches nothing else, so a slow database
  never gets a healthy web process restarted.
- `/readyz`: the database, the cache and the task queue answer (readiness). A node that
  cannot reach one of them is taken out of rotation (503) until it can.

Both are answered by the first middleware, before host validation, the HTTPS redirect,
sessions or authentication: a load balancer probes a node by its own address over plain
HTTP, and needs no login. Neither says more than which check failed; the reason is logged.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.tasks import task_backends

logger = logging.getLogger("settle.health")

HEALTH_PATHS = ("/healthz", "/readyz")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key, value = "settle:readyz", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just stored")


def _tasks() -> None:
    """The queue's storage answers: the table of the database backend (`db_worker`'s queue).

    The immediate backend the tests use has no storage to reach.
    """
    if task_backends["default"].__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.values_list("pk", flat=True)[:1])


CHECKS = {"database": _database, "cache": _cache, "tasks": _tasks}


def readiness() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    return results


def _answer(status: str, http_status: int, checks: dict | None = None) -> JsonResponse:
    body = {"status": status} if checks is None else {"status": status, "checks": checks}
    response = JsonResponse(body, status=http_status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers the two probe paths itself; every other request goes on down the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if request.path == "/healthz":
            return _answer("ok", 200)
        checks = readiness()
        ready = all(result == "ok" for result in checks.values())
        return _answer("ok" if ready else "unavailable", 200 if ready else 503, checks)
