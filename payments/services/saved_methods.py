"""Customers at the gateway and their saved cards: link, attach, detach, make default.

No money moves here, but the rows are locked in the global order (the
customer) and every change is audited. Gateway calls happen with no lock held.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import NotFound
from billing.locking import lock_rows, money_transaction
from billing.models import Customer
from payments.gateways import get_gateway
from payments.gateways.base import CardDetails, CustomerRequest
from payments.models import SavedPaymentMethod

METHOD_AUDIT_FIELDS = ["gateway_reference", "brand", "last4", "is_default", "detached_at"]


def _lock_customer(customer_id: str) -> Customer:
    (customers,) = lock_rows((Customer, [customer_id]))
    return customers[customer_id]


def _audit(actor: Actor, method: SavedPaymentMethod, action: str, before=None) -> None:
    audit_record(
        actor=actor,
        entity_id=method.entity_id,
        action=action,
        obj=method,
        customer_id=method.customer_id,
        before=before,
        after=snapshot(method, METHOD_AUDIT_FIELDS),
    )


def customer_ensure_gateway(*, customer: Customer, actor: Actor, gateway_name: str) -> str:
    """The customer's id at the gateway (`cus_…`), created there on first use.

    The idempotency key is our customer id, so two concurrent first uses get
    the same gateway customer. The sandbox needs none and returns "".
    """
    if customer.gateway_customer_id or gateway_name != "stripe":
        return customer.gateway_customer_id
    reference = get_gateway(gateway_name).ensure_customer(
        CustomerRequest(
            name=customer.name,
            email=customer.email,
            idempotency_key=f"settle_{customer.pk}",
            metadata={"settle_customer_id": customer.pk, "settle_entity_id": customer.entity_id},
        )
    )
    with money_transaction():
        locked = _lock_customer(customer.pk)
        if not locked.gateway_customer_id:
            locked.gateway_customer_id = reference
            locked.save(update_fields=["gateway_customer_id", "updated_at"])
            audit_record(
                actor=actor,
                entity_id=locked.entity_id,
                action="customer.gateway_linked",
                obj=locked,
                customer_id=locked.pk,
                after={"gateway_customer_id": reference},
            )
    customer.gateway_customer_id = locked.gateway_customer_id
    return locked.gateway_customer_id


def saved_method_attach(
    *, customer: Customer, actor: Actor, gateway_name: str, card: CardDetails
) -> SavedPaymentMethod:
    """Keep a card the gateway holds for the customer (idempotent: one row per reference).

    A card removed earlier and attached again is usable again. The first
    usable card becomes the default.
    """
    with money_transaction():
        locked = _lock_customer(customer.pk)
        usable = SavedPaymentMethod.objects.filter(customer=locked, detached_at__isnull=True)
        method = SavedPaymentMethod(
            entity_id=locked.entity_id,
            customer=locked,
            gateway=gateway_name,
            gateway_reference=card.reference,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            is_default=not usable.filter(is_default=True).exists(),
        )
        try:
            with transaction.atomic():
                method.save()
        except IntegrityError:
            method = SavedPaymentMethod.objects.get(
                customer=locked, gateway=gateway_name, gateway_reference=card.reference
            )
            if method.detached_at is None:
                return method
            before = snapshot(method, METHOD_AUDIT_FIELDS)
            method.detached_at = None
            method.is_default = not usable.filter(is_default=True).exists()
            method.brand, method.last4 = card.brand, card.last4
            method.exp_month, method.exp_year = card.exp_month, card.exp_year
            method.save()
            _audit(actor, method, "saved_method.reattached", before)
            return method
        _audit(actor, method, "saved_method.attached")
    return method


def _detach_locked(method: SavedPaymentMethod, actor: Actor) -> SavedPaymentMethod:
    if method.detached_at is not None:
        return method
    before = snapshot(method, METHOD_AUDIT_FIELDS)
    was_default = method.is_default
    method.detached_at = timezone.now()
    method.is_default = False
    method.save(update_fields=["detached_at", "is_default"])
    _audit(actor, method, "saved_method.detached", before)
    if was_default:
        successor = (
            SavedPaymentMethod.objects.filter(
                customer_id=method.customer_id, detached_at__isnull=True
            )
            .order_by("-created_at")
            .first()
        )
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
    return method


def saved_method_detach(*, method: SavedPaymentMethod, actor: Actor) -> SavedPaymentMethod:
    """Remove a saved card: detached at the gateway first (no lock held), then here."""
    get_gateway(method.gateway).detach_payment_method(
        method.gateway_reference, idempotency_key=f"settle_detach_{method.pk}"
    )
    with money_transaction():
        _lock_customer(method.customer_id)
        locked = SavedPaymentMethod.objects.select_for_update().get(pk=method.pk)
        return _detach_locked(locked, actor)


def saved_method_detached_at_gateway(
    *, gateway_name: str, reference: str, actor: Actor
) -> list[SavedPaymentMethod]:
    """The gateway says a card was detached (e.g. in its dashboard): stop offering it."""
    detached = []
    for method in SavedPaymentMethod.objects.filter(
        gateway=gateway_name, gateway_reference=reference, detached_at__isnull=True
    ):
        with money_transaction():
            _lock_customer(method.customer_id)
            locked = SavedPaymentMethod.objects.select_for_update().get(pk=method.pk)
            detached.append(_detach_locked(locked, actor))
    return detached


def saved_method_make_default(*, method: SavedPaymentMethod, actor: Actor) -> SavedPaymentMethod:
    """The card charged when none is chosen (and offered first). Errors: NotFound (removed)."""
    with money_transaction():
        _lock_customer(method.customer_id)
        locked = SavedPaymentMethod.objects.select_for_update().get(pk=method.pk)
        if locked.detached_at is not None:
            raise NotFound("This card was removed.", param="payment_method_id")
        if locked.is_default:
            return locked
        before = snapshot(locked, METHOD_AUDIT_FIELDS)
        for other in SavedPaymentMethod.objects.filter(
            customer_id=locked.customer_id, is_default=True
        ).exclude(pk=locked.pk):
            other.is_default = False
            other.save(update_fields=["is_default"])
        locked.is_default = True
        locked.save(update_fields=["is_default"])
        _audit(actor, locked, "saved_method.made_default", before)
    return locked
