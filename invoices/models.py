"""Invoices (and advance invoices) with lines, credit notes with lines.

Issued documents are immutable: a correction is a credit note. Their money
totals are caches rebuilt from payment rows by `payments.services.totals`,
never incremented.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from billing.ids import PublicIdField, new_id
from billing.models import Customer, Entity
from billing.money import CURRENCY_CHOICES, MONEY_FIELD

QUANTITY_FIELD = {"max_digits": 15, "decimal_places": 4}
PRICE_FIELD = {"max_digits": 19, "decimal_places": 4}
TAX_RATE_FIELD = {"max_digits": 6, "decimal_places": 3}


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"


# Allowed status transitions; `invoices.services` checks every change against it.
INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.DRAFT: {InvoiceStatus.ISSUED, InvoiceStatus.VOID},
    InvoiceStatus.ISSUED: {
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.PAID,
        InvoiceStatus.VOID,
        InvoiceStatus.UNCOLLECTIBLE,
    },
    InvoiceStatus.PARTIALLY_PAID: {
        InvoiceStatus.ISSUED,
        InvoiceStatus.PAID,
        InvoiceStatus.UNCOLLECTIBLE,
    },
    # Back to uncollectible when a refund reopens a written-off invoice.
    InvoiceStatus.PAID: {
        InvoiceStatus.ISSUED,
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.UNCOLLECTIBLE,
    },
    InvoiceStatus.UNCOLLECTIBLE: {
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.ISSUED,
    },
    InvoiceStatus.VOID: set(),
}

OPEN_STATUSES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.UNCOLLECTIBLE,
)


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    ADVANCE = "advance", "Advance invoice"


class InvoiceQuerySet(models.QuerySet):
    def invoices(self):
        return self.filter(kind=InvoiceKind.INVOICE)

    def advances(self):
        return self.filter(kind=InvoiceKind.ADVANCE)


class Invoice(models.Model):
    """A request for payment. Money fields are in major units of `currency`.

    - `total`: Σ line totals (net + tax), rounded per line.
    - `total_paid`: Σ succeeded, non-deleted payments on it, net of their
      succeeded refunds — money, credit-note and advance applications and
      balance applications alike. For an advance invoice: only what was paid
      *into* it (applications of it to final invoices are `total_applied`).
    - `total_credited`: the part of `total_paid` that came from credit notes.
    - `total_due`: `total - total_paid`; negative means overpaid.
    - `total_applied`: advance invoices only: Σ net `advance` payments drawing on it.
    - `total_reserved`: Σ card charges still in flight (`pending`) or waiting for the
      card holder's authentication (`requires_action`): held against `total_due`,
      so what can still be charged or applied is `total_due - total_reserved`.
    """

    id = PublicIdField("inv")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    number = models.CharField(max_length=32, blank=True, default="")
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    date = models.DateField(default=timezone.localdate)
    due_date = models.DateField(null=True, blank=True)
    # None: the customer's (or else the entity's) terms fix the due date at issue.
    payment_terms_days = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    footer = models.TextField(blank=True, default="")
    # The entity's details as they were at issue (`invoices.issuer`): its documents say these.
    issuer = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    reminders_paused = models.BooleanField(default=False)

    total_net = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_tax = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_paid = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_credited = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_due = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_applied = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_reserved = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    paid_in_full = models.BooleanField(default=False)

    issued_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True, default="")
    written_off_at = models.DateTimeField(null=True, blank=True)
    write_off_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["entity", "kind", "created_at"]),
            # The back office's lists, newest first, per kind.
            models.Index(fields=["kind", "date", "id"]),
            models.Index(fields=["entity", "status"]),
            models.Index(fields=["customer", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "kind", "number"],
                condition=~Q(number=""),
                name="uniq_invoice_number",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
            models.CheckConstraint(
                condition=Q(total_paid__gte=0), name="invoice_paid_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_applied__gte=0) & Q(total_applied__lte=models.F("total_paid")),
                name="advance_applied_within_paid",
            ),
        ]
        permissions = [
            ("issue_invoice", "Can issue an invoice"),
            ("void_invoice", "Can void an invoice"),
            ("write_off_invoice", "Can write off an invoice as uncollectible"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    @property
    def is_advance(self) -> bool:
        return self.kind == InvoiceKind.ADVANCE

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
            and self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.total_due > 0
        )

    @property
    def overpaid_amount(self) -> Decimal:
        return -self.total_due if self.total_due < 0 else Decimal("0")

    @property
    def total_payable(self) -> Decimal:
        """What can still be charged or applied: the amount due less the charges held on it."""
        return self.total_due - self.total_reserved

    @property
    def available_to_apply(self) -> Decimal:
        """Advance invoices: paid money not yet applied to final invoices."""
        return self.total_paid - self.total_applied

    @property
    def display_status(self) -> str:
        if self.status != InvoiceStatus.VOID and self.total_due < 0:
            return "overpaid"
        if self.is_overdue:
            return "overdue"
        return self.status

    @property
    def badge_status(self) -> str:
        """`display_status` as the screens show it: while everything paid on the invoice came
        from credit notes (no money came in), `partially_paid` reads `partially_credited`
        and `paid` reads `credited`. Display only: the stored status and its transitions,
        and the API's `display_status`, stay as they are."""
        shown = self.display_status
        if self.total_paid > 0 and self.total_credited == self.total_paid:
            if shown == InvoiceStatus.PARTIALLY_PAID:
                return "partially_credited"
            if shown == InvoiceStatus.PAID:
                return "credited"
        return shown


class AdvanceInvoiceManager(models.Manager.from_queryset(InvoiceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=InvoiceKind.ADVANCE)


class AdvanceInvoice(Invoice):
    """An invoice of kind "advance": a prepayment request, later applied to final invoices."""

    objects = AdvanceInvoiceManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = InvoiceKind.ADVANCE
        if self._state.adding and self.pk.startswith("inv_"):
            self.pk = new_id("adv")
        super().save(*args, **kwargs)


class InvoiceLine(models.Model):
    """A line: `amount` = quantity × unit_price (rounded), `tax_amount` on it, `total` = both."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=300)
    quantity = models.DecimalField(**QUANTITY_FIELD)
    unit_price = models.DecimalField(**PRICE_FIELD)
    tax_rate = models.DecimalField(**TAX_RATE_FIELD, default=Decimal("0"))  # percent
    discount_percent = models.DecimalField(**TAX_RATE_FIELD, default=Decimal("0"))
    amount = models.DecimalField(**MONEY_FIELD)
    tax_amount = models.DecimalField(**MONEY_FIELD)
    total = models.DecimalField(**MONEY_FIELD)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        return self.invoice.currency


class CreditNoteStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    VOID = "void", "Void"


class CreditNote(models.Model):
    """A correction of an issued invoice (immutable once issued), major units of `currency`.

    - `total`: Σ line totals.
    - `total_applied`: Σ succeeded, non-deleted payments referencing it (applied
      to invoices, moved to the customer's balance, paid out) net of refunds.
    - `total_remaining`: `total - total_applied`, never negative.
    """

    id = PublicIdField("cn")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_notes")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=32)
    status = models.CharField(
        max_length=16, choices=CreditNoteStatus.choices, default=CreditNoteStatus.ISSUED
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    date = models.DateField(default=timezone.localdate)
    reason = models.TextField()
    # The entity's details as they were at issue (`invoices.issuer`).
    issuer = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    total_net = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_tax = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_applied = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    total_remaining = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["entity", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["entity", "number"], name="uniq_credit_note_number"),
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
            models.CheckConstraint(
                condition=Q(total_applied__gte=0) & Q(total_applied__lte=models.F("total")),
                name="credit_note_applied_within_total",
            ),
        ]
        permissions = [("issue_credit_note", "Can issue a credit note")]

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=300)
    quantity = models.DecimalField(**QUANTITY_FIELD)
    unit_price = models.DecimalField(**PRICE_FIELD)
    tax_rate = models.DecimalField(**TAX_RATE_FIELD, default=Decimal("0"))
    discount_percent = models.DecimalField(**TAX_RATE_FIELD, default=Decimal("0"))
    amount = models.DecimalField(**MONEY_FIELD)
    tax_amount = models.DecimalField(**MONEY_FIELD)
    total = models.DecimalField(**MONEY_FIELD)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def currency(self) -> str:
        return self.credit_note.currency


class StoredPdf(models.Model):
    """The PDF of an issued document (invoice, advance invoice, credit note, receipt), rendered
    once and kept: what the customer was sent stays what it was, whatever changes later."""

    document_id = models.CharField(max_length=40, primary_key=True)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=120)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class InvoiceReminder(models.Model):
    """A reminder step sent for an overdue invoice. Unique per step: never sent twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    step = models.PositiveSmallIntegerField()  # 1 for the first reminder
    days_overdue = models.PositiveSmallIntegerField()
    email_id = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "step"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="uniq_invoice_reminder_step")
        ]

    def __str__(self) -> str:
        return f"Reminder {self.step} of {self.invoice_id}"
