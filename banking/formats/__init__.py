"""Reading a bank's statement file into one shape, whatever its format.

Every format yields a `ParsedStatement` of `ParsedLine`s; nothing here touches the database.
`parse_statement` is the one entry point: it refuses what is too large or empty, detects
the format when it is not given, and hands the bytes to that format's reader, imported only
then (lxml and mt-940 stay unloaded until a file of theirs arrives).

A file that cannot be read raises `StatementFormatError`, whose `code` is one of
`ERROR_CODES`.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FORMATS = ("camt053", "mt940", "csv")

# A statement is a day's or a month's movements: 20 MB holds tens of thousands of CAMT.053
# entries; a larger upload is a mistake or an attack, refused before any parsing.
MAX_STATEMENT_BYTES = 20 * 1024 * 1024

ERROR_CODES = (
    "statement_unreadable",  # the default, for a caller that gives no code
    "statement_empty",
    "statement_too_large",
    "statement_encoding_invalid",
    "statement_format_unsupported",
    "statement_xml_malformed",
    "statement_xml_forbidden",  # a DOCTYPE, the door to entity attacks
    "statement_mt940_malformed",
    "statement_missing",  # readable, but no statement in it
    "statement_accounts_differ",
    "statement_value_invalid",  # an amount, date or indicator a bank would never write
    "csv_mapping_required",
    "csv_mapping_invalid",
    "csv_column_missing",
    "csv_row_invalid",
)


class StatementFormatError(ValueError):
    """The file cannot be read as a statement; `code` is machine-readable, the text says why."""

    def __init__(
        self,
        message: str,
        code: str = "statement_unreadable",
        *,
        row: int | None = None,
        column: str = "",
    ):
        super().__init__(message)
        self.code = code
        self.row = row  # the CSV file's line number (as an editor shows it) of a bad row
        self.column = column  # the CSV column's header, when one column is at fault


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


CAMT053_NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_MT940_STATEMENT = re.compile(r"(?m)^:20:")
_MT940_CONTENT = re.compile(r"(?m)^:(?:61|60F):")
_SNIFF_BYTES = 64 * 1024


def _head_text(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def detect_format(data: bytes) -> str:
    """The format of `data` ("camt053", "mt940" or "csv"), from its content: file names lie.

    XML of any other message (camt.052, camt.054, pain.001, ...) is refused here rather than
    read as CSV, so the user learns which file they picked.
    """
    head = _head_text(data).lstrip()
    if head.startswith("<"):
        from banking.formats.xml_input import load_xml, local_name, xml_root_namespace

        namespace = xml_root_namespace(data)
        if namespace.startswith(CAMT053_NAMESPACE_PREFIX):
            return "camt053"
        load_xml(data)  # a broken file is called broken, not merely of another kind
        raise StatementFormatError(
            f"The XML file is a {local_name(namespace)} message; only camt.053 statements "
            "can be imported (camt.052 reports and camt.054 notifications are not statements).",
            code="statement_format_unsupported",
        )
    if _MT940_STATEMENT.search(head) and _MT940_CONTENT.search(head):
        return "mt940"
    return "csv"


def _format_name(format: str) -> str:
    name = format.strip().lower().replace(".", "").replace("-", "").replace("_", "")
    if name not in FORMATS:
        raise StatementFormatError(
            f"{format!r} is not a statement format Settle reads ({', '.join(FORMATS)}).",
            code="statement_format_unsupported",
        )
    return name


def parse_statement(
    data: bytes, format: str | None = None, csv_mapping: CsvMapping | None = None
) -> ParsedStatement:
    """The statement in `data`, in the given format or the detected one."""
    from banking.formats.cleaning import check_size

    data = bytes(data)
    check_size(data)
    name = _format_name(format) if format else detect_format(data)
    if name == "camt053":
        from banking.formats.camt053 import parse_camt053

        return parse_camt053(data)
    if name == "mt940":
        from banking.formats.mt940 import parse_mt940

        return parse_mt940(data)
    if csv_mapping is None:
        raise StatementFormatError(
            "This file is neither CAMT.053 nor MT940; to read it as CSV, save the column "
            "mapping of its bank account first.",
            code="csv_mapping_required",
        )
    from banking.formats.csv_format import parse_csv

    return parse_csv(data, csv_mapping)
