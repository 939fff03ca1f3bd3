"""No server-side request forgery: private, loopback, link-local and metadata addresses are
refused when an endpoint is saved and again at delivery; production URLs are HTTPS."""

import socket

import pytest

from billing.errors import ValidationError
from tests.factories import SYSTEM, issued_invoice
from webhooks.delivery import deliveries_sweep
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def create(entity, url):
    return webhook_endpoint_create(entity=entity, url=url, enabled_events=["*"], actor=SYSTEM)


def public_dns(monkeypatch, address="93.184.215.14"):
    """Every name resolves to `address` (no network in tests)."""

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[fd00:ec2::254]/hooks",
        "https://localhost/hooks",
        "https://0.0.0.0/hooks",
        "https://224.0.0.1/hooks",
    ],
)
def test_private_and_metadata_addresses_are_refused(entity, settings, url):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False

    with pytest.raises(ValidationError) as refused:
        create(entity, url)

    assert refused.value.code == "webhook_url_forbidden"
    assert not WebhookEndpoint.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused(entity, settings, monkeypatch):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False
    public_dns(monkeypatch, "10.0.0.7")

    with pytest.raises(ValidationError) as refused:
        create(entity, "https://hooks.example.com/in")

    assert refused.value.code == "webhook_url_forbidden"


def test_plain_http_is_refused_in_production(entity, settings, monkeypatch):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False
    public_dns(monkeypatch)

    with pytest.raises(ValidationError) as refused:
        create(entity, "http://hooks.example.com/in")

    assert refused.value.code == "webhook_url_forbidden"
    assert create(entity, "https://hooks.example.com/in").url == "https://hooks.example.com/in"


def test_a_name_re_pointed_to_a_private_address_fails_at_delivery(
    entity, customer, settings, monkeypatch
):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False
    public_dns(monkeypatch)
    create(entity, "https://hooks.example.com/in")
    public_dns(monkeypatch, "127.0.0.1")
    connected = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    issued_invoice(customer, "10.00")

    deliveries_sweep()

    delivery = WebhookDelivery.objects.get()
    assert connected == []
    assert delivery.last_status_code is None
    assert "private or reserved" in delivery.last_error
    assert delivery.status == "pending"  # retried later, like any failure


def test_the_development_setting_allows_a_local_receiver(entity, settings):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True

    assert create(entity, "http://127.0.0.1:8765/hooks").pk.startswith("we_")
