"""A Stripe customer id is set by Settle alone, and card events never cross an entity.

The attack: a staff member of one entity types another entity's `cus_…` on a new
customer, then the victim saves a card and Stripe's `payment_method.attached` lands
on the attacker's customer as a chargeable card.
"""

import pytest
from django.db import IntegrityError, transaction

from billing.models import Customer
from payments.models import SavedPaymentMethod
from tests.admin_support import staff
from tests.factories import CustomerFactory, EntityFactory
from tests.stripe_fake import api, world
from tests.stripe_fake.signing import deliver

pytestmark = pytest.mark.django_db


def last_event(fake, event_type):
    return fake.events_of(event_type)[-1]


def attach_card_at_stripe(fake_stripe, customer_reference, token="pm_card_visa"):
    method = api.create_payment_method(fake_stripe, token)
    api.attach_payment_method(fake_stripe, {"customer": customer_reference}, method["id"])
    return method


def test_the_customer_form_does_not_take_a_gateway_id(client, stripe_customer):
    rival = EntityFactory(name="Rival Desks")
    client.force_login(staff(rival, grant=["billing.add_customer"]))

    page = client.get("/admin/billing/customer/add/").content.decode()
    response = client.post(
        "/admin/billing/customer/add/",
        {
            "entity": rival.pk,
            "name": "Aaron Attacker",
            "currency": "EUR",
            "metadata": "{}",
            "gateway_customer_id": stripe_customer.gateway_customer_id,
        },
    )

    assert response.status_code == 302
    assert 'name="gateway_customer_id"' not in page
    created = Customer.objects.get(name="Aaron Attacker")
    assert (created.entity_id, created.gateway_customer_id) == (rival.pk, "")


def test_a_typed_gateway_id_cannot_steal_another_entitys_card(client, fake_stripe, stripe_customer):
    victim = stripe_customer
    rival = EntityFactory(name="Rival Desks")
    client.force_login(staff(rival, grant=["billing.add_customer"]))
    client.post(
        "/admin/billing/customer/add/",
        {
            "entity": rival.pk,
            "name": "Aaron Attacker",  # sorts before the victim
            "currency": "EUR",
            "metadata": "{}",
            "gateway_customer_id": victim.gateway_customer_id,
        },
    )
    client.logout()

    method = attach_card_at_stripe(fake_stripe, victim.gateway_customer_id)
    response = deliver(client, last_event(fake_stripe, "payment_method.attached"))

    assert response.status_code == 200
    attacker = Customer.objects.get(name="Aaron Attacker")
    assert attacker.gateway_customer_id == ""
    assert not SavedPaymentMethod.objects.filter(customer=attacker).exists()
    [saved] = SavedPaymentMethod.objects.filter(gateway_reference=method["id"])
    assert (saved.customer_id, saved.entity_id) == (victim.pk, victim.entity_id)


def test_metadata_cannot_route_a_card_to_a_customer_settle_did_not_link(client, fake_stripe):
    """A Stripe customer Settle does not know, with metadata naming one of ours: ignored."""
    ours = CustomerFactory()  # never linked to Stripe
    foreign = api.create_customer(fake_stripe, {"name": "Someone else"})
    method = api.create_payment_method(fake_stripe, "pm_card_visa")
    method["metadata"] = {"settle_customer_id": ours.pk}
    api.attach_payment_method(fake_stripe, {"customer": foreign["id"]}, method["id"])

    response = deliver(client, last_event(fake_stripe, "payment_method.attached"))

    assert response.status_code == 200
    assert SavedPaymentMethod.objects.count() == 0
    ours.refresh_from_db()
    assert ours.gateway_customer_id == ""


def test_a_setup_event_whose_metadata_names_another_customer_attaches_nothing(
    client, fake_stripe, stripe_customer
):
    other = CustomerFactory(entity=EntityFactory(name="Rival Desks"))
    session = api.create_checkout_session(
        fake_stripe,
        {
            "mode": "setup",
            "customer": stripe_customer.gateway_customer_id,
            "success_url": "https://billing.example/added",
            "setup_intent_data": {"metadata": {"settle_customer_id": other.pk}},
        },
    )
    world.complete_checkout(fake_stripe, session["id"], "pm_card_visa")

    response = deliver(client, last_event(fake_stripe, "setup_intent.succeeded"))

    assert response.status_code == 200
    assert SavedPaymentMethod.objects.count() == 0


def test_two_customers_cannot_share_a_gateway_id(stripe_customer):
    rival = EntityFactory(name="Rival Desks")

    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(entity=rival, gateway_customer_id=stripe_customer.gateway_customer_id)

    CustomerFactory(entity=rival)  # no gateway id yet: any number of those
    CustomerFactory(entity=rival)
    assert Customer.objects.filter(gateway_customer_id="").count() == 2
