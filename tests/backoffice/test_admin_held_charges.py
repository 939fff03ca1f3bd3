"""A charge waiting for 3-D Secure in the back office and the API: what it holds is shown,
the Create form offers only what is left, and the office can cancel it."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.gateways import GatewayTransientError
from tests.admin_support import invoice_url, messages_of, staff, submit
from tests.asserts import unchanged
from tests.factories import SavedCardFactory, charge_card, issued_invoice
from tests.payments.fake_gateway import FakeGateway, using_gateway


@pytest.fixture
def waiting(customer):
    """Invoice 183.00 with a charge of 100.00 waiting for the card holder."""
    invoice = issued_invoice(customer, total="183.00")
    card = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )
    charge = charge_card(invoice, "100.00", card=card)
    assert charge.status == "requires_action"
    return invoice, charge


def test_the_create_form_offers_what_is_left_and_says_what_is_held(client, office, waiting):
    invoice, _charge = waiting

    response = client.get(invoice_url(invoice, "payment_create"))

    assert response.context["form"].initial["amount"] == Decimal("83.00")
    page = response.content.decode()
    assert "Awaiting authentication" in page
    assert (
        "€100.00 of the amount due is held by a card payment awaiting the card holder's "
        "authentication: €83.00 is left to pay."
    ) in page


def test_the_office_cancels_a_waiting_charge(client, office, waiting):
    invoice, charge = waiting
    page = client.get(invoice_url(invoice)).content.decode()
    assert invoice_url(invoice, "payment_cancel", charge.pk) in page

    response = submit(client, invoice_url(invoice, "payment_cancel", charge.pk), {})

    assert response.status_code == 302
    charge.refresh_from_db()
    invoice.refresh_from_db()
    assert charge.status == "canceled"
    assert (invoice.total_reserved, invoice.total_payable) == (Decimal("0.00"), Decimal("183.00"))
    followed = client.get(response.url)
    assert (
        "Canceled the waiting charge of €100.00; nothing was charged. €183.00 can now be paid."
        in messages_of(followed)
    )
    event = AuditEvent.objects.get(object_id=charge.pk, action="payment.charge_canceled")
    assert event.actor_user == office


def test_a_charge_the_gateway_cannot_cancel_yet_keeps_waiting(client, office, waiting):
    invoice, charge = waiting
    with (
        using_gateway(FakeGateway(cancel_error=GatewayTransientError("timeout"))),
        unchanged(),
    ):
        response = submit(client, invoice_url(invoice, "payment_cancel", charge.pk), {})

    assert "could not be reached: the charge of €100.00 still waits" in " ".join(
        messages_of(client.get(response.url))
    )


def test_cancel_needs_the_charge_permission(client, entity, waiting):
    invoice, charge = waiting
    client.force_login(staff(entity, grant=["payments.record_payment"]))

    with unchanged():
        response = submit(client, invoice_url(invoice, "payment_cancel", charge.pk), {})

    assert response.status_code == 403


def test_a_charge_that_is_not_waiting_cannot_be_canceled(client, office, customer):
    invoice = issued_invoice(customer, total="50.00")
    charge = charge_card(invoice)

    with unchanged():
        response = submit(client, invoice_url(invoice, "payment_cancel", charge.pk), {})

    assert response.status_code == 200
    assert "not waiting for authentication" in response.content.decode()


def test_the_api_shows_what_waiting_charges_hold(api, waiting):
    invoice, _charge = waiting

    answer = api.get(f"invoices/{invoice.pk}")

    assert answer.status == 200
    assert (answer.body["total_due"], answer.body["total_reserved"]) == (
        Decimal("183.00"),
        Decimal("100.00"),
    )
    listed = api.get("invoices", {"query": '{"total_reserved": {"gt": 0}}'})
    assert [row["id"] for row in listed.body["data"]] == [invoice.pk]
