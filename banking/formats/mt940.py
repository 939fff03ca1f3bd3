"""MT940 (SWIFT customer statement), through the mt-940 library.

The library reads the tags and, with its structured-details processor, the German `:86:`
sub-fields (`?20`-`?29` remittance, `?30` BIC, `?31` IBAN, `?32`/`?33` name, SEPA keywords
such as `SVWZ+`). Its opt-in fixes are all switched on: a reversal of a credit (`RC`) is
money out, `?31` is the IBAN rather than part of the name, long details are not cut.
"""

import re
from datetime import date
from decimal import InvalidOperation

import mt940 as mt940_library

from banking.formats import ParsedLine, ParsedStatement, StatementFormatError
from banking.formats.cleaning import (
    check_size,
    clean_iban,
    clean_text,
    decode_text,
    find_creditor_reference,
    is_valid_iban,
)

_OPTIONS = mt940_library.Options.all()
_STATEMENT_START = re.compile(r"(?m)^(?=:20:)")
# ":86:" in the slash-keyword form some banks use (/NAME/.../IBAN/.../REMI/...).
_SLASH_FIELDS = re.compile(r"/(NAME|IBAN|REMI|EREF)/(.*?)(?=/[A-Z]{4}/|$)", re.DOTALL)
_REMI_MARK = re.compile(r"^(?:USTD|STRD)//?")
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


def _transactions(block: str):
    # The library's own parse() also accepts a file path in place of data; a statement
    # whose whole text were a path would be read from disk, so the collection is driven
    # directly with text only.
    transactions = mt940_library.models.Transactions(options=_OPTIONS)
    try:
        transactions.parse(block)
    except Exception as error:  # RuntimeError, ValueError, InvalidOperation: all mean "bad tag"
        raise StatementFormatError(
            f"The MT940 file cannot be read: {_describe(error)}.",
            code="statement_mt940_malformed",
        ) from None
    return transactions


def _describe(error: Exception) -> str:
    """What went wrong, in words: the library's messages carry its objects' reprs."""
    args = error.args
    if len(args) == 3 and isinstance(args[1], mt940_library.tags.Tag):
        return f"the :{args[1].id}: tag does not read as one: {str(args[2])[:80]!r}"
    if isinstance(error, InvalidOperation):
        return "an amount is not a number"
    return str(error) or type(error).__name__


def _balance(data: dict, *kinds: str):
    for kind in kinds:
        balance = data.get(kind)
        if balance is not None:
            return balance.amount.amount
    return None


def _slash_details(text: str) -> dict[str, str]:
    fields = {key: value.strip() for key, value in _SLASH_FIELDS.findall(text)}
    if "REMI" in fields:
        # Some banks mark unstructured remittance as /REMI/USTD//text/.
        fields["REMI"] = _REMI_MARK.sub("", fields["REMI"]).strip("/ ")
    return fields


def _line(data: dict, statement_currency: str) -> ParsedLine:
    amount = data.get("amount")
    if amount is None or data.get("date") is None:
        raise StatementFormatError(
            "An MT940 transaction has no :61: line with a date and an amount.",
            code="statement_mt940_malformed",
        )
    name = data.get("applicant_name") or ""
    iban = data.get("applicant_iban") or data.get("gvc_applicant_iban") or ""
    remittance = " ".join(
        part for part in (data.get("purpose"), data.get("additional_purpose")) if part
    )
    raw_details = data.get("transaction_details") or ""
    if raw_details and not remittance:
        # Not the German structure: the text itself, or its /NAME/ /REMI/ fields.
        fields = (
            _slash_details(raw_details.replace("\n", "")) if raw_details.startswith("/") else {}
        )
        name = name or fields.get("NAME", "")
        iban = iban or fields.get("IBAN", "")
        remittance = fields.get("REMI", "") if fields else raw_details
    bank_reference = (data.get("bank_reference") or "").strip()
    if bank_reference.upper() in _NO_REFERENCE:
        bank_reference = (data.get("customer_reference") or "").strip()
        if bank_reference.upper() in _NO_REFERENCE:
            bank_reference = ""
    remittance = clean_text(remittance)
    value_date = data["date"]
    booking_date = data.get("entry_date") or value_date
    return ParsedLine(
        booking_date=_plain_date(booking_date),
        amount=amount.amount,
        currency=amount.currency or statement_currency,
        counterparty_name=clean_text(name),
        counterparty_iban=clean_iban(iban),
        remittance_info=remittance,
        bank_reference=bank_reference,
        value_date=_plain_date(value_date),
        creditor_reference=find_creditor_reference(remittance),
    )


def _account_iban(account: str, currency: str) -> str:
    """The IBAN in `:25:`, "" when the bank wrote a bank code and number instead.

    Some banks append the currency to the IBAN (`NL69INGB0123456789EUR`); the check digits
    tell that suffix from the account number.
    """
    if is_valid_iban(account):
        return account
    if currency and account.endswith(currency) and is_valid_iban(account[: -len(currency)]):
        return account[: -len(currency)]
    return ""


def _plain_date(value) -> date | None:
    """A plain date (the library hands out its own subclass, which compares oddly in tests)."""
    return date(value.year, value.month, value.day) if value else None


def parse_mt940(data: bytes) -> ParsedStatement:
    """Every `:61:` line of every statement (`:20:` block) in the file, for one account."""
    check_size(data)
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    blocks = [block for block in _STATEMENT_START.split(text) if block.lstrip().startswith(":20:")]
    if not blocks:
        raise StatementFormatError(
            "The file holds no MT940 statement (no :20: tag).", code="statement_missing"
        )
    statements = [_transactions(block) for block in blocks]
    accounts = {clean_iban(each.data.get("account_identification")) for each in statements}
    if len(accounts) > 1:
        raise StatementFormatError(
            f"The file holds statements of several accounts ({', '.join(sorted(accounts))}); "
            "import one account at a time.",
            code="statement_accounts_differ",
        )
    first, last = statements[0].data, statements[-1].data
    currency = statements[0].currency or ""
    account = _account_iban(clean_iban(first.get("account_identification")), currency)
    number = first.get("statement_number") or ""
    if number and first.get("sequence_number"):
        number = f"{number}/{first['sequence_number']}"
    lines = [
        _line(transaction.data, each.currency or currency)
        for each in statements
        for transaction in each
    ]
    return ParsedStatement(
        format="mt940",
        account_iban=account,
        statement_id=number or first.get("transaction_reference", ""),
        currency=currency,
        opening_balance=_balance(first, "final_opening_balance", "intermediate_opening_balance"),
        closing_balance=_balance(last, "final_closing_balance", "intermediate_closing_balance"),
        lines=lines,
        account_identification=clean_text(first.get("account_identification")),
    )
