"""Pausing the reminders of one invoice (a customer's are paused on the customer)."""

from billing.actors import Actor
from billing.audit import audit_record
from billing.locking import money_transaction
from invoices.models import Invoice


def invoice_reminders_pause(*, invoice: Invoice, paused: bool, actor: Actor) -> Invoice:
    """Stop (or restart) the overdue reminders of an invoice; audited."""
    with money_transaction():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.reminders_paused == paused:
            return locked
        locked.reminders_paused = paused
        locked.save(update_fields=["reminders_paused", "updated_at"])
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="invoice.reminders_paused" if paused else "invoice.reminders_resumed",
            obj=locked,
            invoice_id=locked.pk,
            customer_id=locked.customer_id,
            before={"reminders_paused": not paused},
            after={"reminders_paused": paused},
        )
    return locked
