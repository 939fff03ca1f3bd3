"""Charging a saved payment method through a gateway, on the gateway-operation pipeline
(`gateway_operation`): reserve → call → settle, reconcile later.

1. One short transaction locks the invoice, checks the amount against what
   is due less charges already in flight, and reserves it: a `pending`
   payment, its reconcile queued with it.
2. The gateway is called with no lock held and an idempotency key derived
   from the payment id, so a retry can never charge twice.
3. A second transaction records the answer. If the process dies between 2
   and 3, the webhook or the reconcile task settles the payment.
"""

from decimal import Decimal

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState, NotFound, ValidationError
from billing.locking import money_transaction
from billing.models import Entity
from billing.money import check_amount, to_minor_units
from payments.gateways import ChargeRequest, ChargeResult
from payments.models import (
    PAYMENT_TRANSITIONS,
    RESERVING_STATUSES,
    Payment,
    PaymentStatus,
    PaymentType,
    SavedPaymentMethod,
)
from payments.queue import (
    RECONCILE_PAYMENT,
    SEND_AUTHENTICATION_REQUEST,
    enqueue_with_transaction,
    receipt_enqueue,
)
from payments.services.audit import audit_payment
from payments.services.documents import (
    find_advance_invoice,
    find_invoice,
    lock_documents,
    lock_payment,
    require_due_unchanged,
    require_payable,
    require_within,
)
from payments.services.gateway_operation import GatewayOperation
from payments.services.retry_schedule import retry_schedule_after_failure
from payments.signals import payment_money_changed

CHARGE_AUDIT_FIELDS = ["amount", "status", "gateway_reference", "failure_code", "failure_message"]


def find_saved_method(entity: Entity, method_id: str, customer_id: str) -> SavedPaymentMethod:
    method = SavedPaymentMethod.objects.filter(
        pk=str(method_id or ""),
        entity_id=entity.pk,
        customer_id=customer_id,
        detached_at__isnull=True,
    ).first()
    if method is None:
        raise NotFound("No such saved payment method for this customer.", param="payment_method_id")
    return method


def payment_charge(
    *,
    entity: Entity,
    actor: Actor,
    payment_method_id: str,
    invoice_id: str | None = None,
    advance_invoice_id: str | None = None,
    amount=None,
    retry_of: Payment | None = None,
    return_url: str = "",
    expected_due: Decimal | None = None,
) -> Payment:
    """Charge a customer's saved card for (part of) what is due on an invoice or advance.

    Returns the payment in its resulting state: `succeeded`, `failed` (with the
    decline reason), `requires_action` (authentication needed) or `pending`
    (the gateway could not be reached; it will be reconciled).
    Errors before any charge: NotFound, InvalidState, ValidationError, LimitExceeded,
    Conflict (the due is no longer `expected_due`).
    """
    if bool(invoice_id) == bool(advance_invoice_id):
        raise ValidationError(
            "Charge exactly one of an invoice or an advance invoice.",
            code="document_required",
            param="invoice_id",
        )
    document = (
        find_invoice(entity, invoice_id)
        if invoice_id
        else find_advance_invoice(entity, advance_invoice_id)
    )
    method = find_saved_method(entity, payment_method_id, document.customer_id)
    with money_transaction():
        docs = lock_documents(invoice_id=invoice_id, advance_invoice_id=advance_invoice_id)
        document = docs.primary
        require_payable(document, "invoice_id" if invoice_id else "advance_invoice_id")
        require_due_unchanged(document, expected_due)
        available = document.total_payable
        if amount is None:
            if available <= 0:
                raise InvalidState(
                    "Nothing is due on this invoice.", code="nothing_due", param="amount"
                )
            amount = available
        amount = check_amount(amount, document.currency)
        require_within(
            amount,
            available,
            "the amount due (less charges in progress)",
            document.currency,
            code="amount_exceeds_due",
        )
        to_minor_units(amount, document.currency)
        if retry_of is not None:
            require_no_retry_in_flight(document)
        payment = Payment(
            entity_id=document.entity_id,
            customer_id=document.customer_id,
            invoice=docs.invoice,
            advance_invoice=docs.advance_invoice,
            type=PaymentType.CARD,
            gateway=method.gateway,
            status=PaymentStatus.PENDING,
            amount=amount,
            currency=document.currency,
            saved_payment_method=method,
            retry_of=retry_of,
            return_url=return_url,
            created_by_id=actor.user_id,
            reference=None,
            note=None,
        )
        CHARGE.reserve(payment)
        payment_money_changed.send(sender=Payment, payment=payment, documents=docs)
        audit_record(
            actor=actor,
            entity_id=payment.entity_id,
            action="payment.charge_started",
            obj=payment,
            invoice_id=document.pk,
            customer_id=payment.customer_id,
            after=snapshot(payment, CHARGE_AUDIT_FIELDS),
        )
    return CHARGE.execute(payment, actor)


def require_no_retry_in_flight(document) -> None:
    """Never two retries of one document at once (the caller holds the document's lock)."""
    field = "advance_invoice_id" if document.is_advance else "invoice_id"
    if Payment.objects.filter(
        **{field: document.pk}, retry_of__isnull=False, status__in=RESERVING_STATUSES
    ).exists():
        raise InvalidState(
            "A retry of a charge on this invoice is already in progress.",
            code="retry_in_progress",
        )


def charge_request_for(payment: Payment) -> ChargeRequest:
    method = payment.saved_payment_method
    return ChargeRequest(
        amount_minor=to_minor_units(payment.amount, payment.currency),
        currency=payment.currency,
        payment_method_reference=method.gateway_reference if method else "",
        customer_reference=payment.customer.gateway_customer_id,
        idempotency_key=f"settle_{payment.pk}",
        description=f"Invoice {getattr(payment.invoice or payment.advance_invoice, 'number', '')}",
        metadata={
            "settle_payment_id": payment.pk,
            "settle_invoice_id": payment.invoice_id or payment.advance_invoice_id or "",
        },
        return_url=payment.return_url,
    )


def settle_charge_result(payment: Payment, result, actor: Actor) -> Payment:
    """Record what the gateway answered for a charge (see `payment_settle_charge`)."""
    return payment_settle_charge(
        payment_id=payment.pk,
        status=result.status,
        actor=actor,
        reference=result.reference,
        failure_code=result.failure_code,
        failure_message=result.failure_message,
        next_action_url=result.next_action_url,
    )


def settle_charge_declined(payment: Payment, declined, actor: Actor) -> Payment:
    """Record a decline: the charge fails for good, with the gateway's reason."""
    return payment_settle_charge(
        payment_id=payment.pk,
        status=PaymentStatus.FAILED,
        actor=actor,
        reference=declined.reference,
        failure_code=declined.code,
        failure_message=declined.message,
    )


def payment_settle_charge(
    *,
    payment_id: str,
    status: str,
    actor: Actor,
    reference: str | None = None,
    failure_code: str = "",
    failure_message: str = "",
    next_action_url: str = "",
) -> Payment:
    """Record a gateway outcome for a charge, exactly once.

    Safe under duplicates and out-of-order delivery: an outcome that is not an
    allowed transition from the current status (e.g. `requires_action` after
    `succeeded`) is ignored.
    """
    payment = Payment.objects.get(pk=payment_id)
    with money_transaction():
        docs, locked = lock_payment(payment)
        if status == locked.status or status not in PAYMENT_TRANSITIONS[locked.status]:
            return locked
        before = snapshot(locked, CHARGE_AUDIT_FIELDS)
        locked.status = status
        locked.gateway_reference = reference or locked.gateway_reference
        locked.failure_code = failure_code or ""
        locked.failure_message = failure_message or ""
        locked.next_action_url = next_action_url or ""
        locked.save(
            update_fields=[
                "status",
                "gateway_reference",
                "failure_code",
                "failure_message",
                "next_action_url",
                "updated_at",
            ]
        )
        # Every outcome moves what is paid or held, or which waiting charges still fit.
        payment_money_changed.send(sender=Payment, payment=locked, documents=docs)
        audit_payment(
            actor=actor,
            payment=locked,
            action=f"payment.charge_{status}",
            before=before,
            after=snapshot(locked, CHARGE_AUDIT_FIELDS),
        )
        if status == PaymentStatus.SUCCEEDED:
            receipt_enqueue(locked.pk)
        elif status == PaymentStatus.REQUIRES_ACTION and not locked.return_url:
            # Off-session (back office, API, retry): the card holder is not here to confirm.
            enqueue_with_transaction(SEND_AUTHENTICATION_REQUEST, locked.pk)
        elif status == PaymentStatus.FAILED:
            retry_schedule_after_failure(payment=locked)
    return locked


def payment_retry(
    *, payment: Payment, actor: Actor, payment_method_id: str | None = None
) -> Payment:
    """Charge again after a failed attempt, for what is still due (at most the failed amount)."""
    if payment.status != PaymentStatus.FAILED or not payment.is_gateway:
        raise InvalidState("Only a failed charge can be retried.", code="payment_not_retryable")
    document = payment.invoice or payment.advance_invoice
    amount = min(payment.amount, document.total_payable)
    if amount <= 0:
        raise InvalidState("Nothing is due on this invoice any more.", code="nothing_due")
    return payment_charge(
        entity=payment.entity,
        actor=actor,
        payment_method_id=payment_method_id or payment.saved_payment_method_id,
        invoice_id=payment.invoice_id,
        advance_invoice_id=payment.advance_invoice_id,
        amount=amount,
        retry_of=payment,
    )


def payment_reconcile(*, payment: Payment, actor: Actor) -> Payment:
    """Ask the gateway what became of a pending charge (or one waiting for the card holder)
    and settle it; see `GatewayOperation.reconcile`."""
    if (
        payment.status not in (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)
        or not payment.is_gateway
    ):
        return payment
    return CHARGE.reconcile(payment, actor)


CHARGE: GatewayOperation[Payment] = GatewayOperation(
    kind="charge",
    reconcile_task=RECONCILE_PAYMENT,
    gateway_name=lambda payment: payment.gateway,
    request_for=charge_request_for,
    send=lambda gateway, request: gateway.charge(request),
    retrieve=lambda gateway, reference: gateway.retrieve_charge(reference),
    settle_result=settle_charge_result,
    settle_declined=settle_charge_declined,
    accepted=lambda request: ChargeResult(
        status=PaymentStatus.SUCCEEDED, reference="", amount_minor=request.amount_minor
    ),
)
