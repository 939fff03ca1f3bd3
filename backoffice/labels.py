"""Words the back office uses: document states, payment methods and states, refund destinations."""

from invoices.models import InvoiceStatus
from payments.models import EXTERNAL_TYPES, Payment, PaymentStatus, PaymentType

# Invoice states, with those the figures imply (`Invoice.badge_status`).
STATUS_LABELS = {
    **dict(InvoiceStatus.choices),
    "overdue": "Overdue",
    "overpaid": "Overpaid",
    "partially_credited": "Partially credited",
    "credited": "Credited",
}

EXTERNAL_TYPE_LABELS = {
    PaymentType.BANK_TRANSFER: "Bank transfer",
    PaymentType.CASH: "Cash",
    PaymentType.CHECK: "Check",
    PaymentType.CARD: "Card terminal",
    PaymentType.PAYPAL: "PayPal",
    PaymentType.OTHER: "Other",
}
GATEWAY_LABELS = {"sandbox": "Sandbox", "stripe": "Stripe"}


def method_label(payment: Payment) -> str:
    """ "Visa •••• 4242", "External · Bank transfer", "Applied balance", "Credit note CN-…"."""
    if payment.saved_payment_method_id:
        return payment.saved_payment_method.label
    if payment.is_gateway:
        return f"Card · {GATEWAY_LABELS.get(payment.gateway, payment.gateway)}"
    if payment.type == PaymentType.CUSTOMER_BALANCE:
        return "Applied balance" if payment.invoice_id else "Credited to money balance"
    if payment.type == PaymentType.CREDIT_NOTE:
        return f"Credit note {payment.credit_note.number}"
    if payment.type == PaymentType.ADVANCE:
        return f"Advance {payment.advance_invoice.number}"
    if payment.type in EXTERNAL_TYPES:
        return f"External · {EXTERNAL_TYPE_LABELS.get(payment.type, payment.get_type_display())}"
    return payment.get_type_display()


def payment_state(payment: Payment) -> tuple[str, str]:
    """(badge key, label): refunds and deletion shown the way a dashboard user expects."""
    if payment.is_deleted:
        return "deleted", "Deleted"
    if payment.status == PaymentStatus.SUCCEEDED:
        if payment.amount_refunded >= payment.amount:
            return "refunded", "Refunded"
        if payment.amount_refunded > 0:
            return "partially_refunded", "Partially refunded"
        return "succeeded", "Succeeded"
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return "requires_action", "Needs authentication"
    return payment.status, payment.get_status_display()


def gateway_label(payment: Payment) -> str:
    return GATEWAY_LABELS.get(payment.gateway, payment.gateway)
