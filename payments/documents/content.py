"""What a PDF document says, as plain strings for its template.

One builder per kind of document; the numbers come from the stored lines and payment
rows, formatted by `payments.documents.formatting`.
"""

import base64
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.formats import format_iban
from billing.money import ZERO
from invoices.issuer import document_issuer
from invoices.models import CreditNote, Invoice, InvoiceStatus
from invoices.references import creditor_reference_printed
from payments.documents.formatting import (
    document_amount,
    document_money,
    document_number,
    document_percent,
    document_unit_price,
)
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentKind,
    PaymentStatus,
    PaymentType,
    RefundStatus,
)

# Logos a PDF shows; anything else is left out rather than handed to the renderer.
LOGO_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")
# Labels are translated where a document is built, under the customer's language.
SETTLEMENT_LABELS = {
    PaymentKind.MONEY_RECEIVED: _("Payment"),
    PaymentKind.CREDIT_APPLIED: _("Credit note"),
    PaymentKind.BALANCE_USED: _("Customer balance"),
    PaymentKind.ADVANCE_APPLIED: _("Advance invoice"),
}
PAYMENT_TYPE_LABELS = {
    PaymentType.CASH: _("Cash"),
    PaymentType.BANK_TRANSFER: _("Bank transfer"),
    PaymentType.CHECK: _("Check"),
    PaymentType.CARD: _("Card"),
    PaymentType.PAYPAL: _("PayPal"),
    PaymentType.OTHER: _("Other"),
    PaymentType.CREDIT_NOTE: _("Credit note"),
    PaymentType.ADVANCE: _("Advance"),
    PaymentType.CUSTOMER_BALANCE: _("Customer balance"),
}


def logo_data_uri(entity) -> str:
    """The entity's logo inlined (the renderer fetches nothing from outside)."""
    if not entity.logo or entity.logo_content_type not in LOGO_TYPES:
        return ""
    encoded = base64.b64encode(bytes(entity.logo)).decode("ascii")
    return f"data:{entity.logo_content_type};base64,{encoded}"


def issuer_context(document) -> dict:
    issuer = dict(document_issuer(document))
    issuer["iban"] = format_iban(issuer.get("iban") or "")
    issuer["logo"] = logo_data_uri(document.entity)
    return issuer


def customer_context(customer) -> dict:
    return {"name": customer.name, "address": customer.address, "tax_id": customer.tax_id}


def line_rows(lines, currency: str) -> list[dict]:
    return [
        {
            "name": line.name,
            "quantity": document_number(line.quantity),
            "unit_price": document_unit_price(line.unit_price, currency),
            "discount": document_percent(line.discount_percent) if line.discount_percent else "",
            "tax_rate": document_percent(line.tax_rate),
            # The column's heading names the currency.
            "net": document_amount(line.amount, currency),
        }
        for line in lines
    ]


def tax_rows(lines, currency: str) -> list[dict]:
    """Net and tax per rate, in ascending rate: what a VAT return needs from the document."""
    by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        sums = by_rate[line.tax_rate.normalize()]
        sums[0] += line.amount
        sums[1] += line.tax_amount
    return [
        {
            "rate": document_percent(rate),
            "net": document_money(net, currency),
            "tax": document_money(tax, currency),
        }
        for rate, (net, tax) in sorted(by_rate.items())
    ]


def _settlement_source(payment: Payment) -> str:
    if payment.type == PaymentType.CREDIT_NOTE and payment.credit_note_id:
        return payment.credit_note.number
    if payment.type == PaymentType.ADVANCE and payment.advance_invoice_id:
        return payment.advance_invoice.number
    if payment.kind == PaymentKind.MONEY_RECEIVED:
        return str(PAYMENT_TYPE_LABELS[payment.type])
    return ""


def _method_label(payment: Payment) -> str:
    """`Payment.method_label`, in the document's language."""
    if payment.saved_payment_method_id:
        return payment.saved_payment_method.label
    label = str(PAYMENT_TYPE_LABELS[payment.type])
    if payment.type in EXTERNAL_TYPES:
        return gettext("External · %(method)s") % {"method": label}
    return label


def settlement_rows(invoice: Invoice) -> list[dict]:
    """The payments and credits on an invoice so far, each marked money or credit."""
    column = "advance_invoice_id" if invoice.is_advance else "invoice_id"
    payments = (
        Payment.objects.filter(**{column: invoice.pk}, status=PaymentStatus.SUCCEEDED)
        .filter(is_deleted=False)
        .select_related("credit_note", "advance_invoice")
        .order_by("date", "created_at", "id")
    )
    if invoice.is_advance:  # its own applications to final invoices are not paid into it
        payments = payments.exclude(type=PaymentType.ADVANCE)
    rows = []
    for payment in payments:
        if payment.net_amount <= 0:
            continue
        rows.append(
            {
                "date": payment.date,
                "kind": str(SETTLEMENT_LABELS[payment.kind]),
                "is_credit": payment.kind != PaymentKind.MONEY_RECEIVED,
                "source": _settlement_source(payment),
                "reference": payment.reference or "",
                "amount": document_money(payment.net_amount, invoice.currency),
            }
        )
    return rows


def invoice_context(invoice: Invoice) -> dict:
    currency = invoice.currency
    lines = list(invoice.lines.all())
    is_draft = invoice.status == InvoiceStatus.DRAFT
    money_paid = invoice.total_paid - invoice.total_credited
    issuer = issuer_context(invoice)
    due = max(invoice.total_due, ZERO)
    return {
        "title": gettext("Advance invoice") if invoice.is_advance else gettext("Invoice"),
        "number": "" if is_draft else invoice.number,
        "is_draft": is_draft,
        "watermark": gettext("DRAFT")
        if is_draft
        else gettext("VOID")
        if invoice.status == "void"
        else "",
        "currency": currency,
        "issuer": issuer,
        "customer": customer_context(invoice.customer),
        "date": invoice.date,
        "due_date": invoice.due_date,
        "lines": line_rows(lines, currency),
        # No discount anywhere: no column of blanks (and 200 cells fewer to lay out).
        "taxes": tax_rows(lines, currency),
        "total_net": document_money(invoice.total_net, currency),
        "total_tax": document_money(invoice.total_tax, currency),
        "total": document_money(invoice.total, currency),
        "settlements": [] if is_draft else settlement_rows(invoice),
        "money_paid": document_money(money_paid, currency) if money_paid else "",
        "credited": document_money(invoice.total_credited, currency)
        if invoice.total_credited
        else "",
        "amount_due": document_money(due, currency),
        "overpaid": document_money(invoice.overpaid_amount, currency)
        if invoice.overpaid_amount
        else "",
        # A payment reference a bank transfer can carry: the invoice's number, and its
        # structured RF form for banks that ask for one (both match it on the statement).
        "payment_reference": ""
        if is_draft
        else f"{invoice.number} · {creditor_reference_printed(invoice.number)}",
        "ask_for_payment": due > 0 and invoice.status != "void" and bool(issuer["iban"]),
        "note": invoice.note,
        "footer": invoice.footer or issuer.get("invoice_footer", ""),
    }


def credit_note_context(credit_note: CreditNote) -> dict:
    currency = credit_note.currency
    lines = list(credit_note.lines.all())
    issuer = issuer_context(credit_note)
    return {
        "title": gettext("Credit note"),
        "number": credit_note.number,
        "watermark": gettext("VOID") if credit_note.status == "void" else "",
        "currency": currency,
        "issuer": issuer,
        "customer": customer_context(credit_note.customer),
        "date": credit_note.date,
        "credited_invoice": credit_note.invoice.number,
        "reason": credit_note.reason,
        "lines": line_rows(lines, currency),
        # No discount anywhere: no column of blanks (and 200 cells fewer to lay out).
        "taxes": tax_rows(lines, currency),
        "total_net": document_money(credit_note.total_net, currency),
        "total_tax": document_money(credit_note.total_tax, currency),
        "total": document_money(credit_note.total, currency),
        "total_applied": document_money(credit_note.total_applied, currency),
        "total_remaining": document_money(credit_note.total_remaining, currency),
        "footer": issuer.get("invoice_footer", ""),
    }


def receipt_context(payment: Payment) -> dict:
    currency = payment.currency
    document = payment.document
    issuer = issuer_context(document)
    refunded = sum(
        (r.amount for r in payment.refunds.all() if r.status == RefundStatus.SUCCEEDED), ZERO
    )
    due = payment.invoice.total_due if payment.invoice else None
    kind = getattr(document, "is_advance", None)
    document_title = (
        gettext("Credit note")
        if kind is None
        else gettext("Advance invoice")
        if kind
        else gettext("Invoice")
    )
    return {
        "title": gettext("Receipt"),
        "number": "",
        "receipt_id": payment.pk,
        "watermark": "",
        "currency": currency,
        "issuer": issuer,
        "customer": customer_context(payment.customer),
        "date": payment.date,
        "method": _method_label(payment),
        "kind": str(SETTLEMENT_LABELS[payment.kind]),
        "is_money": payment.kind == PaymentKind.MONEY_RECEIVED,
        "reference": payment.reference or "",
        "document": f"{document_title} {document.number}",
        "amount": document_money(payment.amount, currency),
        "refunded": document_money(refunded, currency) if refunded else "",
        "still_due": None if due is None else document_money(max(due, ZERO), currency),
        "footer": issuer.get("invoice_footer", ""),
    }
