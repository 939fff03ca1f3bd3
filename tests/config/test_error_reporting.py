"""The optional Sentry reporter sends errors without personal data, bodies or local variables."""

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from config.error_reporting import error_reporter_init
from tests.factories import issued_invoice

# Split so that no source line shown around a frame contains the secrets themselves.
NOTE = "".join(["note of Mrs", " Okafor"])
CARD_TOKEN = "".join(["tok_visa", "_private_4242"])


def broken(*args, **kwargs):
    card_token = CARD_TOKEN  # a local variable: never reported
    raise RuntimeError(f"database went away ({len(card_token)})")


class Recording(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def reported(monkeypatch):
    """Sentry initialised as `SENTRY_DSN` does it, sending into a list instead of the network."""
    transport = Recording()
    with monkeypatch.context() as patch:
        patch.setattr(sentry_sdk.client, "make_transport", lambda options: transport)
        error_reporter_init(dsn="https://public@sentry.invalid/1", environment="ci")
    try:
        yield transport
    finally:
        sentry_sdk.init()  # no DSN: nothing is sent any more


def events(transport) -> list[dict]:
    sentry_sdk.flush()
    return [envelope.get_event() for envelope in transport.envelopes if envelope.get_event()]


def test_the_reporter_collects_no_personal_data(reported):
    options = sentry_sdk.get_client().options
    collection = options["data_collection"]
    assert (collection["user_info"], collection["http_bodies"]) == (False, [])
    assert collection["stack_frame_variables"] is False
    assert collection["cookies"] == collection["url_query_params"] == {"mode": "off"}
    assert (options["traces_sample_rate"], options["environment"]) == (0.0, "ci")


@pytest.mark.django_db
def test_a_server_error_is_reported_without_key_body_query_or_locals(
    reported, api, api_key, customer, monkeypatch
):
    from api.framework import idempotency

    monkeypatch.setattr(idempotency, "_fingerprint", broken)
    api.client.raise_request_exception = False
    invoice = issued_invoice(customer, total="50.00")

    response = api.post(
        "payments?debug_secret=" + "q-secret-1",
        {"invoice_id": invoice.pk, "amount": 10, "type": "cash", "note": NOTE},
        idempotency_key="e-1",
    )

    assert response.status == 500
    [event] = events(reported)
    assert "database went away (21)" in str(event["exception"])
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert [frame.get("vars") for frame in frames] == [None] * len(frames)
    payload = str(event)
    for secret in ["tok_visa_private_4242", "Mrs Okafor", "q-secret-1", api_key, api_key[10:]]:
        assert secret not in payload, secret
    assert "user" not in event or "ip_address" not in event["user"]


def test_no_dsn_no_reporter(settings):
    assert settings.SENTRY_DSN == ""
    assert sentry_sdk.get_client().transport is None
