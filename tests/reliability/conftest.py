"""Reliability tests: a live multi-process server, faults, hostile input, security."""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command

from billing.models import Entity
from billing.services import api_key_create
from tests.factories import EntityFactory
from tests.reliability.live import gunicorn
from tests.stripe_fake import API_KEY, WEBHOOK_SECRET
from tests.stripe_fake import fixtures as stripe_fixtures

_fake_stripe_server = stripe_fixtures._fake_stripe_server
fake_stripe = stripe_fixtures.fake_stripe


@pytest.fixture(scope="session")
def sandbox_server(django_db_setup, tmp_path_factory):
    """Three gunicorn worker processes of three threads each, charging through the sandbox.

    Shared by every module that needs it; stopped before the test database is dropped.
    """
    log_path = tmp_path_factory.mktemp("gunicorn") / "sandbox.log"
    with gunicorn(log_path, workers=3, threads=3) as server:
        yield server


# How long the server's Stripe client waits for an answer (the fake may take longer).
SERVER_STRIPE_TIMEOUT = 6.0


@pytest.fixture(scope="module")
def stripe_server(django_db_setup, _fake_stripe_server, tmp_path_factory):
    """Three single-threaded gunicorn workers charging through the fake Stripe."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "stripe.log"
    env = {
        "SETTLE_GATEWAY": "stripe",  # the suite's environment chooses the sandbox
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_settle_fake",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": _fake_stripe_server.url,
        "STRIPE_TIMEOUT_SECONDS": str(SERVER_STRIPE_TIMEOUT),
    }
    with gunicorn(log_path, workers=3, threads=1, env=env) as server:
        yield server


@dataclass
class Tenant:
    entity: Entity
    key: str  # the raw API key, bound to `entity`


@pytest.fixture
def tenant(transactional_db):
    """An entity and a raw API key for it, committed so the live server sees them."""
    entity = EntityFactory()
    _key, raw = api_key_create(name="reliability", entities=[entity])
    return Tenant(entity, raw)


def assert_no_drift() -> None:
    out = StringIO()
    call_command("check_totals", stdout=out)
    assert "No drift" in out.getvalue(), out.getvalue()
