"""The forms of a bank line on the review screen: confirm, split or choose, ignore, undo.

Each carries a one-time token (`OneTimeForm`), so a double click or a second press of a
key confirms a line once. Where the page goes next (`view`, `page`, `next`) rides along.
"""

import re

from django import forms

from backoffice.display import money
from backoffice.flows import OneTimeForm
from banking.selectors import invoice_id_for_number
from config.money_input import MoneyField

LINE_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")
SPLIT_ROWS_MIN = 2
SPLIT_ROWS_MAX = 6


class LineForm(OneTimeForm):
    """What every line form carries besides its token: the page to return to."""

    view = forms.ChoiceField(
        choices=[("statement", "statement"), ("queue", "queue")],
        required=False,
        widget=forms.HiddenInput,
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    next = forms.RegexField(regex=LINE_ID, required=False, widget=forms.HiddenInput)


class LineConfirmForm(LineForm):
    """Confirm the proposed suggestion(s) as they are."""


class LineReasonForm(LineForm):
    """Ignore or undo a line, saying why (kept in the audit trail)."""

    reason = forms.CharField(
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={"required": "Say why: the reason is kept in the audit trail."},
    )


def _invoice_choice(suggestion: dict, currency: str) -> tuple[str, str]:
    label = (
        f"{suggestion['invoice_number']} · {suggestion['customer_name']} · "
        f"{money(suggestion['due'], currency)} due"
    )
    return suggestion["invoice_id"], label


class LineSplitForm(LineForm):
    """Money in: rows of (invoice, amount), an invoice chosen among the suggestions or its
    number typed, and whether the rest goes to the customer's balance."""

    remainder_to_balance = forms.BooleanField(
        label="Send the rest to the customer's balance", required=False
    )

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        suggestions = [s for s in line.suggestions if s.get("kind") == "invoice"]
        choices = [("", "— choose —")] + [_invoice_choice(s, line.currency) for s in suggestions]
        self.row_count = min(max(SPLIT_ROWS_MIN, len(suggestions) + 1), SPLIT_ROWS_MAX)
        for index in range(self.row_count):
            self.fields[f"invoice_{index}"] = forms.ChoiceField(
                label="Invoice", choices=choices, required=False
            )
            self.fields[f"number_{index}"] = forms.CharField(
                label="or number",
                max_length=64,
                required=False,
                widget=forms.TextInput(attrs={"size": 16, "placeholder": "INV-…"}),
            )
            self.fields[f"amount_{index}"] = MoneyField(label="Amount", required=False)
        if not self.is_bound:
            proposed = [s for s in suggestions if s.get("proposed")] or suggestions[:1]
            for index, suggestion in enumerate(proposed[: self.row_count]):
                self.initial[f"invoice_{index}"] = suggestion["invoice_id"]
                self.initial[f"amount_{index}"] = suggestion["amount"]
            if proposed and any(s.get("excess") not in (None, "0", "0.00") for s in proposed):
                self.initial["remainder_to_balance"] = True

    @property
    def rows(self):
        return [
            (self[f"invoice_{i}"], self[f"number_{i}"], self[f"amount_{i}"])
            for i in range(self.row_count)
        ]

    def clean(self):
        cleaned = super().clean()
        allocations = []
        for index in range(self.row_count):
            chosen = cleaned.get(f"invoice_{index}") or ""
            typed = (cleaned.get(f"number_{index}") or "").strip()
            amount = cleaned.get(f"amount_{index}")
            if not (chosen or typed):
                if amount is not None:
                    self.add_error(f"invoice_{index}", "Choose the invoice this amount pays.")
                continue
            invoice_id = chosen
            if typed:
                invoice_id = invoice_id_for_number(self.line.entity_id, typed)
                if invoice_id is None:
                    self.add_error(f"number_{index}", f"No invoice numbered {typed}.")
                    continue
                if chosen and chosen != invoice_id:
                    self.add_error(
                        f"number_{index}", "Choose an invoice or type its number, not both."
                    )
                    continue
            if amount is None:
                self.add_error(f"amount_{index}", "How much of the line pays this invoice?")
                continue
            allocations.append({"invoice_id": invoice_id, "amount": amount})
        if not allocations and not self.errors:
            raise forms.ValidationError("Choose at least one invoice and its amount.")
        cleaned["allocations"] = allocations
        return cleaned


class LineRefundForm(LineForm):
    """Money out: the refund paid back outside the app that this line is."""

    refund = forms.ChoiceField(label="Refund", widget=forms.RadioSelect)

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        refunds = [s for s in line.suggestions if s.get("kind") == "refund"]
        self.fields["refund"].choices = [
            (
                s["refund_id"],
                f"{money(s['amount'], line.currency)} to {s['customer_name']}"
                + (f" · invoice {s['invoice_number']}" if s.get("invoice_number") else ""),
            )
            for s in refunds
        ]
        if refunds and not self.is_bound:
            self.initial["refund"] = refunds[0]["refund_id"]

    def allocations(self) -> list[dict]:
        return [{"refund_id": self.cleaned_data["refund"]}]
