"""Shared by the portal's views: who is acting, the sandbox flag, rendering."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from billing.actors import Actor
from billing.models import AuditEvent
from invoices.models import InvoiceStatus
from portal.selectors import member_customers

member_required = login_required(login_url="portal:login")

# An invoice the member can pay online (a written-off invoice may still be paid).
PAYABLE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
# Session keys: a pay-with-a-new-card waiting for the card, and the card setup in progress.
PENDING_PAY = "portal_pending_pay"
CARD_SETUP = "portal_card_setup"


def portal_actor(request) -> Actor:
    return Actor(source=AuditEvent.Source.PORTAL, user=request.user)


def new_card_gateway() -> str:
    """New cards are collected by Stripe with keys configured, by the sandbox page without."""
    return settings.SETTLE_DEFAULT_GATEWAY


def sandbox_mode() -> bool:
    return new_card_gateway() == "sandbox"


def render_portal(request, template: str, context: dict | None = None, status: int = 200):
    base = {
        "member_customers": list(member_customers(request.user))
        if request.user.is_authenticated
        else [],
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def document_kwargs(invoice) -> dict:
    field = "advance_invoice_id" if invoice.is_advance else "invoice_id"
    return {field: invoice.pk}
