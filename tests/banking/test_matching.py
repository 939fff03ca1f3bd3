"""What an import suggests for each line, and which lines it confirms alone."""

from decimal import Decimal

import pytest

from banking.models import BankStatementLine, LineStatus
from banking.services.importing import statement_import_parsed
from payments.models import Payment
from payments.services import refund_create
from tests.banking.statements import line, statement
from tests.factories import SYSTEM, CustomerFactory, issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def run_import(entity, parsed, digest="a"):
    return statement_import_parsed(entity=entity, actor=SYSTEM, parsed=parsed, digest=digest)


@pytest.fixture
def book(entity):
    """Open invoices numbered INV-2026-00001… in this order, as a coworking space has them."""
    acme = CustomerFactory(entity=entity, name="Acme Coworking GmbH")
    invoices = {
        "acme": issued_invoice(acme, "120.00"),
        "beta": issued_invoice(CustomerFactory(entity=entity, name="Beta Studio"), "250.00"),
        "gamma": issued_invoice(CustomerFactory(entity=entity, name="Gamma Labs"), "75.50"),
        "delta": issued_invoice(CustomerFactory(entity=entity, name="Delta Freelance"), "99.00"),
        "eps1": issued_invoice(CustomerFactory(entity=entity, name="Epsilon SARL"), "60.00"),
        "eps2": issued_invoice(CustomerFactory(entity=entity, name="Omega Ltd"), "60.00"),
        "acme_old": issued_invoice(acme, "40.00"),
    }
    cash = record_payment(invoices["acme_old"], "80.00")  # paid twice over; 40 went back
    invoices["refund"] = refund_create(
        payment=cash, actor=SYSTEM, reason="Paid twice", amount=Decimal("40.00")
    )
    return invoices


SAMPLE = statement(
    line(2, "120.00", "Acme Coworking GmbH", "DE02120300000000202051",
         "Invoice INV-2026-00001 thank you", "BREF-0001"),
    line(3, "250.00", "Beta Studio", "DE02500105170137075030", "", "BREF-0002",
         creditor_reference="RF49INV202600002"),
    line(3, "75.50", "Gamma Ltd", "GB33BUKB20201555555555", "November membership", "BREF-0003"),
    line(4, "99.00", "Delta Freelance", "DE75512108001245126199", "Monthly desk", "BREF-0004"),
    line(4, "60.00", "Epsilon Partners", "FR1420041010050500013M02606", "Desk rental", "BREF-0005"),
    line(5, "15.00", "Unknown Sender", "NL91ABNA0417164300", "Donation", "BREF-0006"),
    line(6, "-40.00", "Acme Coworking GmbH", "DE02120300000000202051",
         "Refund INV-2026-00007", "BREF-0007"),
)  # fmt: skip


def lines_by_ref(statement_):
    return {row.bank_reference: row for row in statement_.lines.all()}


def test_each_kind_of_evidence_ranks_its_match(entity, book):
    result = run_import(entity, SAMPLE)

    lines = lines_by_ref(result.statement)
    assert result.created and result.auto_confirmed == 2
    # By number and by RF reference: confirmed at import, each paid once, in full.
    for ref, key in (("BREF-0001", "acme"), ("BREF-0002", "beta")):
        book[key].refresh_from_db()
        assert lines[ref].status == LineStatus.MATCHED
        assert book[key].total_due == Decimal("0.00")
    assert lines["BREF-0001"].suggestions[0]["evidence"] == ["number", "amount", "name"]
    assert lines["BREF-0002"].suggestions[0]["evidence"] == ["rf", "amount", "name"]
    payment = Payment.objects.get(invoice=book["beta"])
    assert (payment.type, payment.amount, payment.reference, str(payment.date)) == (
        "bank_transfer", Decimal("250.00"), "BREF-0002", "2026-11-03",
    )  # fmt: skip
    # By amount alone: suggested, waiting for a person.
    gamma = lines["BREF-0003"]
    assert gamma.status == LineStatus.SUGGESTED
    assert [(s["invoice_id"], s["evidence"], s["proposed"]) for s in gamma.suggestions] == [
        (book["gamma"].pk, ["amount"], True)
    ]
    # By the payer's name and the amount.
    delta = lines["BREF-0004"].suggestions[0]
    assert (delta["invoice_id"], delta["evidence"], delta["score"]) == (
        book["delta"].pk, ["amount", "name"], 50,
    )  # fmt: skip
    # Two invoices due 60.00, nothing else to tell them apart: both offered, neither proposed.
    ambiguous = lines["BREF-0005"].suggestions
    assert {s["invoice_id"] for s in ambiguous} == {book["eps1"].pk, book["eps2"].pk}
    assert not any(s["proposed"] for s in ambiguous)
    # Nothing at all.
    assert (lines["BREF-0006"].status, lines["BREF-0006"].suggestions) == ("unmatched", [])
    # Money out: the refund paid back outside the app.
    out = lines["BREF-0007"].suggestions
    assert [(s["kind"], s["refund_id"], s["amount"]) for s in out] == [
        ("refund", book["refund"].pk, "40.00")
    ]


def test_a_known_iban_points_at_its_customer(entity, book, actor):
    from banking.services.reconciling import bank_line_confirm

    first = run_import(
        entity, statement(line(1, "10.00", "DF", "DE75512108001245126199", "x", "R-1")), "first"
    )
    earlier = first.statement.lines.get()
    bank_line_confirm(
        entity=entity,
        actor=actor,
        line_id=earlier.pk,
        allocations=[{"invoice_id": book["delta"].pk, "amount": "10.00"}],
    )

    later = run_import(
        entity, statement(line(9, "89.00", "D. F.", "DE75512108001245126199", "", "R-2")), "2nd"
    )

    suggestion = later.statement.lines.get().suggestions[0]
    assert (suggestion["invoice_id"], suggestion["evidence"], suggestion["proposed"]) == (
        book["delta"].pk, ["iban", "amount"], True,
    )  # fmt: skip


def test_a_line_naming_two_invoices_that_it_pays_exactly_proposes_both(entity, book):
    result = run_import(
        entity,
        statement(line(7, "180.00", "Acme", "", "INV-2026-00001 and INV-2026-00005", "R-9")),
    )

    row = result.statement.lines.get()
    proposed = {(s["invoice_id"], s["amount"]) for s in row.suggestions if s["proposed"]}
    assert proposed == {(book["acme"].pk, "120.00"), (book["eps1"].pk, "60.00")}
    assert row.status == LineStatus.SUGGESTED  # two invoices named: a person confirms


def test_more_than_due_or_another_currency_is_not_confirmed_alone(entity, book):
    result = run_import(
        entity,
        statement(
            line(7, "130.00", "Acme", "", "INV-2026-00001", "R-1"),
            line(7, "250.01", "Beta", "", "INV-2026-00002", "R-2"),
        ),
    )

    assert result.auto_confirmed == 0
    assert set(result.statement.lines.values_list("status", flat=True)) == {"suggested"}
    over = result.statement.lines.get(bank_reference="R-1").suggestions[0]
    assert (over["amount"], over["excess"], over["proposed"]) == ("120.00", "10.00", True)


def test_automatic_confirmation_can_be_turned_off(entity, book):
    entity.bank_auto_confirm = False
    entity.save()

    result = run_import(entity, SAMPLE)

    assert result.auto_confirmed == 0
    assert not Payment.objects.filter(type="bank_transfer").exists()
    assert BankStatementLine.objects.filter(status="matched").count() == 0


def test_a_large_statement_hands_its_certain_lines_to_the_worker(
    entity, book, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("banking.services.importing.CONFIRM_INLINE", 1)

    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(entity, SAMPLE)

    assert (result.auto_confirmed, result.confirming_later) == (0, 2)
    # The worker (run at once in tests) confirmed both certain lines after the import.
    matched = BankStatementLine.objects.filter(status="matched")
    assert set(matched.values_list("bank_reference", flat=True)) == {"BREF-0001", "BREF-0002"}
    book["beta"].refresh_from_db()
    assert book["beta"].total_due == Decimal("0.00")


def test_two_invoices_of_a_known_payer_that_add_up_to_the_line_are_proposed_together(entity):
    harbour = CustomerFactory(entity=entity, name="Harbour Design Collective")
    october, november = issued_invoice(harbour, "100.00"), issued_invoice(harbour, "75.00")

    result = run_import(
        entity, statement(line(4, "175.00", "Harbour Design Collective", "", "Desks", "R1"))
    )

    row = result.statement.lines.get()
    proposed = {
        (s["invoice_id"], s["amount"], s["excess"]) for s in row.suggestions if s["proposed"]
    }
    assert proposed == {(october.pk, "100.00", "0.00"), (november.pk, "75.00", "0.00")}
    assert row.status == LineStatus.SUGGESTED  # named by nothing: a person confirms
