"""Importing a bank statement: read the file, store each line once, suggest what it pays.

Lines are deduplicated by the database: each has a fingerprint unique per bank account (the
bank's own reference when it gives one, else the line's contents and its occurrence among
identical lines of the file). Importing the same file again returns the statement already
imported; an overlapping statement stores only the lines not seen before. Two imports racing
each other are settled by the same unique constraints.

The lines whose remittance names exactly one open invoice, for no more than its due, are
then confirmed one by one (`Entity.bank_auto_confirm`), each in its own transaction, so a
line that cannot be confirmed waits for review instead of undoing the import. A statement
with up to `CONFIRM_INLINE` such lines has them confirmed before the import answers; a
larger one hands them to the worker (each confirmation is a payment recorded, and thousands
of them are minutes of work that no request should hold).
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import IntegrityError, transaction

from banking import formats
from banking.formats import CsvMapping, ParsedLine, ParsedStatement, StatementFormatError
from banking.matching import MatchIndex
from banking.models import BankAccount, BankStatement, BankStatementLine, LineStatus
from banking.services.reconciling import bank_line_confirm
from billing.actors import Actor
from billing.audit import audit_record
from billing.errors import NotFound, SettleError, ValidationError
from billing.models import Entity
from payments.queue import enqueue_with_transaction

CONFIRM_INLINE = 200
CONFIRM_CERTAIN_LINES = "banking.tasks.confirm_certain_lines"


@dataclass(frozen=True)
class ImportResult:
    statement: BankStatement
    created: bool  # False: this very file was imported before
    auto_confirmed: int = 0
    confirming_later: int = 0  # certain lines handed to the worker


def statement_import(
    *,
    entity: Entity,
    actor: Actor,
    data: bytes,
    filename: str = "",
    format: str | None = None,
    bank_account_id: str | None = None,
    csv_mapping: dict | None = None,
    new_account_iban: str = "",
) -> ImportResult:
    """Import one statement file for `entity`, for the account `bank_account_id`, else the
    account the file names (created at its first statement), else a new account of
    `new_account_iban` (a CSV export usually names none).

    Errors: ValidationError with the parser's code (unreadable file, unknown format, CSV
    without a mapping), NotFound (another entity's bank account), ValidationError
    `account_mismatch` (the file is another account's). Nothing is written on error.
    """
    account = _find_account(entity, bank_account_id)
    mapping = _csv_mapping(account, csv_mapping)
    try:
        parsed = formats.parse_statement(data, format=format or None, csv_mapping=mapping)
    except StatementFormatError as error:
        raise ValidationError(str(error), code=error.code, param="file") from None
    if not parsed.account_iban and new_account_iban and account is None:
        parsed = replace(parsed, account_iban=new_account_iban)
    return statement_import_parsed(
        entity=entity,
        actor=actor,
        parsed=parsed,
        digest=hashlib.sha256(data).hexdigest(),
        filename=filename,
        account=account,
        mapping_to_save=mapping if csv_mapping else None,
    )


def statement_import_parsed(
    *,
    entity: Entity,
    actor: Actor,
    parsed: ParsedStatement,
    digest: str,
    filename: str = "",
    account: BankAccount | None = None,
    mapping_to_save: CsvMapping | None = None,
) -> ImportResult:
    """Store a read statement (see `statement_import`); `digest` identifies its file."""
    if not parsed.lines:
        raise ValidationError("The statement holds no booked lines.", code="statement_empty")
    try:
        with transaction.atomic():
            account = _account_for(entity, account, parsed, mapping_to_save)
            earlier = BankStatement.objects.filter(bank_account=account, file_sha256=digest).first()
            if earlier:
                return ImportResult(earlier, created=False)
            statement, certain = _store(entity, actor, account, parsed, digest, filename)
            if entity.bank_auto_confirm and len(certain) > CONFIRM_INLINE:
                enqueue_with_transaction(CONFIRM_CERTAIN_LINES, statement.pk)
    except IntegrityError:  # the same file, imported at this very moment by someone else
        earlier = BankStatement.objects.filter(file_sha256=digest, entity=entity).first()
        if earlier is None:
            raise
        return ImportResult(earlier, created=False)
    if not entity.bank_auto_confirm:
        return ImportResult(statement, created=True)
    if len(certain) > CONFIRM_INLINE:
        return ImportResult(statement, created=True, confirming_later=len(certain))
    return ImportResult(
        statement, created=True, auto_confirmed=certain_lines_confirm(entity, actor, certain)
    )


def _find_account(entity: Entity, bank_account_id: str | None) -> BankAccount | None:
    if not bank_account_id:
        return None
    account = BankAccount.objects.filter(entity=entity, pk=bank_account_id).first()
    if account is None:
        raise NotFound(f"No bank account {bank_account_id!r}.", param="bank_account_id")
    return account


def _csv_mapping(account: BankAccount | None, given: dict | None) -> CsvMapping | None:
    """The mapping sent with the file, else the one saved on the account."""
    raw = given or (account.csv_mapping if account else None)
    if not raw:
        return None
    try:
        return CsvMapping(**raw)
    except TypeError as error:
        raise ValidationError(
            f"csv_mapping is not a column mapping: {error}.",
            code="csv_mapping_invalid",
            param="csv_mapping",
        ) from None


def _account_for(entity, account, parsed, mapping_to_save) -> BankAccount:
    iban = parsed.account_iban
    if account is not None:
        if iban and account.iban and iban != account.iban:
            raise ValidationError(
                f"This statement is for account {iban}, not {account.iban}.",
                code="account_mismatch",
                param="bank_account_id",
            )
    elif iban:
        account, _ = BankAccount.objects.get_or_create(
            entity=entity,
            iban=iban,
            defaults={"name": iban, "currency": parsed.currency or entity.default_currency},
        )
    else:
        raise ValidationError(
            "This statement does not name its account: choose the bank account it belongs to, "
            "or give the IBAN of a new one.",
            code="bank_account_required",
            param="bank_account_id",
        )
    if mapping_to_save and account.csv_mapping != mapping_to_save.__dict__:
        account.csv_mapping = dict(mapping_to_save.__dict__)
        account.save(update_fields=["csv_mapping"])
    return account


def line_fingerprint(line: ParsedLine, occurrence: int) -> str:
    """Who the line is, across files: the bank's reference for it when there is one."""
    if line.bank_reference:
        parts = ["ref", line.booking_date.isoformat(), str(line.amount), line.bank_reference]
    else:
        parts = [
            "content",
            line.booking_date.isoformat(),
            str(line.amount),
            line.currency,
            line.counterparty_iban,
            line.counterparty_name,
            line.remittance_info,
            str(occurrence),
        ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _fingerprinted(parsed) -> list[tuple[str, ParsedLine]]:
    seen = Counter()
    result = []
    for line in parsed.lines:
        first = line_fingerprint(line, 0)
        seen[first] += 1
        result.append((line_fingerprint(line, seen[first] - 1), line))
    return result


def _store(entity, actor, account, parsed, digest, filename):
    lines = _fingerprinted(parsed)
    existing = set(
        BankStatementLine.objects.filter(
            bank_account=account, fingerprint__in=[fingerprint for fingerprint, _ in lines]
        ).values_list("fingerprint", flat=True)
    )
    dates = [line.booking_date for line in parsed.lines]
    statement = BankStatement.objects.create(
        entity=entity,
        bank_account=account,
        format=parsed.format,
        statement_ref=parsed.statement_id[:100],
        filename=filename[:255],
        file_sha256=digest,
        opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance,
        first_date=min(dates),
        last_date=max(dates),
        lines_in_file=len(lines),
        movements=sum((line.amount for line in parsed.lines), Decimal("0")),
        imported_by=actor.user,
    )
    fresh = [
        BankStatementLine(
            entity=entity,
            bank_account=account,
            statement=statement,
            position=position,
            fingerprint=fingerprint,
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount=line.amount,
            currency=line.currency or account.currency,
            counterparty_name=line.counterparty_name[:200],
            counterparty_iban=line.counterparty_iban[:34],
            remittance_info=line.remittance_info,
            creditor_reference=getattr(line, "creditor_reference", "")[:35],
            bank_reference=line.bank_reference[:100],
        )
        for position, (fingerprint, line) in enumerate(lines, start=1)
        if fingerprint not in existing
    ]
    index = MatchIndex.for_lines(entity.pk, fresh)
    certain = []
    for line in fresh:
        line.suggestions = index.suggestions(line)
        line.status = LineStatus.SUGGESTED if line.suggestions else LineStatus.UNMATCHED
        line.certain = index.certain_invoice(line) is not None
        if line.certain:
            certain.append(line)
    # A statement imported at the same moment may have stored some of these lines already.
    BankStatementLine.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    stored = set(statement.lines.values_list("id", flat=True))
    statement.lines_repeated = len(lines) - len(stored)
    statement.save(update_fields=["lines_repeated"])
    audit_record(
        actor=actor,
        entity_id=entity.pk,
        action="bank_statement.imported",
        obj=statement,
        after={
            "format": statement.format,
            "filename": statement.filename,
            "lines_in_file": statement.lines_in_file,
            "lines_stored": len(stored),
            "lines_repeated": statement.lines_repeated,
        },
    )
    return statement, [line for line in certain if line.pk in stored]


def certain_lines_confirm(entity, actor, lines) -> int:
    """Confirm the certain lines still waiting; one that the invoice has outgrown since (paid
    meanwhile, voided) is left for a person. Returns how many were confirmed."""
    confirmed = 0
    for line in lines:
        try:
            bank_line_confirm(entity=entity, actor=actor, line_id=line.pk, automatic=True)
        except SettleError:
            continue  # the invoice moved on since the match was found: a person decides
        confirmed += 1
    return confirmed


def statement_for(entity: Entity, statement_id: str) -> BankStatement:
    statement = BankStatement.objects.filter(entity=entity, pk=statement_id).first()
    if statement is None:
        raise NotFound(f"No bank statement {statement_id!r}.")
    return statement
