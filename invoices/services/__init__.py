"""Every write of an invoice, an advance invoice or a credit note as a document, one function
per operation: drafting, numbering and issue, write-off, the lines and totals of a credit note.

The operations that also move money are settlement services of `payments`, built on
these: issuing with the customer's balance applied (`invoice_issue`), voiding only an
invoice no money sits on (`invoice_void`), a credit note with its allocations
(`credit_note_issue`). The dependency runs payments → invoices → billing.
"""

from invoices.services.authoring import (
    invoice_create,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_update,
)
from invoices.services.credit_notes import credit_note_build
from invoices.services.issuing import invoice_finalize, invoice_write_off

__all__ = [
    "credit_note_build",
    "invoice_create",
    "invoice_delete_draft",
    "invoice_duplicate",
    "invoice_finalize",
    "invoice_update",
    "invoice_write_off",
]
