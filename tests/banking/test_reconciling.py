"""Confirming, splitting, ignoring and undoing bank lines; importing twice; two people at once."""

from decimal import Decimal

import pytest

from banking.models import BankLineAllocation, BankStatement, BankStatementLine
from banking.services.importing import statement_import_parsed
from banking.services.reconciling import bank_line_confirm, bank_line_ignore, bank_line_undo
from billing.errors import CurrencyMismatch, InvalidState, ValidationError
from billing.models import AuditEvent, Customer
from payments.models import Payment
from tests.banking.statements import line, statement
from tests.factories import SYSTEM, CustomerFactory, issued_invoice
from tests.threads import run_together, split

pytestmark = pytest.mark.django_db


def import_lines(entity, *lines, digest="a"):
    return statement_import_parsed(
        entity=entity, actor=SYSTEM, parsed=statement(*lines), digest=digest
    ).statement


@pytest.fixture
def manual(entity):
    entity.bank_auto_confirm = False
    entity.save()
    return entity


def test_one_line_pays_two_invoices_and_the_rest_goes_to_the_balance(manual, actor):
    customer = CustomerFactory(entity=manual)
    first, second = issued_invoice(customer, "100.00"), issued_invoice(customer, "50.00")
    row = import_lines(manual, line(3, "175.00", "Payer", "", "two invoices", "R1")).lines.get()

    bank_line_confirm(
        entity=manual,
        actor=actor,
        line_id=row.pk,
        allocations=[
            {"invoice_id": first.pk, "amount": "100.00"},
            {"invoice_id": second.pk, "amount": "50.00"},
        ],
        remainder_to_balance=True,
    )

    for invoice in (first, second):
        invoice.refresh_from_db()
        assert (invoice.total_due, invoice.status) == (Decimal("0.00"), "paid")
    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")
    payments = Payment.objects.filter(metadata__bank_line_id=row.pk).order_by("invoice_id")
    # The rest rides on the last allocation's payment and is refunded from it to the balance.
    assert {p.invoice_id: p.amount for p in payments} == {
        first.pk: Decimal("100.00"),
        second.pk: Decimal("75.00"),
    }
    assert BankStatementLine.objects.get(pk=row.pk).status == "matched"


def test_several_lines_pay_one_invoice(manual, actor):
    invoice = issued_invoice(CustomerFactory(entity=manual), "100.00")
    rows = import_lines(
        manual, line(3, "60.00", "P", "", "", "R1"), line(4, "40.00", "P", "", "", "R2")
    ).lines.all()

    for row in rows:
        bank_line_confirm(
            entity=manual,
            actor=actor,
            line_id=row.pk,
            allocations=[{"invoice_id": invoice.pk, "amount": str(row.amount)}],
        )

    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("100.00"), "paid")


def test_a_remainder_left_unallocated_is_refused_and_changes_nothing(manual, actor):
    invoice = issued_invoice(CustomerFactory(entity=manual), "100.00")
    row = import_lines(manual, line(3, "120.00", "P", "", "", "R1")).lines.get()

    with pytest.raises(ValidationError) as refused:
        bank_line_confirm(
            entity=manual,
            actor=actor,
            line_id=row.pk,
            allocations=[{"invoice_id": invoice.pk, "amount": "100.00"}],
        )

    assert refused.value.code == "line_not_fully_allocated"
    assert not Payment.objects.exists()
    assert BankStatementLine.objects.get(pk=row.pk).status == "unmatched"


def test_undo_deletes_the_payments_and_returns_the_line_to_the_queue(entity, actor):
    invoice = issued_invoice(CustomerFactory(entity=entity), "100.00")
    row = import_lines(entity, line(3, "100.00", "P", "", invoice.number, "R1")).lines.get()
    assert BankStatementLine.objects.get(pk=row.pk).status == "matched"  # confirmed at import

    bank_line_undo(entity=entity, actor=actor, line_id=row.pk, reason="Wrong customer")

    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("0.00"), "issued")
    payment = Payment.objects.get(metadata__bank_line_id=row.pk)
    assert (payment.is_deleted, payment.delete_reason) == (True, "Wrong customer")
    assert BankStatementLine.objects.get(pk=row.pk).status == "suggested"
    assert BankLineAllocation.objects.get(line=row).undone_at is not None
    assert AuditEvent.objects.filter(action="bank_line.unmatched", object_id=row.pk).exists()
    # Back in the queue, it can be confirmed again.
    bank_line_confirm(entity=entity, actor=actor, line_id=row.pk)
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("100.00")


def test_an_ignored_line_leaves_the_queue_until_undone(manual, actor):
    row = import_lines(manual, line(3, "5.00", "Bank", "", "Fee", "R1")).lines.get()

    bank_line_ignore(entity=manual, actor=actor, line_id=row.pk, reason="Transfer between accounts")
    with pytest.raises(InvalidState) as refused:
        bank_line_confirm(entity=manual, actor=actor, line_id=row.pk, allocations=[])
    bank_line_undo(entity=manual, actor=actor, line_id=row.pk)

    assert refused.value.code == "line_ignored"
    assert BankStatementLine.objects.get(pk=row.pk).status == "unmatched"


def test_the_same_file_twice_and_an_overlapping_one_store_each_line_once(entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), "300.00")
    a = [line(5, "15.00", "X", "", "Donation", "BREF-6"), line(6, "-40.00", "Y", "", "", "BREF-7")]
    first = statement_import_parsed(entity=entity, actor=SYSTEM, parsed=statement(*a), digest="A")
    again = statement_import_parsed(entity=entity, actor=SYSTEM, parsed=statement(*a), digest="A")
    overlapping = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=statement(*a, line(9, "300.00", "Z", "", invoice.number, "BREF-8")),
        digest="B",
    )
    once_more = statement_import_parsed(
        entity=entity,
        actor=SYSTEM,
        parsed=statement(line(9, "300.00", "Z", "", invoice.number, "BREF-8")),
        digest="C",
    )

    assert (again.created, again.statement.pk) == (False, first.statement.pk)
    assert overlapping.statement.lines_repeated == 2
    assert overlapping.statement.lines.count() == 1
    assert once_more.statement.lines.count() == 0
    assert BankStatementLine.objects.count() == 3
    assert BankStatement.objects.count() == 3
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("300.00")  # paid once
    assert Payment.objects.count() == 1


def test_identical_lines_without_a_bank_reference_are_two_lines(entity):
    twice = [line(5, "10.00", "Kiosk", "", "Coffee"), line(5, "10.00", "Kiosk", "", "Coffee")]

    first = import_lines(entity, *twice, digest="A")
    import_lines(entity, *twice, digest="B")  # the same two, exported again

    assert first.lines.count() == 2
    assert BankStatementLine.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_confirming_one_line_pay_the_invoice_once(manual):
    invoice = issued_invoice(CustomerFactory(entity=manual), "100.00")
    row = import_lines(manual, line(3, "100.00", "P", "", "", "R1")).lines.get()

    def confirm():
        return bank_line_confirm(
            entity=manual,
            actor=SYSTEM,
            line_id=row.pk,
            allocations=[{"invoice_id": invoice.pk, "amount": "100.00"}],
        )

    done, errors = split(run_together([confirm, confirm]))

    assert len(done) == 1
    assert [(type(e), e.code) for e in errors] == [(InvalidState, "line_already_matched")]
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("100.00")
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_line_of_another_entity_is_not_found(entity, actor):
    other = CustomerFactory().entity
    row = import_lines(other, line(3, "5.00", "P", "", "", "R1")).lines.get()

    with pytest.raises(Exception) as refused:
        bank_line_ignore(entity=entity, actor=actor, line_id=row.pk)

    assert getattr(refused.value, "code", "") == "resource_missing"
    assert Customer.objects.filter(entity=entity).count() == 0


def test_a_line_whose_rest_went_to_the_balance_cannot_be_undone(manual, actor):
    invoice = issued_invoice(CustomerFactory(entity=manual), "100.00")
    row = import_lines(manual, line(3, "120.00", "P", "", "", "R1")).lines.get()
    bank_line_confirm(
        entity=manual,
        actor=actor,
        line_id=row.pk,
        allocations=[{"invoice_id": invoice.pk, "amount": "100.00"}],
        remainder_to_balance=True,
    )

    with pytest.raises(InvalidState) as refused:
        bank_line_undo(entity=manual, actor=actor, line_id=row.pk, reason="Oops")

    assert refused.value.code == "payment_has_refunds"
    assert BankStatementLine.objects.get(pk=row.pk).status == "matched"
    invoice.refresh_from_db()
    assert invoice.customer.balance == Decimal("20.00")


def test_a_line_cannot_pay_an_invoice_in_another_currency(manual, actor):
    invoice = issued_invoice(CustomerFactory(entity=manual, currency="USD"), "100.00")
    row = import_lines(manual, line(3, "100.00", "P", "", "", "R1")).lines.get()

    with pytest.raises(CurrencyMismatch):
        bank_line_confirm(
            entity=manual,
            actor=actor,
            line_id=row.pk,
            allocations=[{"invoice_id": invoice.pk, "amount": "100.00"}],
        )

    assert not Payment.objects.exists()
    assert BankStatementLine.objects.get(pk=row.pk).status == "unmatched"
