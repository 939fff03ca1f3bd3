"""Paying an invoice: with a saved card, or a new one (collected by Stripe or the sandbox page),
through `payment_charge`, the same door as the admin and the API.

A charge that needs authentication sends the member to the bank's page; on
return we ask the gateway and settle, while the webhook may settle it first:
either way `payment_settle_charge` records it once.
"""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import once
from billing.errors import SettleError
from billing.formats import format_money
from billing.models import Submission
from payments.models import PaymentStatus, SavedPaymentMethod
from payments.services import payment_charge
from payments.services.authentication import (
    payment_authentication_cancel,
    payment_authentication_return,
    payment_authentication_start,
)
from portal.forms import NEW_CARD, PayForm, new_form_token
from portal.selectors import member_cards, member_invoice, member_payment, member_payments
from portal.views.card_setup import start_card_setup
from portal.views.common import (
    PENDING_PAY,
    document_kwargs,
    member_required,
    portal_actor,
    render_portal,
)
from portal.views.documents import invoice_context


def return_url(request) -> str:
    return request.build_absolute_uri(reverse("portal:payment-return"))


def payment_invoice_url(payment) -> str:
    return reverse("portal:invoice", args=[payment.invoice_id or payment.advance_invoice_id])


def respond_to_payment(request, payment, *, authenticate: bool = True):
    """Tell the member what happened, or send them to authenticate."""
    if payment.status == PaymentStatus.REQUIRES_ACTION and authenticate:
        payment = payment_authentication_start(
            payment=payment, actor=portal_actor(request), return_url=return_url(request)
        )
        if payment.status == PaymentStatus.REQUIRES_ACTION and payment.next_action_url:
            return redirect(payment.next_action_url)
    amount = format_money(payment.amount, payment.currency)
    if payment.status == PaymentStatus.SUCCEEDED:
        messages.success(request, f"Thank you: your payment of {amount} was received.")
    elif payment.status == PaymentStatus.FAILED:
        reason = payment.failure_message or "The card was declined."
        messages.error(request, f"The payment of {amount} did not go through. {reason}")
    elif payment.status == PaymentStatus.REQUIRES_ACTION:
        messages.warning(request, f"Your bank still needs you to confirm the payment of {amount}.")
    elif payment.status == PaymentStatus.CANCELED:
        messages.info(request, f"The payment of {amount} was canceled; nothing was charged.")
    else:
        messages.info(
            request,
            f"Your bank has not confirmed the payment of {amount} yet; "
            "this page shows it as soon as it does.",
        )
    return redirect(payment_invoice_url(payment))


def charge_saved_card(request, *, invoice, card, amount: Decimal, submission, form=None):
    """Charge `card` for `amount` on `invoice`; a refusal before any charge is a form error."""
    try:
        payment = payment_charge(
            entity=invoice.entity,
            actor=portal_actor(request),
            payment_method_id=card.pk,
            amount=amount,
            return_url=return_url(request),
            **document_kwargs(invoice),
        )
    except SettleError as error:
        once.release(submission)
        invoice.refresh_from_db()
        if form is not None and error.param == "amount":
            data = form.data.copy()
            data["form_token"] = new_form_token()  # the refused one was released; a fresh one
            form = PayForm(
                data,
                invoice=invoice,
                cards=list(member_cards(request.user).filter(customer_id=invoice.customer_id)),
            )
            form.is_valid()
            form.add_error("amount", error.message)
            return render_portal(
                request, "portal/invoice.html", invoice_context(request, invoice, form), status=400
            )
        messages.error(request, error.message)
        return redirect("portal:invoice", invoice.pk)
    once.complete(submission, result={"payment_id": payment.pk})
    return respond_to_payment(request, payment)


@member_required
@require_POST
def invoice_pay(request, invoice_id):
    invoice = member_invoice(request.user, invoice_id)
    cards = list(member_cards(request.user).filter(customer_id=invoice.customer_id))
    form = PayForm(request.POST, invoice=invoice, cards=cards)
    if not form.is_valid():
        return render_portal(
            request, "portal/invoice.html", invoice_context(request, invoice, form), status=400
        )
    token = form.cleaned_data["form_token"]
    claim = once.claim(door=Submission.Door.PORTAL, owner=request.user.pk, key=token)
    if not claim.ours:
        if claim.replay is not None:
            payment = member_payment(request.user, claim.replay["payment_id"])
            return respond_to_payment(request, payment, authenticate=False)
        messages.info(
            request,
            "This payment was already submitted and is still being processed; it was not sent "
            "again. Reload the page in a moment to see the result.",
        )
        return redirect("portal:invoice", invoice.pk)
    amount, method = form.cleaned_data["amount"], form.cleaned_data["method"]
    if method == NEW_CARD:
        request.session[PENDING_PAY] = {
            "invoice_id": invoice.pk,
            "amount": str(amount),
            "currency": invoice.currency,
            "number": invoice.number,
            "form_token": token,
        }
        return start_card_setup(request, invoice.customer)
    card = next(card for card in cards if card.pk == method)
    return charge_saved_card(
        request, invoice=invoice, card=card, amount=amount, submission=claim.submission, form=form
    )


def continue_pending_pay(request, card: SavedPaymentMethod):
    """After a new card is saved: pay what the member asked for before leaving, once."""
    pending = request.session.pop(PENDING_PAY, None)
    if not pending:
        messages.success(request, f"{card.label} was added to your cards.")
        return redirect("portal:cards")
    invoice = member_invoice(request.user, pending["invoice_id"])
    submission = once.resume(
        door=Submission.Door.PORTAL, owner=request.user.pk, key=pending.get("form_token", "")
    )
    if invoice.customer_id != card.customer_id or submission is None:
        return redirect("portal:invoice", invoice.pk)
    return charge_saved_card(
        request,
        invoice=invoice,
        card=card,
        amount=Decimal(pending["amount"]),
        submission=submission,
    )


@member_required
def payment_return(request):
    """Back from the bank's authentication page (Stripe appends `payment_intent`)."""
    reference = request.GET.get("payment_intent", "")
    if reference:
        payment = get_object_or_404(member_payments(request.user), gateway_reference=reference)
    else:
        payment = member_payment(request.user, request.GET.get("payment", ""))
    payment = payment_authentication_return(payment=payment, actor=portal_actor(request))
    return respond_to_payment(request, payment, authenticate=False)


@member_required
@require_POST
def payment_authenticate(request, payment_id):
    payment = member_payment(request.user, payment_id)
    try:
        return respond_to_payment(request, payment)
    except SettleError as error:
        messages.error(request, error.message)
        return redirect(payment_invoice_url(payment))


@member_required
@require_POST
def payment_cancel(request, payment_id):
    payment = member_payment(request.user, payment_id, status=PaymentStatus.REQUIRES_ACTION)
    payment = payment_authentication_cancel(payment=payment, actor=portal_actor(request))
    return respond_to_payment(request, payment, authenticate=False)
