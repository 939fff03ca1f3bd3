"""Drafting invoices and advance invoices: priced lines, dates, metadata."""

from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState, ValidationError
from billing.ids import new_id
from billing.locking import lock_rows, money_transaction
from billing.models import Customer, Entity
from billing.money import validate_currency
from billing.validation import clean_metadata, parse_date_param
from invoices.lines import document_totals, price_items, write_lines
from invoices.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
)

INVOICE_AUDIT_FIELDS = ["status", "number", "total", "total_paid", "total_due"]
ID_PREFIX = {InvoiceKind.INVOICE: "inv", InvoiceKind.ADVANCE: "adv"}


def invoice_create(
    *,
    entity: Entity,
    customer: Customer,
    items,
    actor: Actor,
    currency: str | None = None,
    date=None,
    due_date=None,
    note: str = "",
    metadata: dict | None = None,
    kind: str = InvoiceKind.INVOICE,
) -> Invoice:
    """Create a draft invoice (or advance invoice) with priced lines.

    Locks the customer's row: an archived customer is refused (`customer_archived`), and
    an archive or a currency change of the customer waits for this invoice or sees it.
    """
    if customer.entity_id != entity.pk:
        raise ValidationError(
            "The customer belongs to another entity.", code="resource_missing", param="customer_id"
        )
    currency = validate_currency(currency or customer.currency)
    issue_date = parse_date_param(date, "date", timezone.localdate())
    due = parse_date_param(due_date, "due_date")
    if due is not None and due < issue_date:
        raise ValidationError("due_date cannot be before date.", param="due_date")
    lines = price_items(items, currency)
    net, tax, total = document_totals(lines)
    with money_transaction():
        customer_check_invoiceable(lock_rows((Customer, [customer.pk]))[0][customer.pk])
        invoice = Invoice.objects.create(
            id=new_id(ID_PREFIX[kind]),
            entity=entity,
            customer=customer,
            kind=kind,
            currency=currency,
            date=issue_date,
            due_date=due,
            note=note or "",
            metadata=clean_metadata(metadata),
            total_net=net,
            total_tax=tax,
            total=total,
            total_due=total,
        )
        write_lines(InvoiceLine, "invoice", invoice, lines)
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action=f"{kind}.created",
            obj=invoice,
            invoice_id=invoice.pk,
            customer_id=customer.pk,
            after=snapshot(invoice, INVOICE_AUDIT_FIELDS),
        )
    return invoice


def customer_check_invoiceable(customer: Customer) -> None:
    """Archived customers keep their documents but get no new ones."""
    if customer.archived_at is not None:
        raise InvalidState(
            f"{customer.name} is archived; restore the customer to invoice them.",
            code="customer_archived",
            param="customer_id",
        )
