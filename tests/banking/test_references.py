"""Reading invoice numbers and RF references out of what payers type."""

import pytest

from banking.references import creditor_references_in, invoice_number_key, number_keys_in
from invoices.references import (
    creditor_reference,
    creditor_reference_printed,
    creditor_reference_valid,
)


@pytest.mark.parametrize(
    "text",
    ["INV-2026-00042", "inv 2026 42", "Rechnung INV202600042 danke", "INV/2026/042, desk"],
)
def test_every_spelling_of_a_number_gives_its_key(text):
    assert number_keys_in(text) == [invoice_number_key("INV-2026-00042")] == [("INV", 2026, 42)]


def test_several_numbers_in_one_text_come_in_order_once_each():
    text = "INV-2026-00001, INV-2026-00005 and again INV-2026-00001"

    assert number_keys_in(text) == [("INV", 2026, 1), ("INV", 2026, 5)]


def test_the_rf_reference_of_a_number_checks_and_is_found_with_or_without_spaces():
    reference = creditor_reference("INV-2026-00002")

    assert reference == "RF49INV202600002"
    assert creditor_reference_valid(reference)
    assert creditor_reference_printed("INV-2026-00002") == "RF49 INV2 0260 0002"
    assert creditor_references_in("Ref RF49 INV2 0260 0002 thanks") == [reference]
    assert creditor_references_in(f"paid {reference.lower()}") == [reference]


def test_an_rf_reference_with_wrong_check_digits_is_not_one():
    assert not creditor_reference_valid("RF48INV202600002")
    assert creditor_references_in("RF48INV202600002") == []
