"""The portal's forms. Amounts are checked here for a clear message next to the field, and
again by the service under the invoice's lock (the rule's one home)."""

import secrets
from datetime import date

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from billing.errors import SettleError
from billing.formats import format_money
from billing.money import check_amount
from config.money_input import MoneyField
from portal.tasks import send_password_reset

NEW_CARD = "new"


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class PayForm(forms.Form):
    amount = MoneyField(max_digits=15, decimal_places=2)
    method = forms.ChoiceField(widget=forms.RadioSelect)
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, invoice, cards, **kwargs):
        self.invoice = invoice
        self.available = invoice.total_payable
        super().__init__(*args, **kwargs)
        choices = [(card.pk, card.label) for card in cards]
        choices.append((NEW_CARD, "A new card"))
        self.fields["method"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("amount", max(self.available, 0))
            self.initial.setdefault("method", cards[0].pk if cards else NEW_CARD)
            self.initial.setdefault("form_token", new_form_token())

    def clean_amount(self):
        currency = self.invoice.currency
        try:
            amount = check_amount(self.cleaned_data["amount"], currency)
        except SettleError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if amount > self.available:
            raise forms.ValidationError(
                f"You can pay at most {format_money(max(self.available, 0), currency)}: "
                f"{format_money(amount, currency)} is more than what is due.",
                code="amount_exceeds_due",
            )
        return amount


class SandboxCardForm(forms.Form):
    """The sandbox's stand-in for Stripe's card page. Only Stripe's test numbers are accepted;
    the number is mapped to its test token and never stored."""

    number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
    )
    expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "12/34"}),
    )
    cvc = forms.CharField(
        label="CVC",
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_expiry(self):
        text = self.cleaned_data["expiry"].replace(" ", "")
        try:
            month, year = (int(part) for part in text.split("/"))
        except ValueError:
            raise forms.ValidationError("Use the MM/YY format, e.g. 12/34.") from None
        year = year + 2000 if year < 100 else year
        today = date.today()
        if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
            raise forms.ValidationError("This card has expired.")
        return month, year

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"]
        if not cvc.isdigit() or len(cvc) not in (3, 4):
            raise forms.ValidationError("The CVC is the 3 or 4 digits on the back of the card.")
        return cvc


class QueuedPasswordResetForm(PasswordResetForm):
    """Queues the reset e-mail for the worker instead of looking up and sending it here.

    The request does the same work for every address (validate, queue one task), so its
    timing tells nothing about which addresses have an account.
    """

    def save(self, *, request, use_https=False, domain_override=None, **_ignored):
        send_password_reset.enqueue(
            self.cleaned_data["email"], domain_override or request.get_host(), use_https
        )
