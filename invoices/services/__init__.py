"""Every write of an invoice, an advance invoice or a credit note, one function per operation.

Doors import from here. Services of other apps import the submodule they need
(`invoices.services.settlement`), so that this package can use theirs in turn.
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
