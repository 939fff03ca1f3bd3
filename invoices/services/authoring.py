"""Drafting invoices and advance invoices: create, edit, delete and duplicate drafts.

Only a draft changes here; an issued document is corrected by a credit note. Each
service prices the lines through `invoices.lines` (the one place rounding happens),
derives the totals from them, and audits in the same transaction.
"""

from datetime import date as Date

from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.errors import InvalidState, NotFound, ValidationError
from billing.ids import new_id
from billing.locking import lock_rows, money_transaction
from billing.models import Customer, Entity
from billing.money import validate_currency
from billing.validation import clean_metadata, clean_text, parse_date_param
from invoices.lines import PricedLine, document_totals, price_items, write_lines
from invoices.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)

INVOICE_AUDIT_FIELDS = ["status", "number", "total", "total_paid", "total_due"]
DRAFT_AUDIT_FIELDS = [
    *INVOICE_AUDIT_FIELDS,
    "customer_id",
    "currency",
    "date",
    "due_date",
    "payment_terms_days",
]
ID_PREFIX = {InvoiceKind.INVOICE: "inv", InvoiceKind.ADVANCE: "adv"}
MAX_TERMS_DAYS = 365
MAX_TEXT = 5000


def _check_customer(entity_id: str, customer: Customer) -> None:
    if customer.entity_id != entity_id:
        raise ValidationError(
            "The customer belongs to another entity.", code="resource_missing", param="customer_id"
        )


def _check_terms(payment_terms_days) -> int | None:
    if payment_terms_days in (None, ""):
        return None
    if (
        isinstance(payment_terms_days, bool)
        or not isinstance(payment_terms_days, int)
        or not 0 <= payment_terms_days <= MAX_TERMS_DAYS
    ):
        raise ValidationError(
            f"payment_terms_days must be a whole number of days from 0 to {MAX_TERMS_DAYS}.",
            param="payment_terms_days",
        )
    return payment_terms_days


def _check_dates(date, due_date) -> tuple[Date, Date | None]:
    issue_date = parse_date_param(date, "date", timezone.localdate())
    due = parse_date_param(due_date, "due_date")
    if due is not None and due < issue_date:
        raise ValidationError("due_date cannot be before date.", param="due_date")
    return issue_date, due


def _text(value, param: str) -> str:
    return clean_text(value, param, MAX_TEXT) or ""


def _set_totals(invoice: Invoice, lines: list[PricedLine]) -> None:
    net, tax, total = document_totals(lines)
    invoice.total_net, invoice.total_tax, invoice.total = net, tax, total
    invoice.total_due = total - invoice.total_paid


def invoice_create(
    *,
    entity: Entity,
    customer: Customer,
    items,
    actor: Actor,
    currency: str | None = None,
    date=None,
    due_date=None,
    payment_terms_days: int | None = None,
    note: str = "",
    footer: str = "",
    metadata: dict | None = None,
    kind: str = InvoiceKind.INVOICE,
) -> Invoice:
    """Create a draft invoice (or advance invoice) with priced lines.

    Without a `due_date`, issuing fixes it from `payment_terms_days` (else the customer's,
    else the entity's terms). Locks the customer's row: an archived customer is refused
    (`customer_archived`), and an archive or a currency change of the customer waits for
    this invoice or sees it. Raises ValidationError for any bad input; writes nothing then.
    """
    _check_customer(entity.pk, customer)
    currency = validate_currency(currency or customer.currency)
    issue_date, due = _check_dates(date, due_date)
    terms = _check_terms(payment_terms_days)
    note, footer = _text(note, "note"), _text(footer, "footer")
    lines = price_items(items, currency)
    invoice = Invoice(
        id=new_id(ID_PREFIX[kind]),
        entity=entity,
        customer=customer,
        kind=kind,
        currency=currency,
        date=issue_date,
        due_date=due,
        payment_terms_days=terms,
        note=note,
        footer=footer,
        metadata=clean_metadata(metadata),
    )
    _set_totals(invoice, lines)
    with money_transaction():
        customer_check_invoiceable(lock_rows((Customer, [customer.pk]))[0][customer.pk])
        invoice.save(force_insert=True)
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


def _lock_draft(invoice: Invoice) -> Invoice:
    (rows,) = lock_rows((Invoice, [invoice.pk]))
    locked = rows.get(invoice.pk)
    if locked is None:
        raise NotFound("This draft no longer exists: it was deleted.")
    if locked.status != InvoiceStatus.DRAFT:
        raise InvalidState(
            "Only a draft can be changed; an issued invoice is corrected by a credit note.",
            code="invoice_not_draft",
        )
    return locked


def invoice_update(
    *,
    invoice: Invoice,
    actor: Actor,
    customer: Customer,
    items,
    date=None,
    due_date=None,
    payment_terms_days: int | None = None,
    note: str = "",
    footer: str = "",
    currency: str | None = None,
) -> Invoice:
    """Replace a draft's customer, dates, terms, texts and lines; totals follow the lines.

    `currency` defaults to the draft's, or to the new customer's when the customer changes.
    Locks the invoice row. Raises InvalidState (`invoice_not_draft`) unless it is a draft,
    ValidationError for bad input; nothing is written then. Audits `<kind>.updated`.
    """
    _check_customer(invoice.entity_id, customer)
    issue_date, due = _check_dates(date, due_date)
    terms = _check_terms(payment_terms_days)
    note, footer = _text(note, "note"), _text(footer, "footer")
    with money_transaction():
        locked = _lock_draft(invoice)
        if customer.pk != locked.customer_id:
            customer_check_invoiceable(lock_rows((Customer, [customer.pk]))[0][customer.pk])
        same_customer = customer.pk == locked.customer_id
        currency = validate_currency(
            currency or (locked.currency if same_customer else customer.currency)
        )
        lines = price_items(items, currency)
        before = snapshot(locked, DRAFT_AUDIT_FIELDS)
        locked.customer = customer
        locked.currency = currency
        locked.date, locked.due_date, locked.payment_terms_days = issue_date, due, terms
        locked.note, locked.footer = note, footer
        _set_totals(locked, lines)
        locked.save()
        locked.lines.all().delete()
        write_lines(InvoiceLine, "invoice", locked, lines)
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action=f"{locked.kind}.updated",
            obj=locked,
            invoice_id=locked.pk,
            customer_id=customer.pk,
            before=before,
            after=snapshot(locked, DRAFT_AUDIT_FIELDS),
        )
    return locked


def invoice_delete_draft(*, invoice: Invoice, actor: Actor) -> None:
    """Delete a draft and its lines. It never had a number, so no gap is left.

    Locks the invoice row. Raises InvalidState (`invoice_not_draft`) unless it is a draft.
    The audit event `invoice.deleted` keeps what the draft was.
    """
    with money_transaction():
        locked = _lock_draft(invoice)
        before = {
            **snapshot(locked, DRAFT_AUDIT_FIELDS),
            "lines": [
                snapshot(line, ["name", "quantity", "unit_price", "tax_rate", "discount_percent"])
                for line in locked.lines.all()
            ],
        }
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="invoice.deleted",
            obj=locked,
            invoice_id=locked.pk,
            customer_id=locked.customer_id,
            before=before,
        )
        locked.lines.all().delete()
        locked.delete()


def invoice_duplicate(*, invoice: Invoice, actor: Actor) -> Invoice:
    """A new draft of the same kind, customer, currency, lines, terms and texts, dated today.

    Works from any invoice or advance invoice, issued or not; the copy has no number
    and no due date of its own (its terms give one at issue).
    """
    items = [
        {
            "name": line.name,
            "quantity": line.quantity,
            "price": line.unit_price,
            "tax_rate": line.tax_rate,
            "discount_percent": line.discount_percent,
        }
        for line in invoice.lines.all()
    ]
    return invoice_create(
        entity=invoice.entity,
        customer=invoice.customer,
        items=items,
        actor=actor,
        currency=invoice.currency,
        payment_terms_days=invoice.payment_terms_days,
        note=invoice.note,
        footer=invoice.footer,
        metadata=invoice.metadata,
        kind=invoice.kind,
    )


def customer_check_invoiceable(customer: Customer) -> None:
    """Archived customers keep their documents but get no new ones."""
    if customer.archived_at is not None:
        raise InvalidState(
            f"{customer.name} is archived; restore the customer to invoice them.",
            code="customer_archived",
            param="customer_id",
        )
