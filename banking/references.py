"""How a payer names an invoice in a transfer: its number, however typed, or an RF reference.

Numbers are issued as `PREFIX-YYYY-NNNNN`; payers write `INV-2026-00042`, `inv 2026 42` or
`INV202600042`. `number_key` reduces each spelling to one key, so one dictionary lookup finds
the invoice. Its structured creditor reference (`invoices.references`) points at it too.
"""

import re

from invoices.references import creditor_reference, creditor_reference_valid

NUMBER_IN_TEXT = re.compile(r"(?<![A-Z0-9])([A-Z]{1,8})[\s\-/_.]*(\d{4})[\s\-/_.]*(\d{1,8})(?!\d)")
RF_IN_TEXT = re.compile(r"RF\s?(\d\s?\d)((?:\s?[A-Z0-9]){1,21})")


def number_key(prefix: str, year: str, sequence: str) -> tuple[str, int, int]:
    return (prefix.upper(), int(year), int(sequence))


def invoice_number_key(number: str) -> tuple[str, int, int] | None:
    """The key of an issued number such as `INV-2026-00042`, or None for another shape."""
    match = NUMBER_IN_TEXT.fullmatch(number.strip().upper())
    return number_key(*match.groups()) if match else None


def number_keys_in(text: str) -> list[tuple[str, int, int]]:
    """Every invoice-number-like key in free text, in order, each once."""
    keys = []
    for match in NUMBER_IN_TEXT.finditer(text.upper()):
        key = number_key(*match.groups())
        if key not in keys:
            keys.append(key)
    return keys


def creditor_references_in(text: str) -> list[str]:
    """Every valid RF reference in free text (spaces inside it allowed), each once."""
    found = []
    for match in RF_IN_TEXT.finditer(text.upper()):
        candidate = re.sub(r"\s", "", "RF" + match.group(1) + match.group(2))
        # A reference printed in groups may run into the next word; shorten until it checks.
        while len(candidate) > 4 and not creditor_reference_valid(candidate):
            candidate = candidate[:-1]
        if len(candidate) > 4 and candidate not in found:
            found.append(candidate)
    return found


__all__ = [
    "creditor_reference",
    "creditor_references_in",
    "invoice_number_key",
    "number_keys_in",
]
