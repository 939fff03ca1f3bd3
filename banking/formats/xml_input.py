"""Loading an uploaded XML file without trusting it.

A statement is uploaded by a user, so the XML parser resolves no entity, fetches nothing
from the network, loads no DTD, and a document that declares a DOCTYPE at all is refused:
no bank's statement needs one, and it is how entity attacks (XXE, entity expansion) begin.
"""

import io
import re

from lxml import etree

from banking.formats import StatementFormatError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml's parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _refuse_doctype(data: bytes) -> None:
    root = _ROOT_START.search(data)
    prolog = data[: root.start()] if root else data
    if _DOCTYPE.search(prolog):
        raise StatementFormatError(
            "The XML file declares a DOCTYPE, which a bank statement never needs; it is refused.",
            code="statement_xml_forbidden",
        )


def _malformed(error: Exception) -> StatementFormatError:
    return StatementFormatError(
        f"The XML file is malformed: {error}.", code="statement_xml_malformed"
    )


def load_xml(data: bytes) -> etree._Element:
    """The document's root element, parsed with every external or expanding feature off."""
    _refuse_doctype(data)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise _malformed(error) from None
    if root.getroottree().docinfo.doctype:
        # Reached only when the prolog was in an encoding the byte scan cannot read.
        raise StatementFormatError(
            "The XML file declares a DOCTYPE, which a bank statement never needs; it is refused.",
            code="statement_xml_forbidden",
        )
    return root


def xml_root_namespace(data: bytes) -> str:
    """The namespace of the root element, read from the first tag only (detection is cheap)."""
    _refuse_doctype(data)
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _event, element in events:
            return etree.QName(element).namespace or ""
    except etree.XMLSyntaxError as error:
        raise _malformed(error) from None
    raise StatementFormatError("The XML file has no root element.", code="statement_xml_malformed")


def local_name(namespace: str) -> str:
    """The message name of an ISO 20022 namespace ("camt.054.001.08"), for error messages."""
    return namespace.rsplit(":", 1)[-1] if namespace else "plain XML (not ISO 20022)"
