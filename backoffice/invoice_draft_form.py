"""The form that drafts an invoice or advance invoice: customer, dates, terms, texts, lines.

It only parses what was typed; `invoice_create` and `invoice_update` price the lines and
decide. The lines are a formset: blank rows are ignored, so "Add line" (a plain submit
button, enhanced by admin.js) can add an empty row without losing what was typed.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone

from backoffice.flows import OneTimeForm
from backoffice.scoping import member_entity_ids
from billing.models import Customer
from config.money_input import DecimalInputField
from invoices.lines import MAX_LINES
from invoices.models import Invoice
from invoices.services.authoring import MAX_TERMS_DAYS, MAX_TEXT

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINE_FIELDS = ["name", "quantity", "unit_price", "tax_rate", "discount_percent"]
ADD_LINE = "add_line"


def customer_choices(user, current: Customer | None = None):
    """Customers the user may bill: in their entities, not archived (the draft's own stays)."""
    customers = Customer.objects.select_related("entity").order_by("name", "id")
    if not user.is_superuser:
        customers = customers.filter(entity__in=member_entity_ids(user))
    active = customers.filter(archived_at__isnull=True)
    if current is not None:
        return customers.filter(pk=current.pk) | active
    return active


class CustomerField(forms.ModelChoiceField):
    def label_from_instance(self, customer: Customer) -> str:
        return f"{customer.name} · {customer.currency} · {customer.entity.name}"


class DraftForm(OneTimeForm):
    customer = CustomerField(queryset=Customer.objects.none(), empty_label="Choose a customer")
    date = forms.DateField(label="Invoice date", widget=DATE_WIDGET)
    payment_terms_days = forms.IntegerField(
        label="Payment terms",
        required=False,
        min_value=0,
        max_value=MAX_TERMS_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Days after the invoice date. Blank: the customer's terms (else the entity's).",
    )
    due_date = forms.DateField(
        label="Or a due date",
        required=False,
        widget=DATE_WIDGET,
        help_text="A fixed due date replaces the terms.",
    )
    note = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Printed above the lines.",
    )
    footer = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Printed at the bottom of the invoice (payment details, thanks).",
    )

    def __init__(self, *args, user, invoice: Invoice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = invoice.customer if invoice is not None else None
        self.fields["customer"].queryset = customer_choices(user, current)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        date, due = cleaned.get("date"), cleaned.get("due_date")
        if date and due and due < date:
            self.add_error("due_date", "The due date cannot be before the invoice date.")
        return cleaned


class LineForm(forms.Form):
    """One line. Every field may be blank: a wholly blank row is simply not a line."""

    name = forms.CharField(label="Description", required=False, max_length=300)
    quantity = DecimalInputField(
        required=False,
        initial=Decimal("1"),
        max_digits=15,
        decimal_places=4,
        min_value=Decimal("0.0001"),
    )
    unit_price = DecimalInputField(
        label="Unit price", required=False, max_digits=17, decimal_places=4, min_value=0
    )
    tax_rate = DecimalInputField(
        label="Tax %", required=False, max_digits=6, decimal_places=3, min_value=0, max_value=100
    )
    discount_percent = DecimalInputField(
        label="Discount %",
        required=False,
        max_digits=6,
        decimal_places=3,
        min_value=0,
        max_value=100,
    )

    def is_blank(self) -> bool:
        """Nothing typed but perhaps the quantity (which starts at 1): not a line."""
        return not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("name", "unit_price", "tax_rate", "discount_percent")
        )

    def clean(self):
        cleaned = super().clean()
        if self.is_blank() or cleaned.get("DELETE"):
            return cleaned
        if not (cleaned.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", "Describe what is billed.")
        if cleaned.get("unit_price") is None and "unit_price" not in self.errors:
            self.add_error("unit_price", "Enter a unit price (0 for a free line).")
        return cleaned

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "quantity": data.get("quantity") or Decimal("1"),
            "price": data["unit_price"],
            "tax_rate": data.get("tax_rate") or Decimal("0"),
            "discount_percent": data.get("discount_percent") or Decimal("0"),
        }


class BaseLineFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[LineForm]:
        return [
            form
            for form in self.forms
            if not form.is_blank() and not (self.can_delete and self._should_delete_form(form))
        ]

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self._non_form_errors and not self.kept_forms():
            self._non_form_errors = self.error_class(
                ["Add at least one line: a description and a unit price."],
                renderer=self.renderer,
            )

    def items(self) -> list[dict]:
        return [form.item() for form in self.kept_forms()]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)
LINES_PREFIX = "lines"
EMPTY_ROW = {"quantity": "1"}


def line_formset(data=None, *, rows=None) -> BaseLineFormSet:
    """Bound to a submission, or showing `rows` (initial values; one empty row if none)."""
    if data is not None:
        return LineFormSet(data, prefix=LINES_PREFIX)
    return LineFormSet(initial=list(rows or [EMPTY_ROW]), prefix=LINES_PREFIX)


def with_one_more_line(data) -> tuple[dict, list[dict]]:
    """What was typed, kept as initial values, and the rows plus an empty one ("Add line")."""
    form_values = {key: data.get(key, "") for key in DraftForm.base_fields}
    total = min(int_or_zero(data.get(f"{LINES_PREFIX}-TOTAL_FORMS")), MAX_LINES)
    rows = [
        {name: data.get(f"{LINES_PREFIX}-{index}-{name}", "") for name in LINE_FIELDS}
        for index in range(total)
        if not data.get(f"{LINES_PREFIX}-{index}-DELETE")
    ]
    rows.append(EMPTY_ROW)
    return form_values, rows[:MAX_LINES]


def int_or_zero(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def lines_of(invoice: Invoice) -> list[dict]:
    return [
        {
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
            "discount_percent": line.discount_percent,
        }
        for line in invoice.lines.all()
    ]


def draft_initial(invoice: Invoice) -> dict:
    return {
        "customer": invoice.customer_id,
        "date": invoice.date,
        "payment_terms_days": invoice.payment_terms_days,
        "due_date": invoice.due_date,
        "note": invoice.note,
        "footer": invoice.footer,
    }
