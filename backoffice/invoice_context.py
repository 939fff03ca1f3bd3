"""What the invoice page shows: figures, payments with their `…` menus, credit notes, history."""

from django.contrib.admin.utils import quote
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.http import urlencode

from backoffice.credit_apply import advance_source, open_credit_for
from backoffice.display import money
from backoffice.document_emails import document_emails
from backoffice.flow_base import (
    FlowPermissions,
    flow_url,
    invoice_payments,
    is_payable,
)
from backoffice.invoice_authoring import authoring_actions
from backoffice.labels import STATUS_LABELS, method_label, payment_state
from billing.models import AuditEvent
from invoices.models import Invoice, InvoiceStatus
from invoices.services.issuing import invoice_due_date, invoice_terms_days
from payments.emails import SENDABLE_STATUSES
from payments.explain import advance_explanation, invoice_explanation
from payments.models import (
    EXTERNAL_TYPES,
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundDestination,
)
from payments.reminders import REMINDED_STATUSES
from payments.services.refunding import refundable_amount

HISTORY_ROWS = 100
# Header buttons: the main action first, the destructive ones last.
ACTION_ORDER = {"primary": 0, "": 1, "danger": 2}
ACTION_LABELS = {
    "invoice.created": "Invoice drafted",
    "advance.created": "Advance invoice drafted",
    "invoice.updated": "Draft edited",
    "advance.updated": "Draft edited",
    "invoice.issued": "Issued",
    "invoice.voided": "Voided",
    "invoice.written_off": "Written off as uncollectible",
    "payment.recorded": "Payment recorded",
    "payment.updated": "Payment edited",
    "payment.deleted": "Payment deleted",
    "payment.charge_started": "Charge started",
    "payment.charge_succeeded": "Charge succeeded",
    "payment.charge_failed": "Charge declined",
    "payment.charge_requires_action": "Charge needs authentication",
    "payment.charge_canceled": "Charge canceled",
    "refund.created": "Refund created",
    "refund.succeeded": "Refund succeeded",
    "refund.failed": "Refund failed",
    "credit_note.issued": "Credit note issued",
}
MONEY_KEYS = {"amount", "amount_refunded", "total", "total_paid", "total_due"}


def refund_destination_label(refund: Refund, payment: Payment) -> str:
    if refund.destination == RefundDestination.CUSTOMER_BALANCE:
        return "to the money balance"
    if payment.is_gateway:
        return f"to {method_label(payment)}"
    if payment.type in EXTERNAL_TYPES:
        return "paid back outside the app"
    return f"back to {method_label(payment)}"


def payment_menu(model_admin, invoice: Invoice, payment: Payment, perms, refundable) -> list:
    """The `…` menu of one payment: only the actions that apply and the user may take."""
    if payment.is_deleted:
        return []
    ids = (invoice.pk, payment.pk)
    menu = []
    if perms.refund and payment.status == PaymentStatus.SUCCEEDED and refundable > 0:
        menu.append(("Refund", flow_url(model_admin, "payment_refund", *ids)))
    if perms.edit_payment:
        menu.append(("Edit reference, note, date", flow_url(model_admin, "payment_edit", *ids)))
    if perms.remove and payment.type in EXTERNAL_TYPES and not payment.is_gateway:
        menu.append(("Delete", flow_url(model_admin, "payment_delete", *ids)))
    if (
        perms.charge
        and payment.status == PaymentStatus.FAILED
        and payment.is_gateway
        and is_payable(invoice)
        and invoice.total_due > 0
        and not payment.retries.exists()
    ):
        menu.append(("Retry", flow_url(model_admin, "payment_retry", *ids)))
    if perms.charge and payment.status == PaymentStatus.REQUIRES_ACTION and payment.is_gateway:
        menu.append(("Cancel charge", flow_url(model_admin, "payment_cancel", *ids)))
    return menu


def payment_rows(model_admin, invoice: Invoice, perms: FlowPermissions) -> list[dict]:
    payments = (
        invoice_payments(invoice)
        .select_related("saved_payment_method", "credit_note", "advance_invoice", "invoice")
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at")))
        .order_by("is_deleted", "date", "created_at")
    )
    rows = []
    for payment in payments:
        refundable = (
            refundable_amount(payment)
            if payment.status == PaymentStatus.SUCCEEDED and not payment.is_deleted
            else 0
        )
        key, label = payment_state(payment)
        rows.append(
            {
                "payment": payment,
                "method": method_label(payment),
                "state_key": key,
                "state_label": label,
                "refundable": refundable,
                "refunds": [
                    {"refund": refund, "destination": refund_destination_label(refund, payment)}
                    for refund in payment.refunds.all()
                ],
                "menu": payment_menu(model_admin, invoice, payment, perms, refundable),
                "receipt_url": (
                    flow_url(model_admin, "payment_receipt_pdf", invoice.pk, payment.pk)
                    if payment.status == PaymentStatus.SUCCEEDED and not payment.is_deleted
                    else ""
                ),
                "is_applied_balance": payment.type == PaymentType.CUSTOMER_BALANCE,
            }
        )
    return rows


def credit_note_rows(invoice: Invoice) -> list[dict]:
    rows = []
    for credit_note in invoice.credit_notes.prefetch_related("payments").order_by("date", "number"):
        parts = []
        for payment in credit_note.payments.all():
            if payment.is_deleted or payment.status != PaymentStatus.SUCCEEDED:
                continue
            if payment.type == PaymentType.CREDIT_NOTE:
                where = "applied to the invoice"
            elif payment.type == PaymentType.CUSTOMER_BALANCE:
                where = "to the money balance"
            else:
                where = f"paid out outside the app ({payment.get_type_display().lower()})"
            parts.append(f"{money(payment.net_amount, payment.currency)} {where}")
        rows.append({"credit_note": credit_note, "allocations": parts})
    return rows


TEXT_KEYS = {"status", "type", "destination"}


def _show(key: str, value, currency: str) -> str:
    if value in (None, ""):
        return "—"
    if key in MONEY_KEYS:
        try:
            return money(value, currency)
        except (ArithmeticError, ValueError, TypeError):
            return str(value)
    text = str(value)
    return text.replace("_", " ") if key in TEXT_KEYS else text


def describe_change(event: AuditEvent, currency: str) -> str:
    """A short "what changed": the fields that differ, or the key facts of a new row."""
    before, after = event.before or {}, event.after or {}
    if before:
        changed = [key for key in before if key in after and before[key] != after[key]]
        parts = [
            f"{key.replace('_', ' ')}: {_show(key, before[key], currency)} → "
            f"{_show(key, after[key], currency)}"
            for key in changed[:5]
        ]
        if after.get("number") and "number" not in before:
            parts.append(f"number {after['number']}")
        return "; ".join(parts)
    shown = [
        key
        for key in ("amount", "type", "status", "number", "total")
        if after.get(key) not in (None, "")
    ]
    return "; ".join(f"{key}: {_show(key, after[key], currency)}" for key in shown)


def history_rows(invoice: Invoice) -> list[dict]:
    events = AuditEvent.objects.filter(invoice_id=invoice.pk).order_by("-created_at", "-id")
    return [
        {
            "event": event,
            "what": ACTION_LABELS.get(event.action, event.action.replace(".", " · ")),
            "change": describe_change(event, invoice.currency),
        }
        for event in events[:HISTORY_ROWS]
    ]


def invoice_actions(model_admin, invoice: Invoice, perms: FlowPermissions) -> list[tuple]:
    """Header buttons: (label, url, style). Moving an overpayment has its own banner."""
    actions = []
    status = invoice.status
    if perms.issue and status == InvoiceStatus.DRAFT:
        actions.append(("Issue invoice", flow_url(model_admin, "issue", invoice.pk), "primary"))
    if perms.issue and status in SENDABLE_STATUSES:
        actions.append(("Send by e-mail", flow_url(model_admin, "send", invoice.pk), ""))
    if perms.write_off and status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
        actions.append(
            ("Write off as uncollectible", flow_url(model_admin, "write_off", invoice.pk), "")
        )
    if perms.record and invoice.is_advance and advance_source(invoice).available > 0:
        actions.append(("Apply to an invoice", flow_url(model_admin, "apply", invoice.pk), ""))
    if (
        perms.void
        and status in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED)
        and invoice.total_paid == 0
    ):
        actions.append(("Void invoice", flow_url(model_admin, "void", invoice.pk), "danger"))
    return actions


def invoice_emails_context(invoice: Invoice) -> dict:
    """The e-mails sent about the invoice (invoice, reminders, receipts, credit notes) and
    where its reminders stand."""
    customer = invoice.customer
    reminded = invoice.status in REMINDED_STATUSES and invoice.due_date is not None
    return {
        "emails": document_emails(invoice_id=invoice.pk),
        "reminders_apply": reminded and bool(invoice.entity.reminder_days),
        "reminder_days": invoice.entity.reminder_days,
        "reminders_sent": list(invoice.reminders.all()),
        "customer_reminders_paused": customer.reminders_paused,
    }


def credit_to_apply(invoice: Invoice, perms: FlowPermissions) -> list[dict]:
    """The customer's open credit notes and advances, each with its Apply flow preset to
    this invoice (the same flow as on the credit note's or the advance's own page)."""
    if not perms.record:
        return []
    rows = []
    for source in open_credit_for(invoice):
        url = f"{source.apply_url}?{urlencode({'invoice': invoice.pk})}"
        rows.append({"source": source, "apply_url": url})
    return rows


def draft_due_context(invoice: Invoice) -> dict:
    """A draft has no due date yet: the page shows the one issuing would give it."""
    if invoice.status != InvoiceStatus.DRAFT:
        return {}
    terms = None if invoice.due_date else invoice_terms_days(invoice)
    return {"due_at_issue": invoice_due_date(invoice), "due_terms_days": terms}


def invoice_refund_url(model_admin, invoice: Invoice, perms, rows: list[dict]) -> str:
    """Refund… is offered while some payment of money on the invoice can still give back."""
    refundable = any(
        row["refundable"] > 0
        and row["payment"].type in EXTERNAL_TYPES
        and not row["payment"].credit_note_id
        for row in rows
    )
    return (
        flow_url(model_admin, "invoice_refund", invoice.pk) if perms.refund and refundable else ""
    )


def invoice_page_context(model_admin, request, invoice: Invoice) -> dict:
    perms = FlowPermissions.of(request.user)
    lines = list(invoice.lines.all())
    payable = is_payable(invoice)
    can_create = payable and (perms.record or perms.charge)
    rows = payment_rows(model_admin, invoice, perms)
    return {
        "perms_flow": perms,
        "lines": lines,
        "payment_rows": rows,
        "invoice_refund_url": invoice_refund_url(model_admin, invoice, perms, rows),
        "credit_notes": credit_note_rows(invoice) if not invoice.is_advance else [],
        "applications": (
            Payment.objects.filter(advance_invoice=invoice, type=PaymentType.ADVANCE)
            .select_related("invoice")
            .order_by("date", "created_at")
            if invoice.is_advance
            else []
        ),
        "credit_to_apply": credit_to_apply(invoice, perms),
        "history": history_rows(invoice),
        "explanation": invoice_explanation(invoice) if not invoice.is_advance else None,
        "advance_explanation": advance_explanation(invoice) if invoice.is_advance else None,
        **invoice_emails_context(invoice),
        "actions": sorted(
            [
                *invoice_actions(model_admin, invoice, perms),
                *authoring_actions(model_admin, request, invoice),
            ],
            key=lambda action: ACTION_ORDER.get(action[2], 1),
        ),
        **draft_due_context(invoice),
        "has_discounts": any(line.discount_percent for line in lines),
        # Reading, not a money action: every viewer may download it.
        "pdf_url": flow_url(model_admin, "pdf", invoice.pk),
        "create_url": flow_url(model_admin, "payment_create", invoice.pk) if can_create else "",
        "credit_note_url": (
            flow_url(model_admin, "credit_note_create", invoice.pk)
            if perms.credit and payable and not invoice.is_advance
            else ""
        ),
        "display_status": invoice.display_status,
        "badge_status": invoice.badge_status,
        "status_label": STATUS_LABELS.get(invoice.badge_status, invoice.badge_status),
        "customer_url": reverse("admin:billing_customer_change", args=[quote(invoice.customer_id)]),
    }
