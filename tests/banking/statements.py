"""Statements for the banking tests, built in memory (the file formats have their own tests)."""

from datetime import date
from decimal import Decimal

from banking.formats import ParsedLine, ParsedStatement

ACCOUNT = "DE89370400440532013000"


def line(day, amount, name="", iban="", remittance="", ref="", creditor_reference=""):
    return ParsedLine(
        booking_date=date(2026, 11, day),
        amount=Decimal(amount),
        currency="EUR",
        counterparty_name=name,
        counterparty_iban=iban,
        remittance_info=remittance,
        bank_reference=ref,
        **({"creditor_reference": creditor_reference} if creditor_reference else {}),
    )


def statement(*lines, statement_id="STMT-1"):
    return ParsedStatement(
        format="camt053",
        account_iban=ACCOUNT,
        statement_id=statement_id,
        currency="EUR",
        lines=list(lines),
    )
