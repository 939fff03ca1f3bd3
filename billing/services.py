"""Writes of the shared kernel: entities, customers, API keys, numbering, the balance ledger."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing.actors import Actor
from billing.api_keys import (  # noqa: F401  (the services of API keys, re-exported)
    API_KEY_PREFIX,
    api_key_create,
    api_key_digest,
    api_key_revoke,
    api_key_roll,
)
from billing.audit import audit_record, snapshot
from billing.customer_profile import (
    clean_email,
    clean_language,
    clean_profile_text,
    clean_terms_days,
    parse_cc_emails,
)
from billing.errors import InvalidState, LimitExceeded, ValidationError
from billing.events import event_record
from billing.locking import lock_rows, money_transaction
from billing.models import BalanceTransaction, Customer, DocumentSequence, Entity
from billing.money import MAX_AMOUNT, MoneySum, check_amount, validate_currency
from billing.selectors import customer_has_money_history
from billing.validation import clean_metadata


def entity_create(*, name: str, currency: str = "EUR") -> Entity:
    name = (name or "").strip()
    if not name:
        raise ValidationError("An entity needs a name.", param="name")
    return Entity.objects.create(name=name[:200], default_currency=validate_currency(currency))


CUSTOMER_AUDIT_FIELDS = [
    "name",
    "email",
    "cc_emails",
    "address",
    "tax_id",
    "payment_terms_days",
    "language",
    "reminders_paused",
    "currency",
    "user_id",
    "archived_at",
]


class _Unchanged:
    """The default of an update's arguments: "leave this field as it is" (None is a value)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def customer_create(
    *,
    entity: Entity,
    name: str,
    actor: Actor,
    email: str = "",
    cc_emails: list[str] | str | None = None,
    address: str = "",
    tax_id: str = "",
    payment_terms_days: int | None = None,
    language: str = "",
    reminders_paused: bool = False,
    currency: str | None = None,
    user=None,
    metadata: dict | None = None,
) -> Customer:
    """Create a customer in the entity's currency unless another is named. Audited."""
    with transaction.atomic():
        customer = Customer.objects.create(
            entity=entity,
            name=clean_profile_text(name, "name", required=True),
            email=clean_email(email),
            cc_emails=parse_cc_emails(cc_emails),
            address=clean_profile_text(address, "address"),
            tax_id=clean_profile_text(tax_id, "tax_id"),
            payment_terms_days=clean_terms_days(payment_terms_days),
            language=clean_language(language),
            reminders_paused=bool(reminders_paused),
            currency=validate_currency(currency or entity.default_currency),
            user=user,
            metadata=clean_metadata(metadata),
        )
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action="customer.created",
            obj=customer,
            customer_id=customer.pk,
            after=snapshot(customer, CUSTOMER_AUDIT_FIELDS),
        )
    return customer


def customer_update(
    *,
    customer: Customer,
    actor: Actor,
    name=UNCHANGED,
    email=UNCHANGED,
    cc_emails=UNCHANGED,
    address=UNCHANGED,
    tax_id=UNCHANGED,
    payment_terms_days=UNCHANGED,
    language=UNCHANGED,
    reminders_paused=UNCHANGED,
    currency=UNCHANGED,
    user=UNCHANGED,
    metadata=UNCHANGED,
    archived=UNCHANGED,
) -> Customer:
    """Change the fields given (the others stay) and archive or restore (`archived`).

    Locks the customer's row, so the currency check sees every document created before
    it, and an invoice being created waits. Refuses a currency change once the customer
    has documents or money (`currency_locked`). Audits the fields that changed; a call
    that changes nothing records nothing.
    """
    cleaners = {
        "name": lambda v: clean_profile_text(v, "name", required=True),
        "email": clean_email,
        "cc_emails": parse_cc_emails,
        "address": lambda v: clean_profile_text(v, "address"),
        "tax_id": lambda v: clean_profile_text(v, "tax_id"),
        "payment_terms_days": clean_terms_days,
        "language": clean_language,
        "reminders_paused": bool,
        "currency": validate_currency,
        "user": lambda v: v,
        "metadata": clean_metadata,
    }
    given = {
        "name": name,
        "email": email,
        "cc_emails": cc_emails,
        "address": address,
        "tax_id": tax_id,
        "payment_terms_days": payment_terms_days,
        "language": language,
        "reminders_paused": reminders_paused,
        "currency": currency,
        "user": user,
        "metadata": metadata,
    }
    changes = {
        field: cleaners[field](value) for field, value in given.items() if value is not UNCHANGED
    }
    with money_transaction():
        (customers,) = lock_rows((Customer, [customer.pk]))
        locked = customers[customer.pk]
        before = snapshot(locked, CUSTOMER_AUDIT_FIELDS)
        if "currency" in changes and changes["currency"] != locked.currency:
            customer_check_currency_change(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        if archived is not UNCHANGED:
            _customer_set_archived(locked, bool(archived))
        after = snapshot(locked, CUSTOMER_AUDIT_FIELDS)
        if after != before:
            locked.save()
            audit_record(
                actor=actor,
                entity_id=locked.entity_id,
                action=_customer_change_action(before, after),
                obj=locked,
                customer_id=locked.pk,
                before={key: value for key, value in before.items() if after[key] != value},
                after={key: value for key, value in after.items() if before[key] != value},
            )
    return locked


def customer_check_currency_change(customer: Customer) -> None:
    """A customer's currency is fixed by its first document, payment or balance movement."""
    if customer_has_money_history(customer):
        raise InvalidState(
            "The currency cannot change: the customer already has invoices, credit notes, "
            "payments or balance movements in "
            f"{customer.currency}. Create another customer for another currency.",
            code="currency_locked",
            param="currency",
        )


def customer_archive(*, customer: Customer, actor: Actor) -> Customer:
    """Archive instead of delete: documents keep their customer, new invoices are refused.

    Archiving an archived customer changes nothing and records nothing.
    """
    return customer_update(customer=customer, actor=actor, archived=True)


def customer_restore(*, customer: Customer, actor: Actor) -> Customer:
    """Bring an archived customer back to the lists and to invoicing."""
    return customer_update(customer=customer, actor=actor, archived=False)


def _customer_set_archived(customer: Customer, archived: bool) -> None:
    if archived and customer.archived_at is None:
        customer.archived_at = timezone.now()
    elif not archived:
        customer.archived_at = None


def _customer_change_action(before: dict, after: dict) -> str:
    """One action per event: an archive or a restore says so, whatever else changed."""
    if before["archived_at"] is None and after["archived_at"] is not None:
        return "customer.archived"
    if before["archived_at"] is not None and after["archived_at"] is None:
        return "customer.restored"
    return "customer.updated"


def sequence_next(*, entity_id: str, series: str) -> int:
    """Take the next number of a series under a row lock: gapless because it rolls back with us."""
    sequence, _ = DocumentSequence.objects.get_or_create(entity_id=entity_id, series=series)
    sequence = DocumentSequence.objects.select_for_update().get(pk=sequence.pk)
    value = sequence.next_value
    DocumentSequence.objects.filter(pk=sequence.pk).update(next_value=F("next_value") + 1)
    return value


# --- the customer's money balance -------------------------------------------------------------


def balance_post(
    *,
    customer: Customer,
    amount: Decimal,
    kind: str,
    actor: Actor,
    reason: str = "",
    invoice_id: str = "",
    credit_note_id: str = "",
    payment_id: str = "",
    refund_id: str = "",
) -> BalanceTransaction:
    """Append one ledger row and refresh the cached balance.

    The caller holds the customer's row lock (taken through `lock_rows`). Refuses
    a movement that would take the balance below zero.
    """
    current = balance_sum(customer.pk)
    after = current + amount
    if after >= MAX_AMOUNT:
        raise LimitExceeded(
            "The money balance would exceed 10^13.", code="amount_too_large", param="amount"
        )
    if after < 0:
        raise LimitExceeded(
            f"The customer's money balance is {current} {customer.currency}; "
            f"it cannot cover {-amount}.",
            code="insufficient_balance",
            param="amount",
        )
    transaction_row = BalanceTransaction.objects.create(
        entity_id=customer.entity_id,
        customer=customer,
        kind=kind,
        amount=amount,
        currency=customer.currency,
        balance_after=after,
        reason=reason,
        invoice_id=invoice_id,
        credit_note_id=credit_note_id,
        payment_id=payment_id,
        refund_id=refund_id,
        created_by_id=actor.user_id,
    )
    customer.balance = after
    customer.save(update_fields=["balance", "updated_at"])
    event_record(entity_id=customer.entity_id, type="customer.balance_changed", obj=customer)
    return transaction_row


def balance_sum(customer_id: str) -> Decimal:
    total = BalanceTransaction.objects.filter(customer_id=customer_id).aggregate(
        s=MoneySum("amount")
    )
    return total["s"]


def balance_adjust(*, customer: Customer, amount, reason: str, actor: Actor) -> BalanceTransaction:
    """Add (positive) or deduct (negative) credit by hand. A reason is required and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "A balance adjustment needs a reason.", code="reason_required", param="reason"
        )
    amount = check_amount(amount, customer.currency, allow_negative=True)
    with money_transaction():
        (customers,) = lock_rows((Customer, [customer.pk]))
        locked = customers[customer.pk]
        before = locked.balance
        row = balance_post(
            customer=locked,
            amount=amount,
            kind=BalanceTransaction.Kind.ADJUSTMENT,
            actor=actor,
            reason=reason,
        )
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="balance.adjusted",
            obj=row,
            customer_id=locked.pk,
            before={"balance": before},
            after={"balance": locked.balance},
            reason=reason,
        )
    customer.balance = locked.balance
    return row
