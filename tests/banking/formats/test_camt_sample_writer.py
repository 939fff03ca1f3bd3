"""bench/camt_sample.py writes documents the reader gives back line for line."""

from dataclasses import replace
from decimal import Decimal

from banking.formats import detect_format
from banking.formats.camt053 import parse_camt053
from bench.camt_sample import camt053_document, sample_lines
from tests.banking.samples import ACCOUNT_IBAN, STATEMENT_A_LINES


def test_statement_a_round_trips():
    document = camt053_document(
        STATEMENT_A_LINES,
        account_iban=ACCOUNT_IBAN,
        statement_id="RT-1",
        opening_balance=Decimal("1000.00"),
    )

    statement = parse_camt053(document)

    assert detect_format(document) == "camt053"
    assert statement.lines == STATEMENT_A_LINES
    assert (statement.account_iban, statement.statement_id, statement.currency) == (
        ACCOUNT_IBAN,
        "RT-1",
        "EUR",
    )
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("1000.00"),
        Decimal("1579.50"),
    )


def test_markup_in_text_is_escaped_and_long_remittance_is_split_and_rejoined():
    line = replace(
        STATEMENT_A_LINES[0],
        counterparty_name='Smith & Sons <"Ltd"> \'s',
        remittance_info=" ".join(f"INV-2026-{n:05d}" for n in range(1, 31)),
        bank_reference="A&B<1>",
    )

    document = camt053_document([line], account_iban=ACCOUNT_IBAN, statement_id="<id>&")

    assert document.count(b"<Ustrd>") > 1
    statement = parse_camt053(document)
    assert statement.lines == [line]
    assert statement.statement_id == "<id>&"


def test_generated_lines_round_trip():
    lines = sample_lines(300)

    document = camt053_document(lines, account_iban=ACCOUNT_IBAN, statement_id="RT-300")

    assert parse_camt053(document).lines == lines
    assert any(line.amount < 0 for line in lines)
