"""The same made-up statements in all three formats read to the very same lines."""

from decimal import Decimal

import pytest

from banking.formats import parse_statement
from tests.banking.samples import (
    ACCOUNT_IBAN,
    SAMPLE_FILES,
    STATEMENT_A_LINES,
    STATEMENT_B_LINES,
    STATEMENT_MAPPING,
    sample_bytes,
)


def _read(name):
    return parse_statement(sample_bytes(name), csv_mapping=STATEMENT_MAPPING)


@pytest.mark.parametrize("format", ["camt053", "mt940", "csv"])
def test_statement_a_gives_the_seven_expected_lines(format):
    statement = _read(SAMPLE_FILES[format][0])

    assert statement.format == format
    assert statement.lines == STATEMENT_A_LINES
    for line in statement.lines:
        assert type(line.amount) is Decimal
    assert sum(line.amount for line in statement.lines) == Decimal("579.50")


@pytest.mark.parametrize("format", ["camt053", "mt940"])
def test_statement_a_carries_its_account_and_balances(format):
    statement = _read(SAMPLE_FILES[format][0])

    assert statement.account_iban == ACCOUNT_IBAN
    assert statement.currency == "EUR"
    assert statement.opening_balance == Decimal("1000.00")
    assert statement.closing_balance == Decimal("1579.50")
    assert statement.opening_balance + sum(line.amount for line in statement.lines) == (
        statement.closing_balance
    )


def test_statement_ids():
    assert _read("statement_a.xml").statement_id == "STMT-2026-11-A"
    assert _read("statement_a.sta").statement_id == "00045/001"
    assert _read("statement_b.sta").statement_id == "00046/001"


def test_csv_statement_has_no_account_but_its_currency():
    statement = _read("statement_a.csv")

    assert (statement.account_iban, statement.currency) == ("", "EUR")
    assert statement.opening_balance is None and statement.closing_balance is None


@pytest.mark.parametrize("format", ["camt053", "mt940", "csv"])
def test_statement_b_overlaps_a_by_the_same_bank_references(format):
    a_name, b_name = SAMPLE_FILES[format]
    a, b = _read(a_name), _read(b_name)

    assert b.lines == STATEMENT_B_LINES
    a_refs = {line.bank_reference for line in a.lines}
    b_refs = {line.bank_reference for line in b.lines}
    assert a_refs & b_refs == {"BREF-0006", "BREF-0007"}
    assert b_refs - a_refs == {"BREF-0008"}
    assert len(a_refs) == len(a.lines)


def test_rf_reference_is_found_in_every_format():
    for a_name, _b_name in SAMPLE_FILES.values():
        line = _read(a_name).lines[1]
        assert line.creditor_reference == "RF49INV202600002"
        assert line.remittance_info.startswith("RF49INV202600002")
