"""Reading a bank's statement file into one shape, whatever its format.

Every format yields a `ParsedStatement` of `ParsedLine`s; nothing here touches the database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FORMATS = ("camt053", "mt940", "csv")


class StatementFormatError(ValueError):
    """The file cannot be read as a statement; `code` is machine-readable, the text says why."""

    def __init__(self, message: str, code: str = "statement_unreadable"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CsvMapping:
    """Which column of a bank's CSV holds what (header names), saved per bank account."""

    date: str
    amount: str
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance_info: str = ""
    bank_reference: str = ""
    currency: str = ""
    delimiter: str = ";"
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    value_date: str = ""
    default_currency: str = ""  # when the file has no currency column
    # A bank that writes every amount unsigned and the direction in its own column:
    debit_credit: str = ""
    debit_marks: tuple[str, ...] = ("D", "DBIT", "S", "SOLL", "DEBIT", "-")


@dataclass(frozen=True)
class ParsedLine:
    booking_date: date
    amount: Decimal  # negative for money out
    currency: str
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance_info: str = ""
    bank_reference: str = ""  # the bank's own id for the entry, when it gives one
    value_date: date | None = None
    creditor_reference: str = ""  # an ISO 11649 RF reference found in the remittance


@dataclass(frozen=True)
class ParsedStatement:
    format: str
    account_iban: str = ""
    statement_id: str = ""
    currency: str = ""
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    lines: list[ParsedLine] = field(default_factory=list)
    account_identification: str = ""  # the account as the bank wrote it (BLZ/number when no IBAN)
