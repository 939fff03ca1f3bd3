"""The audit event of a money change on a payment (or on its refund)."""

from billing.actors import Actor
from billing.audit import audit_record
from billing.models import AuditEvent
from payments.models import Payment


def audit_payment(
    *,
    actor: Actor,
    payment: Payment,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Audit `obj` (default: the payment), filed under the payment's document and customer."""
    return audit_record(
        actor=actor,
        entity_id=payment.entity_id,
        action=action,
        obj=obj if obj is not None else payment,
        invoice_id=payment.invoice_id or payment.advance_invoice_id or "",
        customer_id=payment.customer_id,
        before=before,
        after=after,
        reason=reason,
    )
