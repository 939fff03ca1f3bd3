"""Reading a bank's statement file into one shape, whatever its format.

Every format yields a `ParsedStatement` of `ParsedLine`s; nothing here touches the database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FORMATS = ("camt053", "mt940", "csv")
MAX_STATEMENT_BYTES = 20_000_000


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
    creditor_reference: str = ""  # a structured RF reference, when the payer gave one


@dataclass(frozen=True)
class ParsedStatement:
    format: str
    account_iban: str = ""
    statement_id: str = ""
    currency: str = ""
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    lines: list[ParsedLine] = field(default_factory=list)
