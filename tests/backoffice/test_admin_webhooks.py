"""The back office's Webhooks pages: add (secret shown once), enable/disable, roll, delete,
the delivery log with Resend; only with `webhooks.manage_webhooks`, only one's entities."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from tests.admin_support import messages_of, staff, submit
from tests.factories import SYSTEM, CustomerFactory, EntityFactory, issued_invoice
from tests.webhooks.receiver import receiver_start
from webhooks.delivery import deliveries_sweep
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
LIST = "admin:webhooks_webhookendpoint_changelist"
ADD = "admin:webhooks_webhookendpoint_add"


def page(endpoint) -> str:
    return reverse("admin:webhooks_webhookendpoint_change", args=[quote(endpoint.pk)])


def act(endpoint) -> str:
    return reverse("admin:webhooks_endpoint_act", args=[quote(endpoint.pk)])


@pytest.fixture
def manager(client, entity):
    user = staff(entity, grant=["webhooks.manage_webhooks"])
    client.force_login(user)
    return user


@pytest.fixture
def receiver(settings):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True
    receiver, server = receiver_start()
    yield receiver
    server.shutdown()
    server.server_close()


def test_adding_an_endpoint_shows_its_secret_once(client, manager, entity, receiver):
    response = submit(
        client,
        reverse(ADD),
        {"entity": entity.pk, "url": receiver.url, "enabled_events": ["payment.created"]},
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == page(endpoint)
    shown = client.get(page(endpoint))
    assert endpoint.secret in shown.content.decode()
    again = client.get(page(endpoint))
    assert endpoint.secret not in again.content.decode()
    assert endpoint.enabled_events == ["payment.created"]


def test_a_private_url_is_a_form_error(client, manager, entity, settings):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False

    response = submit(
        client, reverse(ADD), {"entity": entity.pk, "url": "https://10.0.0.1/", "all_events": "on"}
    )

    assert response.status_code == 400
    assert "private or reserved" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_disable_enable_roll_and_delete(client, manager, entity, receiver):
    endpoint = webhook_endpoint_create(
        entity=entity, url=receiver.url, enabled_events=["*"], actor=SYSTEM
    )

    submit(client, act(endpoint), {"action": "disable"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "Disabled" in client.get(page(endpoint)).content.decode()

    submit(client, act(endpoint), {"action": "enable"})
    old = endpoint.secret
    response = submit(client, act(endpoint), {"action": "roll", "grace_period_hours": "2"})
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert (endpoint.previous_secret, endpoint.secret != old) == (old, True)
    assert endpoint.secret in client.get(response.url).content.decode()

    response = submit(client, act(endpoint), {"action": "delete"})
    assert response.url == reverse(LIST)
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_and_resend(client, manager, entity, receiver):
    endpoint = webhook_endpoint_create(
        entity=entity, url=receiver.url, enabled_events=["*"], actor=SYSTEM
    )
    issued_invoice(CustomerFactory(entity=entity), "10.00")
    deliveries_sweep()
    delivery = WebhookDelivery.objects.get()

    shown = client.get(page(endpoint)).content.decode()
    assert "invoice.issued" in shown and "200" in shown and " ms" in shown

    url = reverse("admin:webhooks_delivery_resend", args=[quote(endpoint.pk), delivery.pk])
    response = submit(client, url, {}, follow=True)
    assert any("queued again" in message for message in messages_of(response))
    deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(receiver.received) == 2


def test_without_the_permission_the_pages_are_forbidden(client, entity, receiver):
    endpoint = webhook_endpoint_create(
        entity=entity, url=receiver.url, enabled_events=["*"], actor=SYSTEM
    )
    client.force_login(staff(entity))

    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(page(endpoint)).status_code == 403
    assert submit(client, act(endpoint), {"action": "delete"}).status_code == 403
    assert WebhookEndpoint.objects.exists()


def test_another_entitys_endpoint_is_not_found(client, manager, receiver):
    theirs = webhook_endpoint_create(
        entity=EntityFactory(), url=receiver.url, enabled_events=["*"], actor=SYSTEM
    )

    assert client.get(page(theirs)).status_code in (302, 404)
    assert submit(client, act(theirs), {"action": "delete"}).status_code == 404
    assert client.get(reverse(LIST)).content.decode().count(theirs.url) == 0
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
