"""Shared test setup: PostgreSQL guard, immediate tasks, an actor, and the factories."""

import pytest
from django.db import connection

from billing.actors import Actor

pytest_plugins = ["tests.fixtures"]


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return [
            "!" * 78,
            "!! NOT RUNNING ON POSTGRESQL: tests marked 'postgres' WILL FAIL.",
            "!! Set TEST_DATABASE_URL (or start PostgreSQL) and run `make test`.",
            "!" * 78,
        ]
    return [f"database: PostgreSQL ({settings.DATABASES['default'].get('HOST') or 'socket'})"]


@pytest.fixture(autouse=True)
def _settle_test_settings(settings, request):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SETTLE_DEFAULT_GATEWAY = "sandbox"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.fail(
            "This test needs PostgreSQL (real row locks) but the test database is "
            f"{connection.vendor}. Run `make test` with PostgreSQL reachable.",
            pytrace=False,
        )


@pytest.fixture
def actor():
    return Actor.system("tests")
