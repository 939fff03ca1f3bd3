"""What Settle tells a customer by e-mail, and when: invoices, reminders, credit notes,
receipts, refunds and the request to confirm a held card payment.

Each function gathers a document's figures and hands them to `billing.mail`, which writes
them in the customer's language and keeps the message in the document's history. The
figures are built inside that language (`context` is a function called under it), so
labels, money and dates read as the customer reads them.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.errors import InvalidState, ValidationError
from billing.formats import format_day, format_iban, format_money
from billing.mail import About, Attachment, customer_email_send, customer_recipients
from billing.models import SentEmail
from billing.money import ZERO
from invoices.issuer import document_issuer
from invoices.models import CreditNote, Invoice, InvoiceStatus
from payments.documents.pdf import document_pdf
from payments.models import Payment, Refund, RefundDestination

SENDABLE_STATUSES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.UNCOLLECTIBLE,
)


def portal_url(name: str, *args) -> str:
    return f"{settings.SETTLE_PUBLIC_URL.rstrip('/')}{reverse(name, args=args)}"


def bank_transfer_line(invoice: Invoice) -> str:
    """ "Bank transfer to IBAN …, BIC …, reference INV-…" from the issuer's details at issue."""
    issuer = document_issuer(invoice)
    if not issuer.get("iban"):
        return ""
    iban = format_iban(issuer["iban"])
    parts = [
        _("Bank transfer to %(holder)s, IBAN %(iban)s")
        % {
            "holder": issuer.get("legal_name") or issuer.get("name"),
            "iban": iban,
        }
    ]
    if issuer.get("bic"):
        parts.append(f"BIC {issuer['bic']}")
    parts.append(_("reference %(number)s") % {"number": invoice.number})
    return ", ".join(parts)


def invoice_figures(invoice: Invoice) -> list[tuple[str, str]]:
    currency = invoice.currency
    figures = [
        (_("Invoice") if not invoice.is_advance else _("Advance invoice"), invoice.number),
        (_("Date"), format_day(invoice.date)),
    ]
    if invoice.due_date:
        figures.append((_("Due date"), format_day(invoice.due_date)))
    figures.append((_("Total"), format_money(invoice.total, currency)))
    money_in = invoice.total_paid - invoice.total_credited
    if invoice.total_credited > 0:
        figures.append((_("Credited"), format_money(invoice.total_credited, currency)))
    if money_in > 0:
        figures.append((_("Paid so far"), format_money(money_in, currency)))
    figures.append((_("Amount due"), format_money(max(invoice.total_due, ZERO), currency)))
    return figures


def _pdf(document) -> tuple[Attachment, ...]:
    filename, content = document_pdf(document)
    return (Attachment(filename, content),)


def _require_recipient(customer) -> None:
    if not customer_recipients(customer):
        raise ValidationError(
            f"{customer.name} has no billing e-mail address; add one on the customer first.",
            code="customer_has_no_email",
            param="email",
        )


def invoice_send(*, invoice: Invoice, actor_label: str = "") -> SentEmail:
    """E-mail an issued invoice with its PDF and a link to pay it in the portal."""
    if invoice.status not in SENDABLE_STATUSES:
        raise InvalidState(
            "Only an issued invoice can be sent; issue the draft first.",
            code="invoice_not_issued",
        )
    _require_recipient(invoice.customer)

    def context():
        payable = invoice.total_due > 0
        return {
            "invoice": invoice,
            "figures": invoice_figures(invoice),
            "bank_line": bank_transfer_line(invoice) if payable else "",
            "action_url": portal_url("portal:invoice", invoice.pk) if payable else "",
            "action_label": _("Pay online"),
        }

    return customer_email_send(
        customer=invoice.customer,
        kind=SentEmail.Kind.INVOICE,
        template="invoice",
        context=context,
        about=About(invoice_id=invoice.pk),
        attachments=_pdf(invoice),
        actor_label=actor_label,
    )


def reminder_send(*, invoice: Invoice, days_overdue: int, retry_at=None) -> SentEmail | None:
    """E-mail a reminder of an overdue invoice (the schedule is `payments.reminders`)."""

    def context():
        return {
            "invoice": invoice,
            "days_overdue": days_overdue,
            "retry_at": retry_at,
            "figures": invoice_figures(invoice),
            "bank_line": bank_transfer_line(invoice),
            "action_url": portal_url("portal:invoice", invoice.pk),
            "action_label": _("Pay online"),
        }

    return customer_email_send(
        customer=invoice.customer,
        kind=SentEmail.Kind.REMINDER,
        template="reminder",
        context=context,
        about=About(invoice_id=invoice.pk),
        attachments=_pdf(invoice),
        actor_label="Reminder schedule",
    )


def credit_note_send(*, credit_note: CreditNote, actor_label: str = "") -> SentEmail:
    """E-mail a credit note with its PDF."""
    _require_recipient(credit_note.customer)

    def context():
        currency = credit_note.currency
        return {
            "credit_note": credit_note,
            "figures": [
                (_("Credit note"), credit_note.number),
                (_("Date"), format_day(credit_note.date)),
                (_("For invoice"), credit_note.invoice.number),
                (_("Amount"), format_money(credit_note.total, currency)),
            ],
            "action_url": portal_url("portal:home"),
            "action_label": _("Your account"),
        }

    return customer_email_send(
        customer=credit_note.customer,
        kind=SentEmail.Kind.CREDIT_NOTE,
        template="credit_note",
        context=context,
        about=About(invoice_id=credit_note.invoice_id, credit_note_id=credit_note.pk),
        attachments=_pdf(credit_note),
        actor_label=actor_label,
    )


def receipt_send(*, payment: Payment) -> SentEmail | None:
    """E-mail the receipt of a payment received, linking to the portal's receipt page."""
    document = payment.document

    def context():
        currency = payment.currency
        figures = [
            (_("Amount"), format_money(payment.amount, currency)),
            (_("Date"), format_day(payment.date)),
            (_("Method"), payment.method_label),
        ]
        if document is not None:
            figures.append((_("Document"), document.number))
        if payment.invoice is not None:
            due = payment.invoice.total_due
            still = format_money(max(due, ZERO), currency)
            if due < 0:
                still += " " + _("(paid %(amount)s more than due)") % {
                    "amount": format_money(-due, currency)
                }
            figures.append((_("Still due"), still))
        if payment.reference:
            figures.append((_("Reference"), payment.reference))
        return {
            "payment": payment,
            "document": document,
            "figures": figures,
            "action_url": portal_url("portal:payment-receipt", payment.pk),
            "action_label": _("Your receipt"),
        }

    return customer_email_send(
        customer=payment.customer,
        kind=SentEmail.Kind.RECEIPT,
        template="receipt",
        context=context,
        about=About(invoice_id=payment.invoice_id or "", payment_id=payment.pk),
        actor_label="Receipt",
    )


def refund_notice_send(*, refund: Refund) -> SentEmail | None:
    """E-mail that a refund went through, and where the money went."""
    payment = refund.payment

    def context():
        if refund.destination == RefundDestination.CUSTOMER_BALANCE:
            destination = _("It was added to your credit balance with us.")
        else:
            destination = _("It goes back to %(method)s.") % {"method": payment.method_label}
        figures = [
            (_("Refunded"), format_money(refund.amount, refund.currency)),
            (_("Of the payment of"), format_money(payment.amount, payment.currency)),
            (_("Paid on"), format_day(payment.date)),
        ]
        document = payment.document
        if document is not None:
            figures.append((_("Document"), document.number))
        return {
            "refund": refund,
            "destination": destination,
            "figures": figures,
            "action_url": portal_url("portal:refund-receipt", refund.pk),
            "action_label": _("Your refund receipt"),
        }

    return customer_email_send(
        customer=payment.customer,
        kind=SentEmail.Kind.REFUND,
        template="refund",
        context=context,
        about=About(
            invoice_id=payment.invoice_id or "", payment_id=payment.pk, refund_id=refund.pk
        ),
        actor_label="Refund",
    )


def authentication_request_send(*, payment: Payment, expires_at) -> SentEmail | None:
    """E-mail the card holder a link to confirm a charge their bank holds for 3-D Secure."""
    document = payment.invoice or payment.advance_invoice

    def context():
        return {
            "payment": payment,
            "document": document,
            "expires_at": expires_at,
            "action_url": portal_url("portal:invoice", document.pk),
            "action_label": _("Confirm the payment"),
        }

    return customer_email_send(
        customer=payment.customer,
        kind=SentEmail.Kind.AUTHENTICATION,
        template="authentication",
        context=context,
        about=About(invoice_id=payment.invoice_id or "", payment_id=payment.pk),
        actor_label="Card authentication",
    )
