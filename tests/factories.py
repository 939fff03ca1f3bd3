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
from payments.services import credit_note_issue, invoice_issue

SYSTEM = Actor.system("tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "correct horse battery")
        if create:
            user.save(update_fields=["password"])


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


def issued_advance(customer=None, total="100.00", currency=None, **kwargs):
    """An issued advance invoice (a prepayment request)."""
    advance = draft_invoice(customer, total, currency, kind="advance", **kwargs)
    return invoice_issue(invoice=advance, actor=SYSTEM)


def invoice_with_items(customer, items, apply_balance=True, **kwargs):
    """An issued invoice with the given items (`name`, `quantity`, `price`, `tax_rate`)."""
    invoice = invoice_create(
        entity=customer.entity, customer=customer, actor=SYSTEM, items=items, **kwargs
    )
    return invoice_issue(invoice=invoice, actor=SYSTEM, apply_balance=apply_balance)


def record_payment(document, amount, type="cash", **kwargs):
    """Record an external payment (or an application) through the service."""
    from payments.services import payment_record

    field = "advance_invoice_id" if getattr(document, "is_advance", False) else "invoice_id"
    kwargs.setdefault(field, document.pk)
    return payment_record(
        entity=document.entity, actor=SYSTEM, amount=Decimal(str(amount)), type=type, **kwargs
    )


def charge_card(document, amount=None, card=None, **kwargs):
    """Charge a sandbox card (default: the customer's `pm_card_visa`, saved on first use)."""
    from payments.services import payment_charge

    if card is None:
        card = SavedPaymentMethod.objects.filter(
            customer=document.customer, gateway_reference="pm_card_visa"
        ).first() or SavedCardFactory(customer=document.customer)
    field = "advance_invoice_id" if getattr(document, "is_advance", False) else "invoice_id"
    return payment_charge(
        entity=document.entity,
        actor=SYSTEM,
        payment_method_id=card.pk,
        amount=None if amount is None else Decimal(str(amount)),
        **{field: document.pk},
        **kwargs,
    )


def give_balance(customer, amount, reason="Goodwill credit"):
    """Credit a customer's money balance by a manual adjustment."""
    from billing.services import balance_adjust

    return balance_adjust(
        customer=customer, amount=Decimal(str(amount)), reason=reason, actor=SYSTEM
    )


def issued_credit_note(
    invoice, amount="10.00", *, to=None, reason="Discount", actor=SYSTEM, **kwargs
):
    """Issue a credit note of `amount` on an issued invoice through the service.

    `to` sends all of it at once ("invoice", "customer_balance", "outside"…; more fields of
    that allocation in `allocation`); `allocations` splits it; neither leaves it open.
    """
    allocation = kwargs.pop("allocation", {})
    if to is not None:
        kwargs["allocations"] = [{"type": to, "amount": str(amount), **allocation}]
    return credit_note_issue(
        entity=invoice.entity,
        invoice_id=invoice.pk,
        actor=actor,
        reason=reason,
        amount=Decimal(str(amount)),
        **kwargs,
    )
