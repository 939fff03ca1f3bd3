"""factory-boy factories for the rows tests build directly, and helpers that go through services.

Money never gets into the database except through the services, so documents
with payments are built by calling them (see `issued_invoice`).
"""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from billing.actors import Actor
from billing.models import Customer, Entity
from invoices.services import invoice_create
from payments.models import SavedPaymentMethod
from payments.services import invoice_issue

SYSTEM = Actor.system("tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Coworking {n}")
    default_currency = "EUR"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    email = factory.LazyAttribute(lambda c: f"{c.name.lower().replace(' ', '.')}@example.com")
    currency = factory.LazyAttribute(lambda c: c.entity.default_currency)


class SavedCardFactory(factory.django.DjangoModelFactory):
    """A sandbox card; pass `gateway_reference="pm_card_chargeDeclined"` etc. for other outcomes."""

    class Meta:
        model = SavedPaymentMethod

    customer = factory.SubFactory(CustomerFactory)
    entity = factory.LazyAttribute(lambda m: m.customer.entity)
    gateway = "sandbox"
    gateway_reference = "pm_card_visa"
    brand = "visa"
    last4 = "4242"
    exp_month = 12
    exp_year = 2034


def draft_invoice(customer=None, total="100.00", currency=None, kind="invoice", **kwargs):
    customer = customer or CustomerFactory()
    return invoice_create(
        entity=customer.entity,
        customer=customer,
        actor=SYSTEM,
        kind=kind,
        currency=currency or customer.currency,
        items=[{"name": "Desk rental", "quantity": 1, "price": Decimal(str(total))}],
        **kwargs,
    )


def issued_invoice(customer=None, total="100.00", currency=None, apply_balance=True, **kwargs):
    invoice = draft_invoice(customer, total, currency, **kwargs)
    return invoice_issue(invoice=invoice, actor=SYSTEM, apply_balance=apply_balance)
