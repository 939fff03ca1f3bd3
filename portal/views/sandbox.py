"""The sandbox's stand-ins for Stripe's pages, used only without Stripe keys: a card page
that accepts only Stripe's published test numbers, and a 3-D Secure page. Both say
"Sandbox" plainly; no real card can be entered and nothing sensitive is stored."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from billing.errors import SettleError
from payments.gateways import GatewayDeclined, get_gateway
from payments.gateways.sandbox import TEST_CARDS
from payments.models import PaymentStatus
from payments.services.authentication import payment_sandbox_authenticate
from portal.forms import SandboxCardForm
from portal.selectors import member_payments
from portal.views.card_setup import pending_setup
from portal.views.cards import finish_new_card
from portal.views.common import PENDING_PAY, member_required, portal_actor, render_portal
from portal.views.pay import payment_invoice_url, respond_to_payment

TEST_CARD_ROWS = [
    (number, brand, behaviour.replace("_", " "))
    for number, (_t, brand, behaviour) in TEST_CARDS.items()
]


@member_required
@require_http_methods(["GET", "POST"])
def sandbox_card(request, reference):
    setup = pending_setup(request, reference)
    if setup is None or setup.get("gateway") != "sandbox":
        raise Http404("No such card setup.")
    form = SandboxCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        month, year = form.cleaned_data["expiry"]
        try:
            card = get_gateway("sandbox").card_from_test_number(
                form.cleaned_data["number"], month, year
            )
        except GatewayDeclined as declined:
            form.add_error("number", declined.message)
        else:
            return finish_new_card(request, setup, card)
    pending = request.session.get(PENDING_PAY)
    return render_portal(
        request,
        "portal/sandbox_card.html",
        {"form": form, "test_cards": TEST_CARD_ROWS, "pending": pending},
        status=400 if form.errors else 200,
    )


@member_required
@require_http_methods(["GET", "POST"])
def sandbox_authenticate(request, reference):
    payment = get_object_or_404(
        member_payments(request.user), gateway="sandbox", gateway_reference=reference
    )
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            payment = payment_sandbox_authenticate(
                payment=payment, actor=portal_actor(request), approve=approve
            )
        except SettleError as error:
            messages.error(request, error.message)
            return redirect(payment_invoice_url(payment))
        return respond_to_payment(request, payment, authenticate=False)
    if payment.status != PaymentStatus.REQUIRES_ACTION:
        return respond_to_payment(request, payment, authenticate=False)
    return render_portal(request, "portal/sandbox_authenticate.html", {"payment": payment})
