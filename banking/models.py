"""Bank accounts, the statements imported for them, and the lines those statements hold.

A line is stored once per account (`fingerprint`), whichever statement brought it first:
importing the same file again, or a statement that overlaps an earlier one, adds nothing.
Money fields are in major units of `currency`; a line's `amount` is negative for money out.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.ids import PublicIdField
from billing.models import Customer, Entity
from billing.money import CURRENCY_CHOICES, MONEY_FIELD
from invoices.models import Invoice
from payments.models import Payment, Refund


class BankAccount(models.Model):
    """An account of the entity's that statements are imported for.

    `csv_mapping` says which column of this bank's CSV holds what (see
    `banking.formats.CsvMapping`); it is saved on the first CSV import that names it.
    """

    id = PublicIdField("bacc")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="bank_accounts")
    name = models.CharField(max_length=200)
    iban = models.CharField("IBAN", max_length=34, blank=True, default="")  # electronic form
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    csv_mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "iban"], condition=~Q(iban=""), name="uniq_bank_account_iban"
            )
        ]

    def __str__(self):
        return self.name


class BankStatement(models.Model):
    """One imported file. `lines` are the lines it brought first; `lines_repeated` counts
    those of its lines an earlier statement had already brought (they are not stored again)."""

    id = PublicIdField("bst")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="bank_statements")
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="statements"
    )
    format = models.CharField(max_length=16)
    statement_ref = models.CharField(max_length=100, blank=True, default="")  # the bank's id
    filename = models.CharField(max_length=255, blank=True, default="")
    file_sha256 = models.CharField(max_length=64)
    opening_balance = models.DecimalField(**MONEY_FIELD, null=True, blank=True)
    closing_balance = models.DecimalField(**MONEY_FIELD, null=True, blank=True)
    movements = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))  # Σ of the file's lines
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    lines_in_file = models.PositiveIntegerField(default=0)
    lines_repeated = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entity", "created_at", "id"])]
        constraints = [
            # The same file for the same account is one statement, however often it is sent.
            models.UniqueConstraint(
                fields=["bank_account", "file_sha256"], name="uniq_statement_file"
            )
        ]

    def __str__(self):
        return self.filename or self.statement_ref or self.pk

    @property
    def balances_agree(self) -> bool | None:
        """Opening balance plus the lines is the closing balance: the file is whole. None when
        the bank gave no balances (a CSV export)."""
        if self.opening_balance is None or self.closing_balance is None:
            return None
        return self.opening_balance + self.movements == self.closing_balance


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched"
    SUGGESTED = "suggested"
    MATCHED = "matched"
    IGNORED = "ignored"


class BankStatementLine(models.Model):
    """One booked entry of an account. `suggestions` are the ranked matches found at import
    (invoice or refund ids with their evidence); `status` says where the line stands."""

    id = PublicIdField("bsl")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="lines")
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()  # in the statement that brought it
    fingerprint = models.CharField(max_length=64)
    booking_date = models.DateField()
    value_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY_FIELD)  # negative: money out
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    counterparty_name = models.CharField(max_length=200, blank=True, default="")
    counterparty_iban = models.CharField(max_length=34, blank=True, default="")
    remittance_info = models.TextField(blank=True, default="")
    creditor_reference = models.CharField(max_length=35, blank=True, default="")
    bank_reference = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(
        max_length=12, choices=LineStatus.choices, default=LineStatus.UNMATCHED
    )
    suggestions = models.JSONField(default=list, blank=True)
    # The remittance names exactly one open invoice, for no more than its due: confirmed
    # without review when the entity allows it (`Entity.bank_auto_confirm`).
    certain = models.BooleanField(default=False)
    ignore_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["booking_date", "position", "id"]
        indexes = [
            models.Index(fields=["statement", "position"]),
            models.Index(fields=["entity", "status", "booking_date"]),
            models.Index(fields=["entity", "counterparty_iban"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_account", "fingerprint"], name="uniq_bank_line_fingerprint"
            )
        ]

    def __str__(self):
        return f"{self.booking_date} {self.amount} {self.counterparty_name}".strip()

    @property
    def is_money_in(self) -> bool:
        return self.amount > 0


class BankLineAllocation(models.Model):
    """What a confirmed line did: a `bank_transfer` payment it recorded on an invoice, or an
    outside refund it accounts for. Undoing keeps the row, with `undone_at` set."""

    class Kind(models.TextChoices):
        PAYMENT = "payment"
        REFUND = "refund"

    line = models.ForeignKey(
        BankStatementLine, on_delete=models.PROTECT, related_name="allocations"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT)
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT)
    amount = models.DecimalField(**MONEY_FIELD, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["customer", "undone_at"])]
        constraints = [
            # An outside refund is accounted for by one line at a time.
            models.UniqueConstraint(
                fields=["refund"],
                condition=Q(undone_at__isnull=True, refund__isnull=False),
                name="uniq_live_refund_allocation",
            )
        ]

    def __str__(self):
        return f"{self.line_id} → {self.payment_id or self.refund_id}"
