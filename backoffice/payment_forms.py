"""Forms of the payment flows on an invoice page. They parse input; the services decide."""

from django import forms
from django.utils import timezone

from backoffice.flows import OneTimeForm
from backoffice.labels import EXTERNAL_TYPE_LABELS, GATEWAY_LABELS, method_label
from config.money_input import MoneyField
from payments.models import Payment, PaymentType, RefundDestination, SavedPaymentMethod

EXTERNAL = "external"


def amount_field(**kwargs) -> MoneyField:
    return MoneyField(**kwargs)


def positive(amount):
    if amount is not None and amount <= 0:
        raise forms.ValidationError("Enter an amount greater than zero.")
    return amount


def card_choice_label(method: SavedPaymentMethod) -> str:
    gateway = GATEWAY_LABELS.get(method.gateway, method.gateway)
    default = " · default" if method.is_default else ""
    return f"{method.label} · expires {method.exp_month:02d}/{method.exp_year} · {gateway}{default}"


# The two submit buttons of the Create form: each says what it does, and the server refuses
# a press that disagrees with the chosen method (the page without its script shows both).
RECORD, CHARGE = "record", "charge"
SUBMIT_LABELS = {RECORD: "Record payment", CHARGE: "Charge card"}


class PaymentCreateForm(OneTimeForm):
    """Create: the amount and how it is paid (a saved card to charge, or External).

    No card is chosen in advance: a card is charged only when someone picks it. External
    is chosen in advance only when it is the sole choice (nothing is charged by it).
    """

    amount = amount_field()
    method = forms.ChoiceField(
        label="Payment method",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how this payment is made."},
    )
    external_type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=list(EXTERNAL_TYPE_LABELS.items()),
        initial=PaymentType.BANK_TRANSFER,
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the money arrived.",
    )
    reference = forms.CharField(
        required=False,
        max_length=250,
        help_text="Bank transfer reference, check number, receipt number…",
    )
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    seen_due = forms.DecimalField(widget=forms.HiddenInput, max_digits=16)

    def __init__(self, *args, cards=(), allow_charge=True, allow_external=True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(card.pk, card_choice_label(card)) for card in cards] if allow_charge else []
        if allow_external:
            choices.append((EXTERNAL, "External — paid outside the app (cash, check, transfer…)"))
        self.fields["method"].choices = choices
        if len(choices) > 1:
            self.fields["method"].error_messages["required"] = (
                "Choose how this payment is made: a saved card to charge, or External for "
                "money received outside the app."
            )
        if not self.is_bound:
            if [value for value, _label in choices] == [EXTERNAL]:
                self.initial.setdefault("method", EXTERNAL)
            self.initial.setdefault("date", timezone.localdate())

    @property
    def pressed(self) -> str | None:
        """Which submit button sent the form (none for a form sent by a script)."""
        return next((name for name in (CHARGE, RECORD) if name in self.data), None)

    def clean_amount(self):
        return positive(self.cleaned_data["amount"])

    @property
    def is_external(self) -> bool:
        return self.cleaned_data.get("method") == EXTERNAL

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == EXTERNAL and not cleaned.get("external_type"):
            self.add_error("external_type", "Choose how the money arrived.")
        if method == EXTERNAL and self.pressed == CHARGE:
            self.add_error(
                "method",
                "External money is recorded, not charged: choose a saved card to charge, "
                "or press Record payment.",
            )
        elif method and method != EXTERNAL and self.pressed == RECORD:
            self.add_error(
                "method",
                "A saved card is charged, not recorded: press Charge card to charge it, "
                "or choose External for money received outside the app.",
            )
        return cleaned


def refund_destinations(payment: Payment) -> list[tuple[str, str]]:
    """Where a refund of this payment can go, in the words of the person refunding."""
    original = RefundDestination.ORIGINAL
    balance = (RefundDestination.CUSTOMER_BALANCE, "To the customer's money balance")
    if payment.type == PaymentType.CUSTOMER_BALANCE:
        return [(RefundDestination.CUSTOMER_BALANCE, "Back to the customer's money balance")]
    if payment.type in (PaymentType.CREDIT_NOTE, PaymentType.ADVANCE):
        return [(original, f"Back to {method_label(payment)}")]
    if payment.is_gateway:
        gateway = GATEWAY_LABELS.get(payment.gateway, payment.gateway)
        return [
            (original, f"Back to the card: {method_label(payment)} (through {gateway})"),
            balance,
        ]
    kind = EXTERNAL_TYPE_LABELS.get(payment.type, payment.get_type_display()).lower()
    return [(original, f"Paid back outside the app ({kind})"), balance]


class RefundForm(OneTimeForm):
    amount = amount_field(help_text="At most what is still refundable.")
    destination = forms.ChoiceField(widget=forms.RadioSelect)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, payment: Payment, **kwargs):
        super().__init__(*args, **kwargs)
        choices = refund_destinations(payment)
        self.fields["destination"].choices = choices
        self.initial.setdefault("destination", choices[0][0])

    def clean_amount(self):
        return positive(self.cleaned_data["amount"])


class PaymentEditForm(OneTimeForm):
    """The descriptive fields of a payment; its amount and documents never change here."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(required=False, max_length=250)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def changes(self, payment: Payment) -> dict:
        new = {
            "date": self.cleaned_data["date"],
            "reference": self.cleaned_data["reference"] or None,
            "note": self.cleaned_data["note"] or None,
        }
        return {field: value for field, value in new.items() if getattr(payment, field) != value}


class ReasonForm(OneTimeForm):
    """Confirm an action that needs a reason (delete a payment, void, write off)."""

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(OneTimeForm):
    """Confirm an action with nothing to fill in (beyond the token)."""


class RetryForm(OneTimeForm):
    method = forms.ChoiceField(label="Card to charge", widget=forms.RadioSelect)

    def __init__(self, *args, cards=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(card.pk, card_choice_label(card)) for card in cards]
        if current is not None:
            self.initial.setdefault("method", current)


class MoveExcessForm(OneTimeForm):
    amount = amount_field(help_text="At most the overpaid amount.")

    def clean_amount(self):
        return positive(self.cleaned_data["amount"])


class IssueForm(OneTimeForm):
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="From the payment terms; change it for this invoice if needed "
        "(blank: from the terms).",
    )
    apply_balance = forms.BooleanField(
        required=False,
        initial=True,
        label="Apply the customer's money balance to this invoice",
    )
    send_email = forms.BooleanField(
        required=False,
        label="E-mail the invoice to the customer once issued",
    )
