"""The member's return from the bank and Stripe's webhook race; the payment settles once."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from billing.models import AuditEvent
from payments.models import Payment
from payments.services import payment_charge
from payments.services.saved_methods import customer_ensure_gateway
from tests.factories import SYSTEM, SavedCardFactory, issued_invoice
from tests.stripe_fake import world
from tests.stripe_fake.signing import deliver

ROUNDS = 5


def _in_thread(results, key, barrier, work):
    def run():
        try:
            barrier.wait(timeout=10)
            results[key] = work()
        except Exception as error:  # surfaced by the assertions below
            results[key] = error
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_return_url_and_webhook_racing_settle_the_payment_once(fake_stripe, customer, member):
    customer_ensure_gateway(customer=customer, actor=SYSTEM, gateway_name="stripe")
    customer.refresh_from_db()
    card = SavedCardFactory(
        customer=customer,
        gateway="stripe",
        gateway_reference="pm_card_authenticationRequired",
        last4="3184",
    )
    for _ in range(ROUNDS):
        mail.outbox.clear()
        invoice = issued_invoice(customer, total="80.00")
        payment = payment_charge(
            entity=invoice.entity,
            actor=SYSTEM,
            payment_method_id=card.pk,
            invoice_id=invoice.pk,
            return_url="http://testserver/portal/payments/return",
        )
        assert payment.status == "requires_action"
        world.complete_authentication(fake_stripe, payment.gateway_reference)
        event = fake_stripe.events_of("payment_intent.succeeded")[-1]

        member_client, stripe_client = Client(), Client()
        member_client.force_login(member)
        results, barrier = {}, threading.Barrier(2)
        threads = [
            _in_thread(
                results,
                "return",
                barrier,
                lambda pi=payment.gateway_reference, c=member_client: (
                    c.get(
                        f"/portal/payments/return?payment_intent={pi}&redirect_status=succeeded"
                    ).status_code
                ),
            ),
            _in_thread(
                results,
                "webhook",
                barrier,
                lambda e=event, c=stripe_client: deliver(c, e).status_code,
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert results == {"return": 302, "webhook": 200}
        payment.refresh_from_db()
        invoice.refresh_from_db()
        assert payment.status == "succeeded"
        assert (invoice.status, invoice.total_paid, invoice.total_due) == (
            "paid",
            Decimal("80.00"),
            Decimal("0.00"),
        )
        settled = AuditEvent.objects.filter(object_id=payment.pk, action="payment.charge_succeeded")
        assert settled.count() == 1
        assert Payment.objects.filter(invoice=invoice).count() == 1
        assert len([m for m in mail.outbox if m.subject.startswith("Receipt")]) == 1
