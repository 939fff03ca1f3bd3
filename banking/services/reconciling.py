"""Confirming, ignoring and undoing what a bank line pays.

Locks: a bank line is locked first (bank lines come before invoices in the global order),
then each invoice in id order through `payment_record`, then the customer when an excess
goes to the balance. Two people confirming the same line therefore queue on the line: the
second finds it matched and is told (`line_already_matched`); the invoice is paid once.

Money in becomes `bank_transfer` payments recorded by the one payment service, dated on the
booking day, with the bank's reference as `reference`; an excess the staff sends to the
balance rides on the last payment and is refunded from it to the balance. Money out accounts for refunds paid back
outside the app. Undoing deletes the line's payments (kept, with the reason) and returns the
line to the queue.
"""

from decimal import Decimal

from django.utils import timezone

from banking.models import BankLineAllocation, BankStatementLine, LineStatus
from billing.actors import Actor
from billing.audit import audit_record
from billing.errors import (
    CurrencyMismatch,
    InvalidState,
    LimitExceeded,
    NotFound,
    ValidationError,
)
from billing.locking import lock_rows, money_transaction
from billing.models import Entity
from billing.money import check_amount
from billing.validation import clean_text
from invoices.models import Invoice, InvoiceKind
from payments.models import PaymentType, Refund, RefundDestination, RefundStatus
from payments.services.amending import payment_delete
from payments.services.recording import payment_record
from payments.services.refunding import refund_create


def _locked_line(entity: Entity, line_id: str) -> BankStatementLine:
    (lines,) = lock_rows((BankStatementLine, [line_id]))
    line = lines.get(line_id)
    if line is None or line.entity_id != entity.pk:
        raise NotFound(f"No bank statement line {line_id!r}.", param="line_id")
    return line


def _require_open(line: BankStatementLine) -> None:
    if line.status == LineStatus.MATCHED:
        raise InvalidState(
            "This line has just been matched by someone else; reload to see what it pays.",
            code="line_already_matched",
        )
    if line.status == LineStatus.IGNORED:
        raise InvalidState("This line is ignored; undo that first.", code="line_ignored")


def bank_line_confirm(
    *,
    entity: Entity,
    actor: Actor,
    line_id: str,
    allocations: list[dict] | None = None,
    remainder_to_balance: bool = False,
    automatic: bool = False,
) -> BankStatementLine:
    """Record what a line pays: `allocations` of `{"invoice_id", "amount"}` for money in
    (several invoices may share a line), `{"refund_id"}` for money out. Without them, the
    line's proposed suggestions. A part of money in left over goes to the balance of the
    last invoice's customer when `remainder_to_balance`, else the request is refused.

    Errors: NotFound, InvalidState (`line_already_matched`, `line_ignored`), ValidationError
    (`allocations_required`, `allocations_exceed_line`, `line_not_fully_allocated`,
    currency), and every error of `payment_record`. Nothing is written on error.
    """
    with money_transaction():
        line = _locked_line(entity, line_id)
        _require_open(line)
        wanted = allocations if allocations is not None else _proposed(line)
        if not wanted:
            raise ValidationError(
                "Say what this line pays: no suggestion is certain enough to confirm alone.",
                code="allocations_required",
                param="allocations",
            )
        if line.amount > 0:
            made = _pay_invoices(entity, actor, line, wanted, remainder_to_balance)
        else:
            made = _account_for_refunds(entity, line, wanted)
        line.status = LineStatus.MATCHED
        line.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action="bank_line.auto_matched" if automatic else "bank_line.matched",
            obj=line,
            customer_id=made[0].customer_id,
            invoice_id=made[0].invoice_id or "",
            after={
                "amount": line.amount,
                "payments": [a.payment_id for a in made if a.payment_id],
                "refunds": [a.refund_id for a in made if a.refund_id],
                "invoices": [a.invoice_id for a in made if a.invoice_id],
            },
        )
    return line


def _proposed(line: BankStatementLine) -> list[dict]:
    proposed = [s for s in line.suggestions if s.get("proposed")]
    if line.amount < 0:
        return [{"refund_id": s["refund_id"]} for s in proposed[:1]]
    return [{"invoice_id": s["invoice_id"], "amount": s["amount"]} for s in proposed]


def _pay_invoices(entity, actor, line, wanted, remainder_to_balance) -> list[BankLineAllocation]:
    parts = []
    for position, item in enumerate(wanted):
        if not isinstance(item, dict) or not item.get("invoice_id"):
            raise ValidationError(
                "Each allocation of money in names an invoice_id and an amount.",
                code="invalid_allocation",
                param=f"allocations[{position}]",
            )
        amount = check_amount(item.get("amount"), line.currency, param=f"allocations[{position}]")
        parts.append((str(item["invoice_id"]), amount))
    invoice_ids = [invoice_id for invoice_id, _ in parts]
    if len(set(invoice_ids)) != len(invoice_ids):
        raise ValidationError(
            "An invoice appears twice in the allocations.", code="invalid_allocation"
        )
    allocated = sum((amount for _, amount in parts), Decimal("0"))
    remainder = line.amount - allocated
    if remainder < 0:
        raise ValidationError(
            f"The allocations ({allocated}) add up to more than the line ({line.amount}).",
            code="allocations_exceed_line",
            param="allocations",
        )
    if remainder > 0 and not remainder_to_balance:
        raise ValidationError(
            f"{remainder} of this line is not allocated; allocate it or send it to the "
            "customer's balance.",
            code="line_not_fully_allocated",
            param="allocations",
        )
    found = {
        pk: (kind, currency)
        for pk, kind, currency in Invoice.objects.filter(
            entity=entity, pk__in=invoice_ids
        ).values_list("pk", "kind", "currency")
    }
    for _kind, currency in found.values():
        if currency != line.currency:
            raise CurrencyMismatch(
                f"This line is in {line.currency}; an invoice in {currency} cannot take it.",
                param="allocations",
            )
    kinds = {pk: kind for pk, (kind, _currency) in found.items()}
    rest_on = parts[-1][0]  # the rest rides on the last allocation given, then moves on
    parts.sort()  # invoices are locked in id order, as everywhere
    made = []
    for invoice_id, amount in parts:
        last = invoice_id == rest_on
        is_advance = kinds.get(invoice_id) == InvoiceKind.ADVANCE
        payment = payment_record(
            entity=entity,
            actor=actor,
            amount=amount + (remainder if last else 0),
            type=PaymentType.BANK_TRANSFER,
            invoice_id=None if is_advance else invoice_id,
            advance_invoice_id=invoice_id if is_advance else None,
            date=line.booking_date,
            reference=(line.bank_reference or line.remittance_info)[:250] or None,
            note=f"Bank statement line {line.pk}: {line.counterparty_name}".strip(),
            metadata={"bank_line_id": line.pk},
        )
        made.append(
            BankLineAllocation.objects.create(
                line=line,
                kind=BankLineAllocation.Kind.PAYMENT,
                invoice_id=invoice_id,
                customer_id=payment.customer_id,
                payment=payment,
                amount=payment.amount,
            )
        )
    if remainder > 0:  # the customer is locked after every invoice
        rest = next(a for a in made if a.invoice_id == rest_on)
        refund_create(
            payment=rest.payment,
            actor=actor,
            amount=remainder,
            destination=RefundDestination.CUSTOMER_BALANCE,
            reason=f"The rest of bank line {line.pk}, to the customer's balance",
        )
    return made


def _account_for_refunds(entity, line, wanted) -> list[BankLineAllocation]:
    refund_ids = [str(item.get("refund_id", "")) for item in wanted if isinstance(item, dict)]
    if len(refund_ids) != len(wanted) or not all(refund_ids):
        raise ValidationError(
            "Each allocation of money out names a refund_id.",
            code="invalid_allocation",
            param="allocations",
        )
    refunds = list(
        Refund.objects.select_related("payment").filter(
            entity_id=entity.pk,
            pk__in=refund_ids,
            status=RefundStatus.SUCCEEDED,
            destination=RefundDestination.ORIGINAL,
            payment__gateway="",
        )
    )
    if len(refunds) != len(set(refund_ids)):
        raise NotFound(
            "A refund named is not one paid back outside the app by this entity.",
            param="allocations",
        )
    total = sum((refund.amount for refund in refunds), Decimal("0"))
    if total != -line.amount or any(r.currency != line.currency for r in refunds):
        raise LimitExceeded(
            f"The refunds add up to {total}, the line took out {-line.amount}.",
            code="allocations_mismatch",
            param="allocations",
        )
    if BankLineAllocation.objects.filter(refund__in=refunds, undone_at=None).exists():
        raise InvalidState(
            "A refund named is already accounted for by another line.",
            code="refund_already_matched",
        )
    return [
        BankLineAllocation.objects.create(
            line=line,
            kind=BankLineAllocation.Kind.REFUND,
            invoice_id=refund.payment.invoice_id,
            customer_id=refund.payment.customer_id,
            refund=refund,
            amount=refund.amount,
        )
        for refund in refunds
    ]


def bank_line_ignore(
    *, entity: Entity, actor: Actor, line_id: str, reason: str = ""
) -> BankStatementLine:
    """Set a line aside (a transfer between own accounts, a fee): it leaves the queue."""
    reason = clean_text(reason, "reason", 1000) or ""
    with money_transaction():
        line = _locked_line(entity, line_id)
        _require_open(line)
        line.status = LineStatus.IGNORED
        line.ignore_reason = reason
        line.save(update_fields=["status", "ignore_reason", "updated_at"])
        audit_record(
            actor=actor, entity_id=entity.pk, action="bank_line.ignored", obj=line, reason=reason
        )
    return line


def bank_line_undo(
    *, entity: Entity, actor: Actor, line_id: str, reason: str = ""
) -> BankStatementLine:
    """Return a matched or ignored line to the queue. The payments its match recorded are
    deleted with `reason` (kept in the trail); refunds it accounted for are free again.

    A payment whose excess went to the balance has a refund to the balance and cannot be
    deleted: undoing such a line is refused (`payment_has_refunds`), nothing changes.
    """
    reason = clean_text(reason, "reason", 1000) or ""
    with money_transaction():
        line = _locked_line(entity, line_id)
        if line.status not in (LineStatus.MATCHED, LineStatus.IGNORED):
            raise InvalidState("This line is not matched or ignored.", code="line_not_matched")
        now = timezone.now()
        undone = []
        for allocation in line.allocations.filter(undone_at=None).select_related("payment"):
            if allocation.payment_id:
                payment_delete(
                    payment=allocation.payment,
                    actor=actor,
                    reason=reason or f"Bank line {line.pk} unmatched",
                )
            allocation.undone_at = now
            allocation.save(update_fields=["undone_at"])
            undone.append(allocation.payment_id or allocation.refund_id)
        before = line.status
        line.status = LineStatus.SUGGESTED if line.suggestions else LineStatus.UNMATCHED
        line.ignore_reason = ""
        line.save(update_fields=["status", "ignore_reason", "updated_at"])
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action="bank_line.unmatched",
            obj=line,
            before={"status": before, "undone": undone},
            after={"status": line.status},
            reason=reason,
        )
    return line
