"""A local Stripe for the tests: the real `stripe` SDK talks HTTP to it (see `server.py`)."""

from tests.stripe_fake.server import API_KEY, WEBHOOK_SECRET, FakeStripe

__all__ = ["API_KEY", "WEBHOOK_SECRET", "FakeStripe"]
