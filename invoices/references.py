"""The structured creditor reference of an invoice (ISO 11649: `RF` + two check digits + up to
21 letters or digits), built from its number: a payer who types it, or a bank form that
asks for it, points at exactly one invoice, and the bank statement import recognises it."""

import re


def _check_value(reference_body: str) -> int:
    """ISO 7064 MOD 97-10 over `body + "RF00"`, letters as 10..35."""
    digits = "".join(str(int(char, 36)) for char in reference_body + "RF00")
    return int(digits) % 97


def creditor_reference(number: str) -> str:
    """`INV-2026-00002` → `RF49INV202600002`."""
    body = re.sub(r"[^A-Z0-9]", "", number.upper())[:21]
    return f"RF{98 - _check_value(body):02d}{body}"


def creditor_reference_printed(number: str) -> str:
    """The reference in groups of four, as ISO 11649 asks for print: `RF49 INV2 0260 0002`."""
    reference = creditor_reference(number)
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def creditor_reference_valid(reference: str) -> bool:
    reference = re.sub(r"\s", "", reference.upper())
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", reference):
        return False
    digits = "".join(str(int(char, 36)) for char in reference[4:] + reference[:4])
    return int(digits) % 97 == 1
