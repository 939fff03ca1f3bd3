"""Small normalisations every format shares, so that one payer reads the same in all three.

A bank writes an IBAN with spaces in one file and without in the next, wraps names over
lines, and buries the structured creditor reference in free text; matching needs one form.
"""

import re
from decimal import Decimal, InvalidOperation

from banking.formats import MAX_STATEMENT_BYTES, StatementFormatError
from invoices.references import creditor_reference_valid

_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
# ISO 11649: "RF", two check digits, up to 21 alphanumerics; a word of its own in the text.
_RF_REFERENCE = re.compile(r"(?<![A-Z0-9])RF\d{2}[A-Z0-9]{1,21}(?![A-Z0-9])", re.IGNORECASE)


def clean_text(value: str | None) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return " ".join(value.split()) if value else ""


def clean_iban(value: str | None) -> str:
    """Upper case without spaces: the form matching compares."""
    return "".join(value.split()).upper() if value else ""


def is_iban(value: str) -> bool:
    """The shape of an IBAN (not its checksum: the bank already vouched for it)."""
    return bool(_IBAN.fullmatch(value))


def is_valid_iban(value: str) -> bool:
    """The shape and the ISO 13616 check digits of an IBAN."""
    return is_iban(value) and _mod97(value[4:] + value[:4]) == 1


def _mod97(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text)) % 97


def find_creditor_reference(text: str) -> str:
    """The first valid RF reference written in free text, upper case; "" when there is none."""
    for match in _RF_REFERENCE.finditer(text or ""):
        candidate = match.group(0).upper()
        if creditor_reference_valid(candidate):
            return candidate
    return ""


def decimal_from_text(text: str | None, *, what: str) -> Decimal:
    """An unsigned decimal as XML writes it ("1234.56"), never through float."""
    raw = (text or "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        # ISO 20022 amounts are unsigned (the direction is CdtDbtInd); a sign here is a
        # file no bank wrote, and reading it would flip money in and out.
        raise StatementFormatError(
            f"{what} is not an amount: {raw[:40]!r}.", code="statement_value_invalid"
        )
    return value


def check_size(data: bytes) -> None:
    """Empty and oversized files are refused before any parsing work."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementFormatError(
            f"The file is larger than {MAX_STATEMENT_BYTES // (1024 * 1024)} MB.",
            code="statement_too_large",
        )
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise StatementFormatError("The file is empty.", code="statement_empty")


def decode_text(data: bytes) -> str:
    """Text files from banks come in UTF-8 (with or without BOM), UTF-16 or Latin-1/CP1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_text() from None
    if b"\x00" in data:
        raise _not_text()
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _not_text() -> StatementFormatError:
    return StatementFormatError(
        "The file is not text in a known encoding (UTF-8, UTF-16 or Latin-1); "
        "is it a spreadsheet or a PDF rather than the bank's export?",
        code="statement_encoding_invalid",
    )
