"""CSV through a column mapping: number formats, the debit/credit column, bad rows and columns."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from banking.formats import CsvMapping, StatementFormatError
from banking.formats.csv_format import parse_amount, parse_csv
from tests.banking.samples import STATEMENT_MAPPING, sample_bytes

HEADER = "Buchungstag;Valuta;Betrag;Währung;Name;IBAN;Verwendungszweck;Referenz\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("-12,50", "-12.50"),
        ("12,50-", "-12.50"),
        ("+3", "3"),
        ("1 234,56 €", "1234.56"),
        ("(7,00)", "-7.00"),
        ("0,01", "0.01"),
        ("1.234.567,00", "1234567.00"),
    ],
)
def test_decimal_comma_amounts(text, expected):
    value = parse_amount(text, decimal_comma=True)

    assert value == Decimal(expected)
    assert type(value) is Decimal


@pytest.mark.parametrize(
    ("text", "expected"), [("1,234.56", "1234.56"), ("-12.50", "-12.50"), ("1'234.50", "1234.50")]
)
def test_decimal_point_amounts(text, expected):
    assert parse_amount(text, decimal_comma=False) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "12,5,0", "1.23,45", "abc", "1e5", "NaN", "--1"])
def test_amounts_that_are_not_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text, decimal_comma=True)


def test_bad_amount_names_its_row_and_column():
    data = _csv(
        "02.11.2026;02.11.2026;120,00;EUR;A;;x;R-1",
        "03.11.2026;03.11.2026;12x,00;EUR;B;;y;R-2",
    )

    with pytest.raises(StatementFormatError) as caught:
        parse_csv(data, STATEMENT_MAPPING)

    error = caught.value
    assert error.code == "csv_row_invalid"
    assert (error.row, error.column) == (3, "Betrag")
    assert "Row 3" in str(error) and "'Betrag'" in str(error)


def test_bad_date_names_its_row_and_column():
    data = _csv("2026-11-02;02.11.2026;120,00;EUR;A;;x;R-1")

    with pytest.raises(StatementFormatError) as caught:
        parse_csv(data, STATEMENT_MAPPING)

    assert caught.value.code == "csv_row_invalid"
    assert (caught.value.row, caught.value.column) == (2, "Buchungstag")
    assert "%d.%m.%Y" in str(caught.value)


def test_missing_mapped_column_is_named():
    data = _csv("02.11.2026;120,00", header="Buchungstag;Amount\n")

    with pytest.raises(StatementFormatError) as caught:
        parse_csv(data, STATEMENT_MAPPING)

    assert caught.value.code == "csv_column_missing"
    assert "'Betrag'" in str(caught.value)
    assert caught.value.column == "Betrag"


def test_header_is_matched_without_regard_to_case_or_spacing():
    data = _csv("02.11.2026;;120,00;EUR;A;;x;R-1", header=HEADER.upper().replace(";", " ; "))

    line = parse_csv(data, STATEMENT_MAPPING).lines[0]

    assert (line.amount, line.value_date) == (Decimal("120.00"), None)


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_file():
    data = _csv("02.11.2026;;1,00;EUR;A;;x;R-1", ";;;;;;;", "", "03.11.2026;;bad;EUR;B;;y;R-2")

    with pytest.raises(StatementFormatError) as caught:
        parse_csv(data, STATEMENT_MAPPING)

    assert caught.value.row == 5


def test_debit_credit_column_signs_unsigned_amounts():
    mapping = CsvMapping(
        date="Date",
        amount="Amount",
        debit_credit="D/C",
        default_currency="chf",
        delimiter=",",
        date_format="%Y-%m-%d",
    )
    data = b'Date,Amount,D/C\n2026-11-02,"1,200.00",C\n2026-11-03,50.00,D\n2026-11-03,5.00,Soll\n'

    statement = parse_csv(data, mapping)

    assert [line.amount for line in statement.lines] == [
        Decimal("1200.00"),
        Decimal("-50.00"),
        Decimal("-5.00"),
    ]
    assert {line.currency for line in statement.lines} == {"CHF"}
    assert statement.currency == "CHF"
    assert statement.lines[0].booking_date == date(2026, 11, 2)


def test_empty_debit_credit_mark_is_refused():
    mapping = CsvMapping(date="Date", amount="Amount", debit_credit="D/C", delimiter=",")

    with pytest.raises(StatementFormatError) as caught:
        parse_csv(b"Date,Amount,D/C\n2026-11-02,5.00,\n", mapping)

    assert (caught.value.code, caught.value.column) == ("csv_row_invalid", "D/C")


def test_quoted_fields_with_delimiters_and_line_breaks():
    data = _csv('02.11.2026;;120,00;EUR;"Acme; Inc";;"Invoice\nINV-2026-00001";R-1')

    line = parse_csv(data, STATEMENT_MAPPING).lines[0]

    assert (line.counterparty_name, line.remittance_info) == ("Acme; Inc", "Invoice INV-2026-00001")


def test_preamble_above_the_header_and_latin1_are_tolerated():
    statement = parse_csv(sample_bytes("statement_b.csv"), STATEMENT_MAPPING)

    assert [line.bank_reference for line in statement.lines] == [
        "BREF-0006",
        "BREF-0007",
        "BREF-0008",
    ]


def test_header_only_gives_no_lines():
    assert parse_csv(_csv(), STATEMENT_MAPPING).lines == []


def test_invalid_delimiter_in_mapping_is_refused():
    with pytest.raises(StatementFormatError) as caught:
        parse_csv(_csv(), replace(STATEMENT_MAPPING, delimiter=";;"))

    assert caught.value.code == "csv_mapping_invalid"


def test_binary_file_is_refused_as_not_text():
    with pytest.raises(StatementFormatError) as caught:
        parse_csv(b"PK\x03\x04\x00\x00binary", STATEMENT_MAPPING)

    assert caught.value.code == "statement_encoding_invalid"
