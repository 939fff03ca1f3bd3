"""Webhook deliveries signed the way Stripe signs them, computed independently of the SDK:
`Stripe-Signature: t=<timestamp>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>`."""

import hashlib
import hmac
import json
import time

from tests.stripe_fake.server import WEBHOOK_SECRET


def signature_header(
    payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """POST one event to /webhooks/stripe as Stripe would; returns the response."""
    payload = json.dumps(event)
    return client.post(
        "/webhooks/stripe",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(payload, secret, timestamp)},
    )
