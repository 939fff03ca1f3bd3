"""Format detection and the one entry point's refusals, each with its code."""

import subprocess
import sys

import pytest

from banking.formats import (
    ERROR_CODES,
    MAX_STATEMENT_BYTES,
    StatementFormatError,
    detect_format,
    parse_statement,
)
from tests.banking.samples import STATEMENT_A_LINES, STATEMENT_MAPPING, sample_bytes

CAMT054 = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>"""
PAIN001 = b"""<p:Document xmlns:p="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><p:CstmrCdtTrfInitn/></p:Document>"""


def _code(**call) -> str:
    with pytest.raises(StatementFormatError) as caught:
        parse_statement(**call)
    assert caught.value.code in ERROR_CODES
    return caught.value.code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("statement_a.xml", "camt053"),
        ("statement_v8.xml", "camt053"),
        ("statement_a.sta", "mt940"),
        ("statement_a.csv", "csv"),
        ("statement_b.csv", "csv"),
    ],
)
def test_samples_are_detected(name, expected):
    assert detect_format(sample_bytes(name)) == expected


def test_prefixed_camt053_root_in_utf16_is_detected():
    data = sample_bytes("statement_a.xml").decode()
    data = data.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    data = data.replace("<Document xmlns=", "<c:Document xmlns:c=").replace(
        "</Document>", "</c:Document>"
    )

    assert detect_format(data.encode("utf-16")) == "camt053"


@pytest.mark.parametrize(("data", "message"), [(CAMT054, "camt.054"), (PAIN001, "pain.001")])
def test_other_iso20022_messages_are_refused_by_name(data, message):
    with pytest.raises(StatementFormatError) as caught:
        parse_statement(data)

    assert caught.value.code == "statement_format_unsupported"
    assert message in str(caught.value)


def test_camt054_given_as_camt053_is_refused_too():
    assert _code(data=CAMT054, format="camt053") == "statement_format_unsupported"


def test_unknown_format_name_is_refused():
    assert _code(data=sample_bytes("statement_a.xml"), format="bai2") == (
        "statement_format_unsupported"
    )


@pytest.mark.parametrize("format", ["CAMT.053", "camt_053", "MT940", "mt-940"])
def test_format_names_are_read_loosely(format):
    name = "statement_a.xml" if "053" in format else "statement_a.sta"

    assert parse_statement(sample_bytes(name), format=format).lines == STATEMENT_A_LINES


def test_csv_without_mapping_is_refused():
    assert _code(data=sample_bytes("statement_a.csv")) == "csv_mapping_required"
    assert _code(data=sample_bytes("statement_a.csv"), format="csv") == "csv_mapping_required"


def test_csv_with_mapping_is_read():
    statement = parse_statement(sample_bytes("statement_a.csv"), csv_mapping=STATEMENT_MAPPING)

    assert statement.lines == STATEMENT_A_LINES


@pytest.mark.parametrize("data", [b"", b"  \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"])
def test_empty_file_is_refused(data):
    assert _code(data=data, csv_mapping=STATEMENT_MAPPING) == "statement_empty"


def test_file_over_the_limit_is_refused_before_reading():
    data = b"<" + b" " * MAX_STATEMENT_BYTES

    assert _code(data=data) == "statement_too_large"
    assert _code(data=data, format="csv", csv_mapping=STATEMENT_MAPPING) == "statement_too_large"


def test_malformed_xml_and_wrong_encoding_have_their_codes():
    camt = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><a></Document>'
    assert _code(data=camt) == "statement_xml_malformed"
    assert _code(data=b"<Document") == "statement_xml_malformed"
    assert _code(data=b"<html><body/></html>") == "statement_format_unsupported"
    assert _code(data=b"\x00\x01\x02binary", csv_mapping=STATEMENT_MAPPING) == (
        "statement_encoding_invalid"
    )


def test_mt940_given_as_camt053_is_malformed_xml():
    assert _code(data=sample_bytes("statement_a.sta"), format="camt053") == (
        "statement_xml_malformed"
    )


def test_importing_the_package_loads_neither_lxml_nor_mt940():
    code = "import sys, banking.formats; print('lxml' in sys.modules, 'mt940' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["False", "False"]
