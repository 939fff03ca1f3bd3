"""What a member may see: only the documents, payments and cards of their own customers.

Every portal view reads through these, so another customer's row is simply
not found (404), never forbidden-but-confirmed.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from billing.models import BalanceTransaction, Customer
from invoices.models import CreditNote, Invoice, InvoiceStatus
from payments.models import Payment, PaymentStatus, Refund, SavedPaymentMethod


def member_customers(user) -> QuerySet[Customer]:
    return Customer.objects.filter(user=user).select_related("entity").order_by("created_at")


def member_invoices(user) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(customer__user=user)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("customer", "entity")
        .order_by("-date", "-created_at")
    )


def member_invoice(user, invoice_id: str) -> Invoice:
    return get_object_or_404(member_invoices(user), pk=invoice_id)


def member_credit_notes(user) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(customer__user=user)
        .select_related("customer", "entity", "invoice")
        .order_by("-date", "-created_at")
    )


def member_payments(user) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(customer__user=user, is_deleted=False)
        .select_related("invoice", "advance_invoice", "credit_note", "saved_payment_method")
        .order_by("-created_at", "-id")
    )


def member_payment(user, payment_id: str, **filters) -> Payment:
    return get_object_or_404(member_payments(user), pk=payment_id, **filters)


def member_receipt(user, payment_id: str) -> Payment:
    return member_payment(user, payment_id, status=PaymentStatus.SUCCEEDED)


def member_refunds(user) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(payment__customer__user=user, payment__is_deleted=False)
        .select_related("payment", "payment__invoice", "payment__advance_invoice")
        .order_by("-created_at", "-id")
    )


def member_cards(user) -> QuerySet[SavedPaymentMethod]:
    return SavedPaymentMethod.objects.filter(
        customer__user=user, detached_at__isnull=True
    ).select_related("customer")


def member_card(user, method_id: str) -> SavedPaymentMethod:
    return get_object_or_404(member_cards(user), pk=method_id)


def member_balance_transactions(user) -> QuerySet[BalanceTransaction]:
    return BalanceTransaction.objects.filter(customer__user=user).order_by("-created_at", "-id")
