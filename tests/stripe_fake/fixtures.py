"""pytest fixtures: one fake Stripe per test session, reset before each test, and the
settings that point the SDK at it (import these names into a conftest)."""

import pytest

from tests.stripe_fake.server import API_KEY, WEBHOOK_SECRET, FakeStripe

CLIENT_TIMEOUT_SECONDS = 1.0


@pytest.fixture(scope="session")
def _fake_stripe_server():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    """The fake, empty, with Settle configured for Stripe (keys, base URL, short timeout)."""
    _fake_stripe_server.reset()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_settle_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = _fake_stripe_server.url
    settings.STRIPE_TIMEOUT_SECONDS = CLIENT_TIMEOUT_SECONDS
    settings.SETTLE_DEFAULT_GATEWAY = "stripe"
    return _fake_stripe_server
