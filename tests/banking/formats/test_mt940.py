"""MT940: encodings, reversals, bank-written account numbers, unstructured details."""

from datetime import date
from decimal import Decimal

import pytest

from banking.formats import StatementFormatError
from banking.formats.mt940 import parse_mt940
from tests.banking.samples import STATEMENT_A_LINES, sample_bytes

STATEMENT = """:20:STARTUMSE
:25:{account}
:28C:7/2
:60F:C261101EUR100,00
{lines}
:62F:C261101EUR{closing}
-
"""


def _mt940(lines: str, *, account="DE89370400440532013000", closing="100,00") -> bytes:
    return STATEMENT.format(account=account, lines=lines, closing=closing).encode("utf-8")


def test_latin1_file_is_decoded():
    data = _mt940(
        ":61:2611021102C10,00NTRFNONREF//R-1\n"
        ":86:166?00GUTSCHRIFT?20Miete M\xe4rz?31DE02120300000000202051?32J\xfcrgen M\xfcller",
        closing="110,00",
    )
    data = data.decode("utf-8").encode("latin-1")

    line = parse_mt940(data).lines[0]

    assert (line.counterparty_name, line.remittance_info) == ("Jürgen Müller", "Miete März")


def test_utf8_file_with_bom_is_decoded():
    data = b"\xef\xbb\xbf" + _mt940(
        ":61:2611021102C10,00NTRFNONREF//R-1\n:86:166?20Café?32Renée",
        closing="110,00",
    )

    statement = parse_mt940(data)

    assert statement.statement_id == "7/2"
    assert statement.lines[0].counterparty_name == "Renée"


def test_reversal_marks_sign_the_amount():
    data = _mt940(
        ":61:2611021102RC5,00NTRFNONREF//R-1\n:86:Return of a credit\n"
        ":61:2611021102RD7,00NTRFNONREF//R-2\n:86:Return of a debit",
        closing="102,00",
    )

    lines = parse_mt940(data).lines

    assert [line.amount for line in lines] == [Decimal("-5.00"), Decimal("7.00")]
    assert lines[0].remittance_info == "Return of a credit"


def test_entry_date_is_the_booking_date_and_the_first_date_the_value_date():
    data = _mt940(":61:2611021103C10,00NTRFNONREF//R-1\n:86:x", closing="110,00")

    line = parse_mt940(data).lines[0]

    assert (line.booking_date, line.value_date) == (date(2026, 11, 3), date(2026, 11, 2))
    assert type(line.booking_date) is date


def test_bank_code_and_account_number_are_kept_apart_from_the_iban():
    data = _mt940(":61:2611021102C10,00NTRFNONREF//R-1\n:86:x", account="37040044/0532013000")

    statement = parse_mt940(data)

    assert statement.account_iban == ""
    assert statement.account_identification == "37040044/0532013000"


def test_customer_reference_stands_in_for_a_missing_bank_reference():
    data = _mt940(
        ":61:2611021102C10,00NTRFKREF-77\n:86:x\n:61:2611021102C10,00NTRFNONREF\n:86:y",
        closing="120,00",
    )

    assert [line.bank_reference for line in parse_mt940(data).lines] == ["KREF-77", ""]


def test_slash_keyword_details_give_name_iban_and_remittance():
    data = _mt940(
        ":61:2611021102C10,00NTRFNONREF//R-1\n"
        ":86:/EREF/E2E-1/NAME/Gamma Ltd/IBAN/GB33BUKB20201555555555\n"
        "/REMI/Invoice RF49INV202600002",
        closing="110,00",
    )

    line = parse_mt940(data).lines[0]

    assert (line.counterparty_name, line.counterparty_iban) == (
        "Gamma Ltd",
        "GB33BUKB20201555555555",
    )
    assert line.remittance_info == "Invoice RF49INV202600002"
    assert line.creditor_reference == "RF49INV202600002"


def test_rf_reference_with_wrong_check_digits_is_not_taken():
    data = _mt940(
        ":61:2611021102C10,00NTRFNONREF//R-1\n:86:166?20SVWZ+RF48INV202600002",
        closing="110,00",
    )

    assert parse_mt940(data).lines[0].creditor_reference == ""


def test_several_statement_blocks_give_all_lines_and_the_last_closing_balance():
    data = sample_bytes("statement_a.sta") + b"\n" + sample_bytes("statement_b.sta")

    statement = parse_mt940(data)

    assert len(statement.lines) == 10
    assert statement.lines[:7] == STATEMENT_A_LINES
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("1000.00"),
        Decimal("1879.50"),
    )


def test_blocks_of_different_accounts_are_refused():
    data = sample_bytes("statement_a.sta") + b"\n" + _mt940(":61:2611021102C1,00NTRF//X\n:86:x")
    data = data.replace(b":25:DE89370400440532013000", b":25:DE02120300000000202051", 1)

    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(data)

    assert caught.value.code == "statement_accounts_differ"


def test_text_without_statement_is_refused():
    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(b"just some text\n")

    assert caught.value.code == "statement_missing"


def test_file_path_as_content_is_not_read_from_disk(tmp_path):
    path = tmp_path / "other.sta"
    path.write_bytes(sample_bytes("statement_a.sta"))

    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(str(path).encode())

    assert caught.value.code == "statement_missing"


def test_iban_with_the_currency_appended_is_recognised():
    data = _mt940(":61:2611021102C1,00NTRF//X\n:86:x", account="NL91ABNA0417164300EUR")

    statement = parse_mt940(data)

    assert statement.account_iban == "NL91ABNA0417164300"
    assert statement.account_identification == "NL91ABNA0417164300EUR"


def test_account_with_wrong_check_digits_is_not_taken_for_an_iban():
    data = _mt940(":61:2611021102C1,00NTRF//X\n:86:x", account="DE88370400440532013000")

    assert parse_mt940(data).account_iban == ""


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (":61:garbage", ":61: tag does not read as one: 'garbage'"),
        (":61:2613021102C1,00NTRF//A", "month must be in 1..12"),
        (":61:2611021102C,NTRF//A", "an amount is not a number"),
    ],
)
def test_unreadable_tag_is_refused_in_words(line, words):
    with pytest.raises(StatementFormatError) as caught:
        parse_mt940(_mt940(line))

    assert caught.value.code == "statement_mt940_malformed"
    assert words in str(caught.value)
    assert "object at" not in str(caught.value)


def test_slash_keyword_remittance_loses_its_unstructured_mark():
    data = _mt940(
        ":61:2611021102C10,00NTRFNONREF//R-1\n"
        ":86:/EREF/NOTPROVIDED/ORDP//NAME/Beta Studio/REMI/USTD//Desk rental/",
        closing="110,00",
    )

    line = parse_mt940(data).lines[0]

    assert (line.counterparty_name, line.remittance_info) == ("Beta Studio", "Desk rental")
