"""Read-only pages: invoices, one invoice, payment history, balance, printable receipts."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404

from billing.money import ZERO
from invoices.models import InvoiceStatus
from payments.models import APPLICATION_TYPES, PaymentStatus, RefundStatus
from payments.services.holds import charges_beyond_due
from portal.forms import PayForm
from portal.ledger import member_ledger
from portal.selectors import (
    member_cards,
    member_credit_notes,
    member_customers,
    member_invoice,
    member_invoices,
    member_payments,
    member_receipt,
    member_refunds,
)
from portal.views.common import PAYABLE_STATUSES, member_required, render_portal

OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


def _due_by_currency(invoices) -> list[tuple[str, Decimal]]:
    totals = defaultdict(Decimal)
    for invoice in invoices:
        if invoice.status in OPEN_STATUSES and invoice.total_due > 0:
            totals[invoice.currency] += invoice.total_due
    return sorted(totals.items())


@member_required
def home(request):
    invoices = list(member_invoices(request.user))
    return render_portal(
        request,
        "portal/home.html",
        {
            "invoices": invoices,
            "credit_notes": list(member_credit_notes(request.user)),
            "due_totals": _due_by_currency(invoices),
            "customers": list(member_customers(request.user)),
        },
    )


def invoice_context(request, invoice, form=None) -> dict:
    rows = list(
        member_payments(request.user).filter(
            Q(invoice_id=invoice.pk) | Q(advance_invoice_id=invoice.pk)
        )
    )
    # Money that came in, apart from credit the member already had (a credit note, their
    # balance, an advance): a credit is not a payment and has no receipt.
    payments = [p for p in rows if p.type not in APPLICATION_TYPES]
    credits = [
        p for p in rows if p.type in APPLICATION_TYPES and p.status == PaymentStatus.SUCCEEDED
    ]
    # The totals tell them apart too: credit used on this invoice, and money paid.
    credited = sum((p.net_amount for p in credits if p.invoice_id == invoice.pk), ZERO)
    cards = list(member_cards(request.user).filter(customer_id=invoice.customer_id))
    payable = invoice.status in PAYABLE_STATUSES
    unneeded = {charge.pk for charge in charges_beyond_due(invoice)}
    if form is None and payable:
        form = PayForm(invoice=invoice, cards=cards)
    return {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "payments": payments,
        "credits": credits,
        "credited": credited,
        "money_paid": invoice.total_paid - credited,
        # A waiting charge the invoice no longer needs is being canceled: nothing to confirm.
        "waiting": [
            p
            for p in payments
            if p.status == PaymentStatus.REQUIRES_ACTION and p.pk not in unneeded
        ],
        "refunds": member_refunds(request.user).filter(
            Q(payment__invoice_id=invoice.pk) | Q(payment__advance_invoice_id=invoice.pk)
        ),
        "form": form if payable and (form.is_bound or form.available > 0) else None,
        "cards": cards,
        "credit_notes": member_credit_notes(request.user).filter(invoice_id=invoice.pk),
    }


@member_required
def invoice_detail(request, invoice_id):
    invoice = member_invoice(request.user, invoice_id)
    return render_portal(request, "portal/invoice.html", invoice_context(request, invoice))


@member_required
def history(request):
    return render_portal(
        request,
        "portal/history.html",
        {
            "payments": member_payments(request.user).exclude(type__in=APPLICATION_TYPES),
            "credits": member_payments(request.user).filter(
                type__in=APPLICATION_TYPES, status=PaymentStatus.SUCCEEDED
            ),
            "refunds": member_refunds(request.user),
        },
    )


@member_required
def balance(request):
    return render_portal(
        request,
        "portal/balance.html",
        {
            "customers": list(member_customers(request.user)),
            "transactions": member_ledger(request.user),
        },
    )


def document_label(document) -> str:
    """ "Invoice INV-2026-00012": how a receipt names what was paid (never an internal id)."""
    if document is None:
        return ""
    kind = getattr(document, "is_advance", None)
    name = "Credit note" if kind is None else "Advance invoice" if kind else "Invoice"
    return f"{name} {document.number}"


@member_required
def payment_receipt(request, payment_id):
    payment = member_receipt(request.user, payment_id)
    document = payment.invoice or payment.advance_invoice or payment.credit_note
    due = payment.invoice.total_due if payment.invoice else None
    return render_portal(
        request,
        "portal/receipt_payment.html",
        {
            "payment": payment,
            "document": document,
            "document_label": document_label(document),
            # A receipt never shows a negative amount due: more than due reads as such.
            "still_due": None if due is None else max(due, ZERO),
            "paid_beyond_due": None if due is None else max(-due, ZERO),
            "refunds": payment.refunds.filter(status=RefundStatus.SUCCEEDED),
        },
    )


@member_required
def refund_receipt(request, refund_id):
    refund = get_object_or_404(
        member_refunds(request.user), pk=refund_id, status=RefundStatus.SUCCEEDED
    )
    payment = refund.payment
    return render_portal(
        request,
        "portal/receipt_refund.html",
        {
            "refund": refund,
            "payment": payment,
            "document_label": document_label(payment.invoice or payment.advance_invoice),
        },
    )
