"""Sending the member to the page that collects a new card (Stripe Checkout in setup mode,
or the sandbox page), and knowing them again when they come back.

Both the cards page (add a card) and paying with a new card start here; the cards page
finishes (`cards.finish_new_card`) and goes on with the payment the member started.
"""

import secrets

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from payments.gateways import GatewayDeclined, GatewayTransientError, get_gateway
from payments.services.saved_methods import customer_ensure_gateway
from portal.selectors import member_customers
from portal.views.common import CARD_SETUP, PENDING_PAY, new_card_gateway, portal_actor


def start_card_setup(request, customer):
    """Send the member to the page that collects a new card for `customer`."""
    gateway_name = new_card_gateway()
    gateway = get_gateway(gateway_name)
    try:
        customer_reference = customer_ensure_gateway(
            customer=customer, actor=portal_actor(request), gateway_name=gateway_name
        )
        setup = gateway.start_card_setup(
            customer_reference=customer_reference,
            success_url=request.build_absolute_uri(reverse("portal:card-added"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("portal:cards")),
            metadata={"settle_customer_id": customer.pk},
            idempotency_key=f"settle_setup_{customer.pk}_{secrets.token_urlsafe(12)}",
        )
    except (GatewayTransientError, GatewayDeclined) as error:
        request.session.pop(PENDING_PAY, None)
        messages.error(request, f"We could not reach the card page: {error}. Please try again.")
        return redirect("portal:cards")
    request.session[CARD_SETUP] = {
        "reference": setup.reference,
        "customer_id": customer.pk,
        "gateway": gateway_name,
    }
    return redirect(setup.url)


def pending_setup(request, reference: str) -> dict | None:
    """The card setup in the member's session that `reference` names, if still one of theirs."""
    setup = request.session.get(CARD_SETUP) or {}
    if setup.get("reference") != reference:
        return None
    if not member_customers(request.user).filter(pk=setup.get("customer_id")).exists():
        return None
    return setup
