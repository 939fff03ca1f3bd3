"""Refund… on the invoice page: an amount spread over the invoice's payments, previewed first.

The first submission shows the split (`invoice_refund_plan`, the same arithmetic the
service runs under its locks); only the Refund button of a preview of exactly these
values refunds, once per form token, through `invoice_refund`.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect

from backoffice.display import money
from backoffice.flow_base import admin_actor, get_invoice, invoice_url, render_flow, require
from backoffice.flows import OneTimeForm, Outcome, add_service_error, run_once
from backoffice.labels import method_label
from backoffice.payment_forms import amount_field, positive
from billing.errors import SettleError
from invoices.models import Invoice
from payments.models import Refund, RefundDestination, RefundStatus
from payments.services import invoice_refund, invoice_refund_plan
from payments.services.invoice_refunds import CARD_FIRST, NEWEST_FIRST

PREVIEW, REFUND = "preview", "refund"


class InvoiceRefundForm(OneTimeForm):
    amount = amount_field(
        required=False, help_text="Leave empty to refund everything the payments can refund."
    )
    order = forms.ChoiceField(
        label="Take it from",
        widget=forms.RadioSelect,
        choices=[
            (NEWEST_FIRST, "The newest payment first"),
            (CARD_FIRST, "Card payments first (back to the card), then the others"),
        ],
        initial=NEWEST_FIRST,
    )
    destination = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            (
                RefundDestination.ORIGINAL,
                "Back where it came from (cards through the gateway, the rest paid back outside)",
            ),
            (RefundDestination.CUSTOMER_BALANCE, "To the customer's money balance"),
        ],
        initial=RefundDestination.ORIGINAL,
    )
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # What the preview showed: the Refund button acts only on the values it was shown for.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_amount(self):
        return positive(self.cleaned_data["amount"])

    def choice(self) -> str:
        data = self.cleaned_data
        return f"{data['amount'] or ''}|{data['order']}|{data['destination']}"


def _split_rows(parts, destination: str) -> list[dict]:
    to_balance = destination == RefundDestination.CUSTOMER_BALANCE
    return [
        {
            "payment": part.payment,
            "method": method_label(part.payment),
            "amount": part.amount,
            "where": (
                "to the money balance"
                if to_balance
                else "back to the card"
                if part.through_gateway
                else "paid back outside the app"
            ),
        }
        for part in parts
    ]


def _outcome(back: str, refunds: list[Refund], invoice: Invoice) -> Outcome:
    currency = invoice.currency
    parts = ", ".join(
        f"{money(r.amount, currency)} from {method_label(r.payment)}"
        + ("" if r.status == RefundStatus.SUCCEEDED else f" ({r.get_status_display().lower()})")
        for r in refunds
    )
    total = money(sum(r.amount for r in refunds), currency)
    invoice.refresh_from_db()
    message = (
        f"Refunded {total} over {len(refunds)} payment{'s' if len(refunds) > 1 else ''}: "
        f"{parts}. Amount due is now {money(invoice.total_due, currency)}."
    )
    failed = [r for r in refunds if r.status == RefundStatus.FAILED]
    if failed:
        reasons = "; ".join(r.failure_message for r in failed if r.failure_message)
        return Outcome(back, f"{message} The gateway refused a refund: {reasons}", messages.ERROR)
    if any(r.status == RefundStatus.PENDING for r in refunds):
        return Outcome(
            back,
            f"{message} Card refunds pending at the gateway settle automatically.",
            messages.WARNING,
        )
    return Outcome(back, message)


def invoice_refund_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require(request, "payments.refund_payment")
    back = invoice_url(model_admin, invoice, "payments")
    form = InvoiceRefundForm(request.POST or None)
    split = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if REFUND in request.POST and data["previewed"] == form.choice():

            def refund() -> Outcome:
                refunds = invoice_refund(
                    invoice=invoice,
                    actor=admin_actor(request),
                    reason=data["reason"],
                    amount=data["amount"],
                    order=data["order"],
                    destination=data["destination"],
                )
                return _outcome(back, refunds, invoice)

            response = run_once(
                request, form, purpose=f"invoice.refund {invoice.pk}", action=refund, back_url=back
            )
            if response is not None:
                return response
        else:
            try:
                parts = invoice_refund_plan(
                    invoice=invoice, amount=data["amount"], order=data["order"]
                )
            except SettleError as error:
                add_service_error(form, error)
            else:
                split = _split_rows(parts, data["destination"])
                form.data = form.data.copy()
                form.data["previewed"] = form.choice()
    elif request.method == "GET" and not invoice_refund_plan_or_none(invoice):
        messages.info(request, "Nothing on this invoice can be refunded.")
        return redirect(back)
    return render_flow(
        model_admin,
        request,
        invoice,
        template="admin/settle/invoice_refund.html",
        title=f"Refund invoice · {invoice}",
        form=form,
        split=split,
        split_total=sum(row["amount"] for row in split) if split else None,
    )


def invoice_refund_plan_or_none(invoice: Invoice):
    """Everything the invoice's payments can refund now, or None when nothing is."""
    try:
        return invoice_refund_plan(invoice=invoice)
    except SettleError:
        return None
