"""The small pieces of a PDF: amounts, numbers, the IBAN, the inlined logo, no fetching."""

from decimal import Decimal

import pytest

from billing.formats import format_iban
from payments.documents.content import logo_data_uri
from payments.documents.formatting import (
    document_money,
    document_number,
    document_percent,
    document_unit_price,
)
from payments.documents.pdf import _inline_only_fetcher
from tests.factories import EntityFactory

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def test_amounts_numbers_and_rates_read_as_on_paper():
    assert document_money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert document_money(Decimal("-3"), "JPY") == "-¥3"
    assert document_number(Decimal("2.0000")) == "2"
    assert document_number(Decimal("1.2500")) == "1.25"
    assert document_number(Decimal("12000")) == "12,000"
    assert document_unit_price(Decimal("0.1250"), "EUR") == "0.125"
    assert document_unit_price(Decimal("12.5000"), "EUR") == "12.50"
    assert document_percent(Decimal("7.500")) == "7.5\u00a0%"


def test_an_iban_is_grouped_by_four():
    assert format_iban("de89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert format_iban("") == ""


@pytest.mark.django_db
def test_the_logo_is_inlined_and_only_an_image_type():
    entity = EntityFactory(logo=PNG_1PX, logo_content_type="image/png")
    other = EntityFactory(logo=b"<html>", logo_content_type="text/html")

    assert logo_data_uri(entity).startswith("data:image/png;base64,iVBORw0KGgo")
    assert logo_data_uri(other) == ""


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "ftp://x/y"]
)
def test_the_renderer_fetches_no_file_and_no_url(url):
    with pytest.raises(ValueError):
        _inline_only_fetcher().fetch(url)
