"""A bank's CSV export, read through the column mapping saved for its account.

Every bank writes its own CSV: the mapping names the header of each column, the
delimiter, the date format and whether amounts use a decimal comma (`1.234,56`). A row
that cannot be read is refused with its row number and column rather than skipped: a
statement with a line silently missing would reconcile wrongly.
"""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

from banking.formats import CsvMapping, ParsedLine, ParsedStatement, StatementFormatError
from banking.formats.cleaning import (
    check_size,
    clean_iban,
    clean_text,
    decode_text,
    find_creditor_reference,
)

# Some banks put a few lines about the account above the header; it is looked for this far.
_HEADER_SEARCH_ROWS = 30
_CURRENCY = re.compile(r"[A-Z]{3}")
_AMOUNT_NOISE = str.maketrans("", "", " \u00a0\u202f'€$£")
_GROUPED = {
    True: re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"),
    False: re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"),
}


class _RowError(ValueError):
    pass


def parse_amount(raw: str, *, decimal_comma: bool) -> Decimal:
    """`1.234,56`, `-12,50`, `12,50-`, `(12.50)`, `+3` → Decimal; anything else is refused."""
    text = (raw or "").translate(_AMOUNT_NOISE).upper().removesuffix("EUR").removeprefix("EUR")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith(("-", "+")):
        negative, text = text.endswith("-"), text[:-1]
    elif text.startswith(("-", "+")):
        negative, text = text.startswith("-"), text[1:]
    if not _GROUPED[decimal_comma].fullmatch(text):
        raise _RowError(f"{raw.strip()!r} is not an amount")
    grouping, point = (".", ",") if decimal_comma else (",", ".")
    value = Decimal(text.replace(grouping, "").replace(point, "."))
    return -value if negative else value


def _parse_date(raw: str, date_format: str) -> date:
    try:
        return datetime.strptime(raw.strip(), date_format).date()
    except ValueError:
        raise _RowError(f"{raw.strip()!r} is not a date in the format {date_format}") from None


def _mapped_columns(mapping: CsvMapping) -> dict[str, str]:
    names = {
        "date": mapping.date,
        "amount": mapping.amount,
        "value_date": mapping.value_date,
        "counterparty_name": mapping.counterparty_name,
        "counterparty_iban": mapping.counterparty_iban,
        "remittance_info": mapping.remittance_info,
        "bank_reference": mapping.bank_reference,
        "currency": mapping.currency,
        "debit_credit": mapping.debit_credit,
    }
    return {field: clean_text(header) for field, header in names.items() if clean_text(header)}


def _locate_header(rows, wanted: dict[str, str]) -> tuple[dict[str, int], int]:
    """The position of every mapped column, from the first row that names them all."""
    first = None
    for number, row in enumerate(rows, start=1):
        headers = {}
        for index, cell in enumerate(row):
            headers.setdefault(clean_text(cell.lstrip("\ufeff")).casefold(), index)
        if first is None and any(cell.strip() for cell in row):
            first = headers
        positions = {field: headers.get(header.casefold()) for field, header in wanted.items()}
        if all(position is not None for position in positions.values()):
            return positions, number
        if number >= _HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise StatementFormatError("The CSV file has no header row.", code="statement_empty")
    missing = [header for header in wanted.values() if header.casefold() not in first]
    missing = missing or list(wanted.values())  # all there, but beyond the rows searched
    raise StatementFormatError(
        f"The CSV file has no column {', '.join(repr(name) for name in missing)} "
        "that its mapping names.",
        code="csv_column_missing",
        column=missing[0],
    )


def parse_csv(data: bytes, mapping: CsvMapping) -> ParsedStatement:
    """Every non-empty row under the header, read through `mapping`."""
    check_size(data)
    text = decode_text(data)
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    except TypeError:
        raise StatementFormatError(
            f"The mapping's delimiter {mapping.delimiter!r} is not one character.",
            code="csv_mapping_invalid",
        ) from None
    wanted = _mapped_columns(mapping)
    try:
        positions, _header_row = _locate_header(rows, wanted)
        debit_marks = {mark.strip().upper() for mark in mapping.debit_marks}
        lines = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            lines.append(_row_line(row, rows.line_num, positions, wanted, mapping, debit_marks))
    except csv.Error as error:
        raise StatementFormatError(
            f"Row {rows.line_num} of the CSV file cannot be read: {error}.",
            code="csv_row_invalid",
            row=rows.line_num,
        ) from None
    currencies = {line.currency for line in lines if line.currency}
    return ParsedStatement(
        format="csv",
        currency=currencies.pop() if len(currencies) == 1 else mapping.default_currency.upper(),
        lines=lines,
    )


def _row_line(row, number, positions, wanted, mapping, debit_marks) -> ParsedLine:
    def cell(field: str) -> str:
        position = positions.get(field)
        return row[position] if position is not None and position < len(row) else ""

    field = "date"
    try:
        booking_date = _parse_date(cell("date"), mapping.date_format)
        field = "value_date"
        value_date = (
            _parse_date(cell("value_date"), mapping.date_format)
            if cell("value_date").strip()
            else None
        )
        field = "amount"
        amount = parse_amount(cell("amount"), decimal_comma=mapping.decimal_comma)
        if "debit_credit" in positions:
            field = "debit_credit"
            mark = cell("debit_credit").strip().upper()
            if not mark:
                raise _RowError("the debit/credit mark is empty")
            amount = -abs(amount) if mark in debit_marks else abs(amount)
        field = "currency"
        currency = (cell("currency").strip() or mapping.default_currency).upper()
        if currency and not _CURRENCY.fullmatch(currency):
            raise _RowError(f"{currency!r} is not a currency code")
    except _RowError as error:
        column = wanted[field]
        raise StatementFormatError(
            f"Row {number} of the CSV file, column {column!r}: {error}.",
            code="csv_row_invalid",
            row=number,
            column=column,
        ) from None
    remittance = clean_text(cell("remittance_info"))
    return ParsedLine(
        booking_date=booking_date,
        amount=amount,
        currency=currency,
        counterparty_name=clean_text(cell("counterparty_name")),
        counterparty_iban=clean_iban(cell("counterparty_iban")),
        remittance_info=remittance,
        bank_reference=clean_text(cell("bank_reference")),
        value_date=value_date,
        creditor_reference=find_creditor_reference(remittance),
    )
