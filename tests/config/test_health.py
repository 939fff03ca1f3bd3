"""`/healthz` and `/readyz`: answered to a load balancer's probe (any Host, plain HTTP, no
login), with which check failed and nothing more."""

import json

import pytest

from config import health

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def probe(client, path, **extra):
    response = client.get(path, HTTP_HOST="10.0.3.17:8000", **extra)  # a node's own address
    return response.status_code, json.loads(response.content), response


def test_healthz_answers_without_login_host_or_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    status, body, response = probe(client, "/healthz")

    assert (status, body) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


def test_readyz_reaches_the_database_the_cache_and_the_task_queue(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TASKS = DATABASE_QUEUE

    status, body, response = probe(client, "/readyz")

    assert (status, body) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "cache": "ok", "tasks": "ok"}},
    )
    assert response["Cache-Control"] == "no-store"


def test_readyz_names_what_failed_and_leaks_nothing(client, monkeypatch, caplog):
    def unreachable():
        raise OSError("could not connect to server at 10.0.9.9:6379 password=hunter2")

    monkeypatch.setitem(health.CHECKS, "cache", unreachable)

    status, body, _response = probe(client, "/readyz")

    assert (status, body) == (
        503,
        {
            "status": "unavailable",
            "checks": {"database": "ok", "cache": "unavailable", "tasks": "ok"},
        },
    )
    assert "readiness check cache failed" in caplog.text  # the reason goes to the log


def test_readyz_reports_an_unreachable_database(client, monkeypatch):
    def down():
        raise RuntimeError("down")

    monkeypatch.setitem(health.CHECKS, "database", down)
    monkeypatch.setitem(health.CHECKS, "tasks", down)

    status, body, _response = probe(client, "/readyz")

    assert (status, body["checks"]) == (
        503,
        {"database": "unavailable", "cache": "ok", "tasks": "unavailable"},
    )


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_accept_only_get_and_head(client, path):
    response = client.post(path, HTTP_HOST="10.0.3.17:8000")

    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


def test_readyz_is_unavailable_when_redis_does_not_answer(client, settings):
    """A real Redis client against a closed port: refused at once, reported, not raised."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }

    status, body, _response = probe(client, "/readyz")

    assert (status, body["checks"]["cache"]) == (503, "unavailable")
