"""An uploaded XML file is never trusted: no entity, no DTD, no network."""

import pytest

from banking.formats import StatementFormatError, parse_statement
from banking.formats.camt053 import parse_camt053
from tests.banking.samples import sample_bytes

SECRET = "settle-xxe-canary-7f3a"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _with_entity(declaration: str) -> bytes:
    data = sample_bytes("statement_a.xml").decode()
    data = data.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [ {declaration} ]>',
    )
    return data.replace("Donation", "&xxe;").encode()


@pytest.mark.parametrize("parse", [parse_camt053, parse_statement])
def test_external_entity_is_refused_and_never_read(secret_file, parse):
    data = _with_entity(f'<!ENTITY xxe SYSTEM "file://{secret_file}">')

    with pytest.raises(StatementFormatError) as caught:
        parse(data)

    assert caught.value.code == "statement_xml_forbidden"
    assert SECRET not in str(caught.value)


def test_entity_expansion_is_refused():
    declaration = '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(_with_entity(declaration).replace(b"&xxe;", b"&b;"))

    assert caught.value.code == "statement_xml_forbidden"


def test_doctype_in_utf16_is_refused_after_parsing_without_resolving(secret_file):
    data = _with_entity(f'<!ENTITY xxe SYSTEM "file://{secret_file}">').decode()
    data = data.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    with pytest.raises(StatementFormatError) as caught:
        parse_camt053(data)

    assert caught.value.code == "statement_xml_forbidden"
    assert SECRET not in str(caught.value)


def test_malformed_xml_is_refused():
    data = sample_bytes("statement_a.xml")[:-40]

    with pytest.raises(StatementFormatError) as caught:
        parse_statement(data)

    assert caught.value.code == "statement_xml_malformed"
