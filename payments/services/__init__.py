"""Every write of money, one function per operation. Admin, API, portal and tasks call these."""

from payments.services.charging import (
    payment_charge,
    payment_reconcile,
    payment_retry,
    payment_settle_charge,
)
from payments.services.credit_notes import credit_note_issue
from payments.services.issuing import invoice_issue, invoice_void, invoice_write_off
from payments.services.recording import (
    balance_apply,
    payment_delete,
    payment_record,
    payment_update,
)
from payments.services.refunding import overpayment_move_to_balance, refund_create, refund_settle

__all__ = [
    "balance_apply",
    "credit_note_issue",
    "invoice_issue",
    "invoice_void",
    "invoice_write_off",
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
