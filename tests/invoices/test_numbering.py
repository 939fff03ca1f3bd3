"""Document numbers: gapless per entity and series, assigned at issue, never reused."""

from decimal import Decimal

from billing.errors import InvalidState, ValidationError
from payments.services import invoice_issue
from tests.asserts import refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    issued_credit_note,
)


def issue(invoice):
    return invoice_issue(invoice=invoice, actor=SYSTEM)


def test_invoices_are_numbered_in_sequence_per_entity_and_year(customer):
    numbers = [issue(draft_invoice(customer, date="2026-03-01")).number for _ in range(3)]

    assert numbers == ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]


def test_a_draft_has_no_number_until_it_is_issued(customer):
    draft = draft_invoice(customer, date="2026-03-01")
    assert draft.number == ""
    assert draft.status == "draft"

    issued = issue(draft)

    assert issued.number == "INV-2026-00001"
    assert issued.status == "issued"
    assert issued.issued_at is not None


def test_numbers_follow_issue_order_not_creation_order(customer):
    first_created = draft_invoice(customer, date="2026-03-01")
    second_created = draft_invoice(customer, date="2026-03-01")

    assert issue(second_created).number == "INV-2026-00001"
    assert issue(first_created).number == "INV-2026-00002"


def test_each_entity_has_its_own_sequence(db):
    one = CustomerFactory(entity=EntityFactory())
    two = CustomerFactory(entity=EntityFactory())

    assert issue(draft_invoice(one, date="2026-03-01")).number == "INV-2026-00001"
    assert issue(draft_invoice(two, date="2026-03-01")).number == "INV-2026-00001"
    assert issue(draft_invoice(one, date="2026-03-01")).number == "INV-2026-00002"


def test_each_series_has_its_own_sequence(customer):
    invoice = issue(draft_invoice(customer, date="2026-03-01"))
    advance = issue(draft_invoice(customer, date="2026-03-01", kind="advance"))
    next_year = issue(draft_invoice(customer, date="2027-01-02"))

    assert invoice.number == "INV-2026-00001"
    assert advance.number == "ADV-2026-00001"
    assert advance.pk.startswith("adv_")
    assert next_year.number == "INV-2027-00001"


def test_issuing_twice_is_refused_and_does_not_consume_a_number(customer):
    invoice = issue(draft_invoice(customer, date="2026-03-01"))

    with refused(InvalidState, "invoice_not_draft"):
        issue(invoice)

    assert issue(draft_invoice(customer, date="2026-03-01")).number == "INV-2026-00002"


def test_credit_notes_are_numbered_in_their_own_gapless_series(customer):
    invoice = issue(draft_invoice(customer, total="100.00", date="2026-03-01"))

    first = issued_credit_note(invoice, "10.00", date="2026-03-02")
    second = issued_credit_note(invoice, "10.00", date="2026-03-02")

    assert (first.number, second.number) == ("CN-2026-00001", "CN-2026-00002")


def test_a_refused_credit_note_does_not_consume_a_number(customer):
    invoice = issue(draft_invoice(customer, total="100.00", date="2026-03-01"))

    with refused(ValidationError, "allocations_mismatch"):
        issued_credit_note(
            invoice,
            "10.00",
            allocations=[{"type": "invoice", "amount": Decimal("9.00")}],
            date="2026-03-02",
        )

    credit_note = issued_credit_note(invoice, "10.00", date="2026-03-02")
    assert credit_note.number == "CN-2026-00001"
