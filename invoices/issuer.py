"""The issuer's details a document carries from its issue on.

An issued document is immutable: a later change of the entity's address, bank details or
footer must not alter what an invoice sent last month says, so issuing copies them here.
"""

from billing.models import Entity

ISSUER_FIELDS = (
    "name",
    "legal_name",
    "address",
    "vat_id",
    "iban",
    "bic",
    "invoice_footer",
    "sender_email",
    "language",
)


def issuer_snapshot(entity: Entity) -> dict:
    return {field: getattr(entity, field) for field in ISSUER_FIELDS}


def document_issuer(document) -> dict:
    """The issuer a document shows: its copy once issued, the entity's live details on a draft."""
    return document.issuer or issuer_snapshot(document.entity)
