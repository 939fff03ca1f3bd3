"""CAMT.053: the v08 shapes (batch, reversal, pending), several statements, refusals."""

from datetime import date
from decimal import Decimal

import pytest

from banking.formats import StatementFormatError
from banking.formats.camt053 import parse_camt053
from tests.banking.samples import STATEMENT_A_LINES, sample_bytes

V02 = b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def test_v08_batch_splits_into_one_line_per_transaction_with_stable_references():
    statement = parse_camt053(sample_bytes("statement_v8.xml"))
    eta, theta = statement.lines[:2]

    assert (eta.amount, eta.counterparty_name, eta.counterparty_iban) == (
        Decimal("180.00"),
        "Eta GmbH",
        "DE44500105175407324931",
    )
    assert eta.bank_reference == "BREF-0101/TX-1"
    assert eta.remittance_info == "INV-2026-00010"
    assert (theta.amount, theta.counterparty_name) == (Decimal("120.00"), "Theta BV")
    assert theta.bank_reference == "BREF-0101/E2E-THETA"
    assert theta.creditor_reference == "RF18539007547034"
    assert theta.remittance_info == "RF18539007547034"


def test_v08_reversal_flips_the_sign_and_keeps_the_original_payer():
    reversal = parse_camt053(sample_bytes("statement_v8.xml")).lines[2]

    assert reversal.amount == Decimal("-50.00")
    assert reversal.counterparty_name == "Iota Oy"
    assert reversal.bank_reference == "BREF-0102"
    assert reversal.booking_date == date(2026, 11, 10)  # from BookgDt/DtTm


def test_v08_pending_entry_is_not_a_line_and_fees_fall_back_to_entry_information():
    statement = parse_camt053(sample_bytes("statement_v8.xml"))

    assert [line.bank_reference for line in statement.lines] == [
        "BREF-0101/TX-1",
        "BREF-0101/E2E-THETA",
        "BREF-0102",
        "FEE-11",
    ]
    fee = statement.lines[3]
    assert (fee.amount, fee.remittance_info, fee.value_date) == (
        Decimal("-4.90"),
        "Account fees November",
        None,
    )
    # PRCD stands in for the opening balance; CLAV is not the closing one.
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("500.00"),
        Decimal("745.10"),
    )
    assert statement.account_iban == "DE89370400440532013000"


def test_batch_whose_parts_do_not_add_up_stays_one_line():
    data = sample_bytes("statement_v8.xml").replace(b">180.00<", b">170.00<")

    lines = parse_camt053(data).lines

    assert lines[0].amount == Decimal("300.00")
    assert lines[0].bank_reference == "BREF-0101"
    assert lines[0].counterparty_name == ""
    assert lines[0].remittance_info == "INV-2026-00010 RF18539007547034"


@pytest.mark.parametrize("version", ["03", "04", "06", "08", "10", "13"])
def test_every_camt053_version_namespace_is_read(version):
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}".encode()
    data = sample_bytes("statement_a.xml").replace(V02, namespace)

    assert parse_camt053(data).lines == STATEMENT_A_LINES


def _two_statements(second_iban: bytes) -> bytes:
    data = sample_bytes("statement_a.xml")
    start, end = data.index(b"<Stmt>"), data.index(b"</Stmt>") + len(b"</Stmt>")
    second = data[start:end].replace(b"STMT-2026-11-A", b"STMT-2026-11-A2")
    second = second.replace(b"<IBAN>DE89370400440532013000</IBAN>", second_iban, 1)
    return data[:end] + second + data[end:]


def test_several_statements_of_one_account_give_all_their_lines():
    data = _two_statements(b"<IBAN>DE89 3704 0044 0532 0130 00</IBAN>")

    statement = parse_camt053(data)

    assert statement.lines == STATEMENT_A_LINES * 2
    assert statement.statement_id == "STMT-2026-11-A"
    assert statement.account_iban == "DE89370400440532013000"


def test_several_statements_of_different_accounts_are_refused():
    data = _two_statements(b"<IBAN>DE02120300000000202051</IBAN>")

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_accounts_differ"
    assert "DE02120300000000202051" in str(caught.value)


def test_amount_that_is_not_a_number_is_refused_with_the_entry_named():
    data = sample_bytes("statement_a.xml").replace(b">75.50<", b">75,50<")

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_value_invalid"
    assert "BREF-0003" in str(caught.value)


def test_missing_credit_debit_indicator_is_refused():
    data = sample_bytes("statement_a.xml").replace(b"<CdtDbtInd>DBIT</CdtDbtInd>", b"", 1)

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_value_invalid"


def test_document_without_statement_is_refused():
    data = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>'

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_missing"


def test_escaped_text_reads_back_as_written():
    data = sample_bytes("statement_a.xml").replace(b"Gamma   Ltd", b"Gamma &amp; Sons &lt;Ltd&gt;")

    assert parse_camt053(data).lines[2].counterparty_name == "Gamma & Sons <Ltd>"


def test_signed_amount_is_refused_because_the_indicator_carries_the_direction():
    data = sample_bytes("statement_a.xml").replace(b">40.00<", b">-40.00<")

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_value_invalid"


def test_batch_parts_without_references_are_numbered_under_the_entry_reference():
    data = sample_bytes("statement_v8.xml")
    data = data.replace(b"<AcctSvcrRef>TX-1</AcctSvcrRef>", b"").replace(b"E2E-THETA", b"E2E-ETA")

    references = [line.bank_reference for line in parse_camt053(data).lines[:2]]

    assert references == ["BREF-0101/E2E-ETA", "BREF-0101/2"]


def test_batch_parts_without_an_entry_reference_keep_only_their_own():
    data = sample_bytes("statement_v8.xml")
    data = data.replace(b"<AcctSvcrRef>BREF-0101</AcctSvcrRef>", b"")
    data = data.replace(b"<Refs><EndToEndId>E2E-THETA</EndToEndId></Refs>", b"")

    references = [line.bank_reference for line in parse_camt053(data).lines[:2]]

    assert references == ["TX-1", ""]
