"""Saved cards: list, add (Stripe Checkout in setup mode, or the sandbox page), remove, default.

Card numbers never reach Settle with Stripe keys: Stripe's hosted page
collects them and we keep the `pm_…` reference and display details only.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from billing.errors import SettleError
from payments.gateways import GatewayDeclined, GatewayTransientError, get_gateway
from payments.services.saved_methods import (
    saved_method_attach,
    saved_method_detach,
    saved_method_make_default,
)
from portal.selectors import member_card, member_cards, member_customers
from portal.views.card_setup import pending_setup, start_card_setup
from portal.views.common import (
    CARD_SETUP,
    PENDING_PAY,
    member_required,
    portal_actor,
    render_portal,
)
from portal.views.pay import continue_pending_pay


@member_required
def cards(request):
    return render_portal(
        request,
        "portal/cards.html",
        {"cards": member_cards(request.user), "customers": list(member_customers(request.user))},
    )


@member_required
@require_POST
def card_add(request):
    customers = member_customers(request.user)
    chosen = request.POST.get("customer")
    customer = get_object_or_404(customers, pk=chosen) if chosen else customers.first()
    if customer is None:
        messages.error(request, "Your sign-in is not linked to a customer account yet.")
        return redirect("portal:home")
    request.session.pop(PENDING_PAY, None)
    return start_card_setup(request, customer)


def finish_new_card(request, setup: dict, card):
    """Keep the new card, then go on with the payment the member started, if any."""
    customer = member_customers(request.user).get(pk=setup["customer_id"])
    method = saved_method_attach(
        customer=customer, actor=portal_actor(request), gateway_name=setup["gateway"], card=card
    )
    request.session.pop(CARD_SETUP, None)
    return continue_pending_pay(request, method)


@member_required
def card_added(request):
    """Stripe Checkout sends the member back here with `session_id`."""
    reference = request.GET.get("session_id", "")
    setup = pending_setup(request, reference)
    if setup is None:
        messages.error(request, "This card setup has expired; please add the card again.")
        return redirect("portal:cards")
    try:
        card = get_gateway(setup["gateway"]).finish_card_setup(reference)
    except (GatewayDeclined, GatewayTransientError) as error:
        messages.error(request, f"The card was not saved: {error}")
        return redirect("portal:cards")
    customer = member_customers(request.user).get(pk=setup["customer_id"])
    if card.customer_reference and card.customer_reference != customer.gateway_customer_id:
        messages.error(request, "This card belongs to another account.")
        return redirect("portal:cards")
    return finish_new_card(request, setup, card)


@member_required
@require_POST
def card_remove(request, method_id):
    method = member_card(request.user, method_id)
    try:
        saved_method_detach(method=method, actor=portal_actor(request))
    except (GatewayTransientError, SettleError) as error:
        messages.error(request, f"{method.label} could not be removed: {error}")
        return redirect("portal:cards")
    messages.success(request, f"{method.label} was removed.")
    return redirect("portal:cards")


@member_required
@require_POST
def card_make_default(request, method_id):
    method = member_card(request.user, method_id)
    saved_method_make_default(method=method, actor=portal_actor(request))
    messages.success(request, f"{method.label} is now your default card.")
    return redirect("portal:cards")
