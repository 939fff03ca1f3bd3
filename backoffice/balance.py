"""Adjust balance: add or deduct a customer's money balance by hand, with an internal note."""

from decimal import Decimal

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.display import money
from backoffice.flows import OneTimeForm, Outcome, run_once
from backoffice.previews import form_preview, wants_preview
from billing.actors import Actor
from billing.models import Customer
from billing.services import balance_adjust
from config.money_input import MoneyField

ADJUST_PERMISSION = "billing.adjust_balance"


class BalanceAdjustForm(OneTimeForm):
    direction = forms.ChoiceField(
        choices=[("add", "Add credit"), ("deduct", "Deduct credit")],
        widget=forms.RadioSelect,
        initial="add",
    )
    amount = MoneyField()
    note = forms.CharField(
        label="Internal note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the balance changes. Kept in the ledger and the audit trail; "
        "the customer does not see it.",
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("Enter an amount greater than zero.")
        return amount

    def signed_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "add" else -amount


def balance_adjust_view(model_admin, request, object_id):
    """GET shows the form; Preview runs it rolled back; the final POST calls `balance_adjust`
    once per form token."""
    customer = model_admin.get_object(request, unquote(object_id))
    if customer is None:
        raise Http404("No such customer.")
    if not request.user.has_perm(ADJUST_PERMISSION):
        raise PermissionDenied
    profile_url = reverse("admin:billing_customer_change", args=[quote(customer.pk)])
    form = BalanceAdjustForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():

        def adjust() -> Outcome:
            balance_adjust(
                customer=customer,
                amount=form.signed_amount(),
                reason=form.cleaned_data["note"],
                actor=Actor.admin(request.user),
            )
            verb = "Added" if form.cleaned_data["direction"] == "add" else "Deducted"
            return Outcome(
                url=profile_url,
                message=f"{verb} {money(form.cleaned_data['amount'], customer.currency)}: "
                f"{customer.name}'s money balance is now "
                f"{money(customer.balance, customer.currency)}.",
            )

        if wants_preview(request):
            preview = form_preview(
                form,
                adjust,
                named=[customer.pk],
                currency=customer.currency,
                params={"reason": "note"},
                refresh=[customer],
            )
        else:
            response = run_once(
                request,
                form,
                purpose=f"balance.adjust {customer.pk}",
                action=adjust,
                back_url=profile_url,
                params={"reason": "note"},
            )
            if response is not None:
                return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "original": customer,
        "customer": customer,
        "title": f"Adjust balance · {customer.name}",
        "form": form,
        "profile_url": profile_url,
        "preview": preview,
    }
    return TemplateResponse(request, "admin/settle/balance_adjust.html", context)
