"""The credit note form: what is credited (per line, or a fixed amount) and where it goes."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Sum
from django.utils import timezone

from backoffice.display import money
from backoffice.flows import OneTimeForm
from backoffice.labels import EXTERNAL_TYPE_LABELS, method_label
from backoffice.payment_forms import amount_field, positive
from billing.money import ZERO
from invoices.lines import document_totals, price_line
from invoices.models import CreditNoteLine, Invoice, InvoiceLine
from payments.models import EXTERNAL_TYPES, Payment, PaymentStatus, PaymentType
from payments.services.refunding import refundable_amount


@dataclass
class CreditableLine:
    line: InvoiceLine
    credited_quantity: Decimal
    credited_amount: Decimal

    @property
    def quantity_left(self) -> Decimal:
        return self.line.quantity - self.credited_quantity

    @property
    def amount_left(self) -> Decimal:
        return self.line.amount - self.credited_amount


def creditable_lines(invoice: Invoice) -> list[CreditableLine]:
    """The invoice's lines with what earlier credit notes already took from each."""
    credited = {
        row["invoice_line_id"]: row
        for row in CreditNoteLine.objects.filter(invoice_line__invoice=invoice)
        .values("invoice_line_id")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    }
    return [
        CreditableLine(
            line,
            credited.get(line.pk, {}).get("quantity") or ZERO,
            credited.get(line.pk, {}).get("amount") or ZERO,
        )
        for line in invoice.lines.all()
    ]


def refundable_payments(invoice: Invoice) -> list[tuple[Payment, Decimal]]:
    """Money payments on the invoice that a credit can be refunded from."""
    payments = Payment.objects.filter(
        invoice=invoice,
        status=PaymentStatus.SUCCEEDED,
        is_deleted=False,
        type__in=EXTERNAL_TYPES,
    ).select_related("saved_payment_method")
    found = [(payment, refundable_amount(payment)) for payment in payments]
    return [(payment, left) for payment, left in found if left > 0]


class CreditNoteForm(OneTimeForm):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Printed on the credit note.",
    )
    date = forms.DateField(
        label="Effective date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fixed_amount = amount_field(required=False, label="Or credit a fixed amount (no tax)")
    to_invoice = amount_field(required=False, label="Take off this invoice's amount due")
    to_balance = amount_field(required=False, label="Credit the customer's money balance")
    refund_payment = forms.ChoiceField(required=False, label="Refund to")
    refund_amount = amount_field(required=False, label="Refund amount")
    outside_type = forms.ChoiceField(
        required=False,
        label="Paid out outside the app by",
        choices=list(EXTERNAL_TYPE_LABELS.items()),
        initial=PaymentType.BANK_TRANSFER,
    )
    outside_amount = amount_field(required=False, label="Amount paid out")

    ALLOCATION_FIELDS = ("to_invoice", "to_balance", "refund_amount", "outside_amount")

    def __init__(self, *args, invoice: Invoice, lines, payments, allow_refund: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.creditable = lines
        self.allow_refund = allow_refund
        self.initial.setdefault("date", timezone.localdate())
        for item in lines:
            self.fields[f"line_{item.line.pk}_quantity"] = forms.DecimalField(
                required=False, max_digits=20, label=f"{item.line.name}: quantity"
            )
            self.fields[f"line_{item.line.pk}_amount"] = amount_field(
                required=False, label=f"{item.line.name}: amount"
            )
        self.fields["refund_payment"].choices = [("", "—")] + [
            (
                payment.pk,
                f"{method_label(payment)} · {money(payment.amount, payment.currency)} "
                f"(refundable {money(left, payment.currency)})",
            )
            for payment, left in payments
        ]
        if not allow_refund:
            del self.fields["refund_payment"], self.fields["refund_amount"]

    def line_rows(self):
        """(creditable line, quantity field, amount field) for the template's table."""
        return [
            (item, self[f"line_{item.line.pk}_quantity"], self[f"line_{item.line.pk}_amount"])
            for item in self.creditable
        ]

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if (name.endswith(("_amount", "_quantity")) or name in self.ALLOCATION_FIELDS) and (
                value is not None and value <= 0
            ):
                self.add_error(name, "Enter a number greater than zero.")
        requests = self.line_requests()
        if requests and cleaned.get("fixed_amount"):
            self.add_error("fixed_amount", "Credit either lines or a fixed amount, not both.")
        elif not requests and not cleaned.get("fixed_amount") and not self.errors:
            raise forms.ValidationError(
                "Enter a quantity or an amount on at least one line, or a fixed amount."
            )
        for item in self.creditable:
            quantity = cleaned.get(f"line_{item.line.pk}_quantity")
            if quantity is not None and cleaned.get(f"line_{item.line.pk}_amount") is not None:
                self.add_error(
                    f"line_{item.line.pk}_amount", "Give a quantity or an amount, not both."
                )
        if cleaned.get("refund_amount") and not cleaned.get("refund_payment"):
            self.add_error("refund_payment", "Choose the payment to refund.")
        return cleaned

    def clean_fixed_amount(self):
        return positive(self.cleaned_data["fixed_amount"])

    def line_requests(self) -> list[dict]:
        """The `lines` argument of `credit_note_issue`, in table order."""
        requests = []
        for item in self.creditable:
            quantity = self.cleaned_data.get(f"line_{item.line.pk}_quantity")
            amount = self.cleaned_data.get(f"line_{item.line.pk}_amount")
            if amount is not None:
                requests.append({"line_id": item.line.pk, "amount": amount})
            elif quantity is not None:
                requests.append({"line_id": item.line.pk, "quantity": quantity})
        return requests

    def preview_total(self) -> Decimal:
        """The credit's total, priced by the invoices' one pricing function (the service
        prices it again and checks that the parts add up)."""
        currency = self.invoice.currency
        if self.cleaned_data.get("fixed_amount"):
            return self.cleaned_data["fixed_amount"]
        lines = {item.line.pk: item.line for item in self.creditable}
        priced = []
        for index, request in enumerate(self.line_requests()):
            line = lines[request["line_id"]]
            by_amount = "amount" in request
            priced.append(
                price_line(
                    name=line.name,
                    quantity=1 if by_amount else request["quantity"],
                    unit_price=request["amount"] if by_amount else line.unit_price,
                    tax_rate=line.tax_rate,
                    discount_percent=0 if by_amount else line.discount_percent,
                    currency=currency,
                    param=f"lines[{index}]",
                )
            )
        return document_totals(priced)[2]

    def allocations(self) -> list[tuple[str, dict]]:
        """(form field, allocation) pairs for the parts the admin filled in."""
        data = self.cleaned_data
        parts = []
        if data.get("to_invoice"):
            parts.append(("to_invoice", {"type": "invoice", "amount": data["to_invoice"]}))
        if data.get("to_balance"):
            parts.append(("to_balance", {"type": "customer_balance", "amount": data["to_balance"]}))
        if data.get("refund_amount"):
            parts.append(
                (
                    "refund_amount",
                    {
                        "type": "refund",
                        "amount": data["refund_amount"],
                        "payment_id": data["refund_payment"],
                    },
                )
            )
        if data.get("outside_amount"):
            parts.append(
                (
                    "outside_amount",
                    {
                        "type": "outside",
                        "amount": data["outside_amount"],
                        "payment_type": data.get("outside_type") or PaymentType.OTHER,
                    },
                )
            )
        return parts

    def error_field(self, param: str, parts: list[tuple[str, dict]]) -> str | None:
        """The form field a service error's `param` is about."""
        if param in ("reason", "date"):
            return param
        if param == "amount":
            return "fixed_amount" if self.cleaned_data.get("fixed_amount") else None
        if param.startswith("lines["):
            index = int(param[6 : param.index("]")])
            requests = self.line_requests()
            if index < len(requests):
                request = requests[index]
                kind = "amount" if "amount" in request else "quantity"
                return f"line_{request['line_id']}_{kind}"
        if param.startswith("allocations["):
            index = int(param[12 : param.index("]")])
            if index < len(parts):
                return parts[index][0]
        return None
