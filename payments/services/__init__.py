"""Every write of money, one function per operation: payments, charges, refunds, and the
settlement operations that move money between documents (issuing with the balance applied,
voiding, a credit note with its allocations).

The back office, the API, the portal, the tasks and the webhooks call these; a document's
own steps (drafting, numbering, status, write-off) are in `invoices.services`.
"""

from payments.services.amending import payment_delete, payment_update
from payments.services.charging import (
    payment_charge,
    payment_reconcile,
    payment_retry,
    payment_settle_charge,
)
from payments.services.crediting import credit_note_issue
from payments.services.invoice_refunds import invoice_refund, invoice_refund_plan
from payments.services.issuing import invoice_issue, invoice_void
from payments.services.recording import balance_apply, payment_record
from payments.services.refunding import overpayment_move_to_balance, refund_create, refund_settle

__all__ = [
    "balance_apply",
    "credit_note_issue",
    "invoice_issue",
    "invoice_refund",
    "invoice_refund_plan",
    "invoice_void",
    "overpayment_move_to_balance",
    "payment_charge",
    "payment_delete",
    "payment_reconcile",
    "payment_record",
    "payment_retry",
    "payment_settle_charge",
    "payment_update",
    "refund_create",
    "refund_settle",
]
