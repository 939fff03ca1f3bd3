"""The shared kernel's tables: tenants, customers, the balance ledger, audit, API keys,
and the one-time keys that make every door's requests happen once."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.ids import PublicIdField
from billing.money import CURRENCY_CHOICES, MONEY_FIELD

# The languages documents and e-mails are written in (Django's translation catalogues).
LANGUAGE_CHOICES = [("en", "English"), ("de", "Deutsch")]
DEFAULT_REMINDER_DAYS = [3, 10, 20]


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert rewrites the rows it collides with
            raise AppendOnlyError(f"{self.model.__name__} rows are append-only.")
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """Rows are written once: saving an existing row or deleting one is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only.")


class Entity(models.Model):
    """A business that issues invoices: the tenant every other row belongs to."""

    id = PublicIdField("ent")
    name = models.CharField(max_length=200)
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    # What its documents say about it: the issuer's block of every invoice and credit note.
    legal_name = models.CharField(max_length=200, blank=True, default="")
    address = models.TextField(blank=True, default="")
    vat_id = models.CharField("VAT id", max_length=32, blank=True, default="")
    iban = models.CharField("IBAN", max_length=34, blank=True, default="")  # electronic form
    bic = models.CharField("BIC", max_length=11, blank=True, default="")
    # A small image, kept in the database so every process (and every PDF) sees the same one.
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=32, blank=True, default="", editable=False)
    invoice_footer = models.TextField(blank=True, default="")
    payment_terms_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days from an invoice's date to its due date, unless overridden."
    )
    sender_email = models.EmailField(
        blank=True, default="", help_text="The From address of its e-mails."
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    # Days after the due date on which an overdue invoice is reminded, e.g. [3, 10, 20].
    reminder_days = models.JSONField(default=default_reminder_days, blank=True)
    # A bank line whose remittance names exactly one open invoice, for no more than its due,
    # is confirmed at import; the rest wait for review.
    bank_auto_confirm = models.BooleanField(
        "confirm certain bank matches automatically", default=True
    )
    # Deleting a payment or changing its amount must say why (in the audit trail and its export).
    require_change_reason = models.BooleanField(
        "require a reason to delete a payment or change its amount", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EntityMembership", related_name="entities"
    )

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class EntityMembership(models.Model):
    """A staff user's access to one entity (admin scoping)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entity_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "user"], name="uniq_entity_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.entity}"


class Customer(models.Model):
    """Who is billed. `balance` (in `currency`) caches the sum of the balance ledger.

    A positive balance is credit the customer holds with us; it never goes
    below zero. `user` is the member who may sign in to the portal.
    """

    id = PublicIdField("cus")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    # Further billing addresses that get a copy of every document e-mail.
    cc_emails = models.JSONField(default=list, blank=True)
    address = models.TextField(blank=True, default="")
    tax_id = models.CharField("VAT or tax id", max_length=32, blank=True, default="")
    # None: the entity's terms.
    payment_terms_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Blank: the entity's language.
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, blank=True, default="")
    reminders_paused = models.BooleanField(default=False)
    # Archived instead of deleted: documents keep their customer.
    archived_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # Money balance, major units of `currency`; cache of Σ BalanceTransaction.amount.
    balance = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    # The customer at the payment gateway (Stripe's `cus_…`), set only by Settle when it
    # creates one (`customer_ensure_gateway`); unique, so card events route to one customer.
    gateway_customer_id = models.CharField(max_length=100, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["entity", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="customer_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["gateway_customer_id"],
                condition=~Q(gateway_customer_id=""),
                name="uniq_customer_gateway_customer_id",
            ),
        ]
        permissions = [("adjust_balance", "Can adjust a customer's money balance")]

    def __str__(self) -> str:
        return self.name

    @property
    def document_language(self) -> str:
        return self.language or self.entity.language

    @property
    def terms_days(self) -> int:
        terms = self.payment_terms_days
        return self.entity.payment_terms_days if terms is None else terms


class BalanceTransaction(AppendOnlyModel):
    """One movement of a customer's money balance (append-only ledger).

    `amount` is signed, in the customer's currency: positive adds credit,
    negative uses it. Links are plain ids because the documents live in apps
    that depend on this one.
    """

    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment", "Manual adjustment"
        OVERPAYMENT = "overpayment", "Overpayment moved to balance"
        CREDIT_NOTE = "credit_note", "Credit note credited"
        INVOICE_APPLICATION = "invoice_application", "Applied to an invoice"
        APPLICATION_REVERSAL = "application_reversal", "Application reversed"
        REFUND = "refund", "Refunded to balance"

    id = PublicIdField("cbt")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="balance_transactions"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    amount = models.DecimalField(**MONEY_FIELD)  # signed, major units of `currency`
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    balance_after = models.DecimalField(**MONEY_FIELD)
    reason = models.TextField(blank=True)
    invoice_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    credit_note_id = models.CharField(max_length=40, blank=True, default="")
    payment_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    refund_id = models.CharField(max_length=40, blank=True, default="")
    # PROTECT: deleting a user must not rewrite the ledger (deactivate staff instead).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="balance_txn_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_kind_display()})"


class AuditEvent(AppendOnlyModel):
    """Who did what to money, from where, with before/after snapshots. Never edited."""

    class Source(models.TextChoices):
        ADMIN = "admin"
        API = "api"
        PORTAL = "portal"
        WEBHOOK = "webhook"
        TASK = "task"
        SYSTEM = "system"

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)
    # PROTECT: deleting a user must not rewrite the audit trail (deactivate staff instead).
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_key_id = models.CharField(max_length=40, blank=True, default="")
    actor_label = models.CharField(max_length=200, blank=True, default="")
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=40)
    invoice_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    customer_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The entity's trail newest first, page after page (GET /audit-events).
            models.Index(fields=["entity", "created_at", "id"], name="audit_entity_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_id}"


class SentEmail(AppendOnlyModel):
    """An e-mail Settle sent (or failed to send) about a document: the history of what a
    customer was told, shown on the document's page. Never edited."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        REMINDER = "reminder", "Reminder"
        CREDIT_NOTE = "credit_note", "Credit note"
        RECEIPT = "receipt", "Receipt"
        REFUND = "refund", "Refund"
        AUTHENTICATION = "authentication", "Confirm your payment"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = PublicIdField("eml")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The documents it was about: plain ids, as the documents live in apps above this one.
    invoice_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    credit_note_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    payment_id = models.CharField(max_length=40, blank=True, default="")
    refund_id = models.CharField(max_length=40, blank=True, default="")
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    language = models.CharField(max_length=8, default="en")
    attachments = models.JSONField(default=list, blank=True)  # file names
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENT)
    error = models.TextField(blank=True, default="")
    actor_label = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {', '.join(self.to)}"


class DocumentSequence(models.Model):
    """The next number of a document series, locked when a document is issued (gapless)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=32)
    next_value = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "series"], name="uniq_document_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.series} → {self.next_value}"


class ApiKey(models.Model):
    """A secret for the REST API. Only its SHA-256 digest is stored; the key is shown once."""

    id = PublicIdField("key")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise the key.")
    digest = models.CharField(max_length=64, unique=True)
    entities = models.ManyToManyField(Entity, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Set once by `api_key_revoke`; the row stays, so the key's history and audit trail remain.
    revoked_at = models.DateTimeField(null=True, blank=True)
    # `<resource>:<read|write>` (billing.api_key_scopes); empty means unrestricted, which
    # every key made before scopes existed stays.
    scopes = models.JSONField(default=list, blank=True)
    # After this instant the key answers 401, like a revoked one. None: it never expires.
    expires_at = models.DateTimeField(null=True, blank=True)
    # The secret replaced by the last roll (`api_key_roll`) still works until
    # `previous_expires_at`, so integrations can switch without downtime.
    previous_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    previous_prefix = models.CharField(max_length=16, blank=True, default="")
    previous_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        permissions = [
            ("revoke_api_key", "Can revoke an API key"),
            ("roll_api_key", "Can roll an API key (issue a new secret)"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Submission(models.Model):
    """A request made under a one-time key, and the answer it got: done once, replayed after.

    Every door deduplicates here (`billing.once`): the API's `Idempotency-Key`, owned by
    the API key, and the one-time token of an admin money form or a portal pay form,
    owned by the signed-in user. The unique (door, owner, key) is the deduplication: a
    second request with the same key cannot insert its own row, so it waits for nothing
    and is answered from this one, by its `result` once it is done.
    """

    class Door(models.TextChoices):
        API = "api"
        ADMIN = "admin"
        PORTAL = "portal"

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    door = models.CharField(max_length=8, choices=Door.choices)
    # The API key's id or the user's id: one column for both, so one constraint holds.
    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    # What the key was first used for: the API's hash of the request, an admin form's purpose.
    fingerprint = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    # The answer a repeat gets, as its door stored it (`billing.once.complete`).
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["door", "owner", "key"], name="uniq_submission_key")
        ]

    def __str__(self) -> str:
        return f"{self.door} {self.key} ({self.state})"
