"""Every write of an invoice, an advance invoice or a credit note, one function per operation.

Doors import from here. The settlement rule the payment services apply to a document
lives outside this package (`invoices.settlement`), so that these services can use the
payment services in turn (a balance applied at issue, a credit note's refunds).
"""

from invoices.services.authoring import invoice_create
from invoices.services.credit_notes import credit_note_issue
from invoices.services.issuing import invoice_issue, invoice_void, invoice_write_off

__all__ = [
    "credit_note_issue",
    "invoice_create",
    "invoice_issue",
    "invoice_void",
    "invoice_write_off",
]
