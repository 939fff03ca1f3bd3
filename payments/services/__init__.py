"""Every write of money on payments and refunds, one function per operation.

The back office, the API, the portal, the tasks and the webhooks call these; the
invoice side (issue, void, write-off, credit notes) is in `invoices.services`.
"""

from payments.services.amending import payment_delete, payment_update
from payments.services.charging import (
    payment_charge,
    payment_reconcile,
    payment_retry,
    payment_settle_charge,
)
from payments.services.recording import balance_apply, payment_record
from payments.services.refunding import overpayment_move_to_balance, refund_create, refund_settle

__all__ = [
    "balance_apply",
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
