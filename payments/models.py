"""Payments, refunds and saved payment methods.

A payment's money moves documents only while it is `succeeded` and not
deleted; its net effect is `amount - amount_refunded`. Rows are never
hard-deleted and never changed through bulk paths: every write goes through a
service, which signals the recompute of the linked documents (`payments.signals`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from billing.ids import PublicIdField
from billing.models import Customer, Entity
from billing.money import CURRENCY_CHOICES, MONEY_FIELD
from invoices.models import AdvanceInvoice, CreditNote, Invoice


class BulkWriteForbidden(Exception):
    """Bulk paths skip the services whose signals keep document totals right; use them."""


class SignalSafeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise BulkWriteForbidden(f"{self.model.__name__}.objects.update() bypasses recompute.")

    def bulk_create(self, *args, **kwargs):
        raise BulkWriteForbidden(f"{self.model.__name__}.objects.bulk_create() bypasses recompute.")

    def bulk_update(self, *args, **kwargs):
        raise BulkWriteForbidden(f"{self.model.__name__}.objects.bulk_update() bypasses recompute.")

    def delete(self):
        raise BulkWriteForbidden(f"{self.model.__name__} rows are never deleted.")


class NeverDeleted(models.Model):
    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise BulkWriteForbidden(f"{type(self).__name__} rows are never deleted; use the service.")


class PaymentType(models.TextChoices):
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHECK = "check", "Check"
    CARD = "card", "Card"
    PAYPAL = "paypal", "PayPal"
    OTHER = "other", "Other"
    CREDIT_NOTE = "credit_note", "Credit note"
    ADVANCE = "advance", "Advance"
    CUSTOMER_BALANCE = "customer_balance", "Customer balance"


EXTERNAL_TYPES = (
    PaymentType.CASH,
    PaymentType.BANK_TRANSFER,
    PaymentType.CHECK,
    PaymentType.CARD,
    PaymentType.PAYPAL,
    PaymentType.OTHER,
)
APPLICATION_TYPES = (PaymentType.CREDIT_NOTE, PaymentType.ADVANCE, PaymentType.CUSTOMER_BALANCE)


class PaymentKind(models.TextChoices):
    """What a payment brings to its document: money from outside (a card charge or an
    external payment), or something the customer already had (credit, balance, advance)."""

    MONEY_RECEIVED = "money_received", "Money received"
    CREDIT_APPLIED = "credit_applied", "Credit applied"
    BALANCE_USED = "balance_used", "Balance used"
    ADVANCE_APPLIED = "advance_applied", "Advance applied"


KIND_TYPES: dict[str, tuple[str, ...]] = {
    PaymentKind.MONEY_RECEIVED: EXTERNAL_TYPES,
    PaymentKind.CREDIT_APPLIED: (PaymentType.CREDIT_NOTE,),
    PaymentKind.BALANCE_USED: (PaymentType.CUSTOMER_BALANCE,),
    PaymentKind.ADVANCE_APPLIED: (PaymentType.ADVANCE,),
}
TYPE_KINDS = {type_: kind for kind, types in KIND_TYPES.items() for type_ in types}


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    REQUIRES_ACTION = "requires_action", "Requires authentication"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


# Statuses whose amount is reserved against what is due (not yet settled, not yet final).
RESERVING_STATUSES = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.PENDING: {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.REQUIRES_ACTION,
        PaymentStatus.CANCELED,
    },
    PaymentStatus.REQUIRES_ACTION: {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELED,
        PaymentStatus.PENDING,
    },
    PaymentStatus.SUCCEEDED: set(),
    PaymentStatus.FAILED: set(),
    PaymentStatus.CANCELED: set(),
}


class SavedPaymentMethod(models.Model):
    """A customer's card kept at the gateway; we hold only its reference and display details."""

    id = PublicIdField("spm")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_methods")
    gateway = models.CharField(max_length=16)
    gateway_reference = models.CharField(max_length=100)
    brand = models.CharField(max_length=32, default="card")
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=False)
    detached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        constraints = [
            # Per customer: the sandbox's test tokens (pm_card_visa) are shared by everyone.
            models.UniqueConstraint(
                fields=["customer", "gateway", "gateway_reference"],
                name="uniq_saved_method_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.brand.title()} •••• {self.last4}"

    @property
    def is_usable(self) -> bool:
        return self.detached_at is None


SEARCHED_FIELDS = frozenset({"reference", "note", "metadata"})


class Payment(NeverDeleted):
    """Money (or credit) settling a document. Amounts in major units of `currency`.

    - `amount`: what was paid or applied (> 0).
    - `amount_refunded`: Σ succeeded refunds of it (cache, recomputed from Refund rows).
    Document references never change after creation.
    """

    id = PublicIdField("pmt")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    credit_note = models.ForeignKey(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    advance_invoice = models.ForeignKey(
        AdvanceInvoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="advance_payments",
    )
    type = models.CharField(max_length=20, choices=PaymentType.choices)
    gateway = models.CharField(max_length=16, blank=True, default="")  # "" = recorded, not charged
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.SUCCEEDED
    )
    amount = models.DecimalField(**MONEY_FIELD)
    amount_refunded = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    date = models.DateField(default=timezone.localdate)
    reference = models.CharField(max_length=250, blank=True, null=True)
    note = models.TextField(blank=True, null=True)
    metadata = models.JSONField(default=dict, blank=True)

    saved_payment_method = models.ForeignKey(
        SavedPaymentMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gateway_reference = models.CharField(max_length=100, blank=True, null=True)
    failure_code = models.CharField(max_length=64, blank=True, default="")
    failure_message = models.TextField(blank=True, default="")
    next_action_url = models.URLField(max_length=500, blank=True, default="")
    # Where the gateway returns the card holder after authentication (portal charges). Part
    # of the charge request, kept so that a replay with the same idempotency key is identical.
    return_url = models.URLField(max_length=500, blank=True, default="")
    disputed = models.BooleanField(default=False)
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retries"
    )

    # Denormalised for `search` (trigram-indexed on PostgreSQL); rebuilt on every save.
    search_text = models.TextField(blank=True, default="", editable=False)

    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    delete_reason = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignalSafeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["entity", "created_at", "id"]),
            # The back office's list across entities (a superuser's), newest first.
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["entity", "date"]),
            # The back office's date filter across entities (its page is sorted from this
            # index alone: see LargeTablePaginator), the dashboard's days.
            models.Index(
                fields=["date"],
                include=["created_at", "id", "is_deleted"],
                name="payments_payment_date_idx",
            ),
            models.Index(fields=["invoice", "status"]),
            models.Index(fields=["credit_note", "status"]),
            models.Index(fields=["advance_invoice", "status"]),
            models.Index(fields=["status", "gateway", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("amount")),
                name="payment_refunded_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(invoice__isnull=False)
                | Q(credit_note__isnull=False)
                | Q(advance_invoice__isnull=False),
                name="payment_has_document",
            ),
            models.CheckConstraint(
                condition=~Q(type=PaymentType.CREDIT_NOTE)
                | (Q(invoice__isnull=False) & Q(credit_note__isnull=False)),
                name="credit_note_payment_has_invoice_and_credit_note",
            ),
            models.CheckConstraint(
                condition=~Q(type=PaymentType.ADVANCE)
                | (Q(invoice__isnull=False) & Q(advance_invoice__isnull=False)),
                name="advance_payment_has_invoice_and_advance",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_reference"],
                condition=Q(gateway_reference__isnull=False),
                name="uniq_payment_gateway_reference",
            ),
        ]
        permissions = [
            ("record_payment", "Can record an external payment"),
            ("charge_payment", "Can charge a saved payment method"),
            ("refund_payment", "Can refund a payment"),
            ("remove_payment", "Can delete a recorded payment"),
        ]

    def __str__(self) -> str:
        return self.pk

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCHED_FIELDS & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        """What `search` matches: id, reference, note and metadata values (not keys)."""
        values = [value for value in (self.metadata or {}).values() if isinstance(value, str)]
        return "\n".join(part for part in (self.pk, self.reference, self.note, *values) if part)

    @property
    def document(self):
        """What it was paid on: its invoice, advance invoice or (paid out of) credit note."""
        return self.invoice or self.advance_invoice or self.credit_note

    @property
    def net_amount(self) -> Decimal:
        return self.amount - self.amount_refunded

    @property
    def kind(self) -> str:
        """A `PaymentKind`: money received, or credit, balance or an advance applied."""
        return TYPE_KINDS[self.type]

    @property
    def is_gateway(self) -> bool:
        return bool(self.gateway)

    @property
    def method_label(self) -> str:
        if self.saved_payment_method_id:
            return self.saved_payment_method.label
        if self.type in EXTERNAL_TYPES:
            return f"External · {self.get_type_display()}"
        return self.get_type_display()


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


class RefundDestination(models.TextChoices):
    ORIGINAL = "original", "Original payment method"
    CUSTOMER_BALANCE = "customer_balance", "Customer money balance"


class Refund(NeverDeleted):
    """Money given back from a payment (major units of `currency`).

    A pending refund reserves its amount: a payment's refundable amount is
    `amount - Σ pending and succeeded refunds`.
    """

    id = PublicIdField("re")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY_FIELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.SUCCEEDED
    )
    destination = models.CharField(
        max_length=20, choices=RefundDestination.choices, default=RefundDestination.ORIGINAL
    )
    reason = models.TextField()
    gateway_reference = models.CharField(max_length=100, blank=True, null=True)
    failure_message = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignalSafeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["entity", "created_at", "id"]),
            models.Index(fields=["payment", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["gateway_reference"],
                condition=Q(gateway_reference__isnull=False),
                name="uniq_refund_gateway_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.pk


class WebhookEvent(models.Model):
    """An inbound gateway event, kept once: the unique (gateway, event id) is the deduplication.

    A delivery whose processing failed keeps `processed_at` empty, so the
    gateway's redelivery processes it again; services are idempotent, so a
    replay changes nothing twice.
    """

    gateway = models.CharField(max_length=16, default="stripe")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="uniq_webhook_event"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class ChargeRetryStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    STARTED = "started", "Started"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    CANCELED = "canceled", "Canceled"


class ChargeRetry(models.Model):
    """An automatic retry of a failed charge, due at `due_at` (see `services.retries`).

    At most one retry per document is scheduled at a time (partial unique
    constraint); a run claims its row under a lock (`scheduled → started`), so
    it runs once even if queued twice.
    """

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="charge_retries")
    failed_payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField()  # 1-based position in the retry schedule
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ChargeRetryStatus.choices, default=ChargeRetryStatus.SCHEDULED
    )
    result_payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="scheduled"),
                name="uniq_scheduled_charge_retry",
            ),
        ]

    def __str__(self) -> str:
        return f"Retry {self.attempt} of {self.failed_payment_id} at {self.due_at:%Y-%m-%d %H:%M}"
