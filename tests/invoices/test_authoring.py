"""Drafting: create, edit, delete and duplicate drafts; issued documents never change here."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.errors import InvalidState, ValidationError
from billing.models import AuditEvent
from invoices.models import Invoice, InvoiceLine
from invoices.services import (
    invoice_create,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_update,
)
from invoices.services.issuing import invoice_due_date
from payments.services import invoice_issue
from tests.asserts import refused
from tests.factories import SYSTEM, CustomerFactory, draft_invoice, issued_invoice

TWO_LINES = [
    {
        "name": "Desk",
        "quantity": "2",
        "price": "150.00",
        "tax_rate": "20",
        "discount_percent": "10",
    },
    {"name": "Coffee", "quantity": "3", "price": "2.35", "tax_rate": "10"},
]


def draft_state(invoice: Invoice) -> tuple:
    """Everything a draft edit could touch, read fresh from the database."""
    row = Invoice.objects.get(pk=invoice.pk)
    lines = list(
        InvoiceLine.objects.filter(invoice=row).values_list(
            "name", "quantity", "unit_price", "tax_rate", "discount_percent", "total"
        )
    )
    fields = ("customer_id", "currency", "date", "due_date", "payment_terms_days", "note", "footer")
    return tuple(getattr(row, field) for field in fields), row.total, lines


def update(invoice, **changes):
    values = {
        "customer": invoice.customer,
        "items": TWO_LINES,
        "date": invoice.date,
        "note": "",
        "footer": "",
        **changes,
    }
    return invoice_update(invoice=invoice, actor=SYSTEM, **values)


def test_create_prices_discounted_lines_and_keeps_footer_and_terms(customer):
    invoice = invoice_create(
        entity=customer.entity,
        customer=customer,
        items=TWO_LINES,
        actor=SYSTEM,
        date="2026-03-01",
        payment_terms_days=30,
        footer="Thank you for working with us.",
    )

    lines = list(invoice.lines.all())
    # 2 × 150 − 10 % = 270.00 + 20 % tax; 3 × 2.35 = 7.05 + 10 % = 0.705 → 0.71.
    assert [(line.amount, line.tax_amount, line.total) for line in lines] == [
        (Decimal("270.00"), Decimal("54.00"), Decimal("324.00")),
        (Decimal("7.05"), Decimal("0.71"), Decimal("7.76")),
    ]
    assert lines[0].discount_percent == Decimal("10.000")
    assert (invoice.total_net, invoice.total_tax, invoice.total) == (
        Decimal("277.05"),
        Decimal("54.71"),
        Decimal("331.76"),
    )
    assert invoice.total_due == Decimal("331.76")
    assert invoice.footer == "Thank you for working with us."
    assert invoice.payment_terms_days == 30
    assert invoice_due_date(invoice) == date(2026, 3, 31)


def test_create_refuses_an_archived_customer(customer):
    customer.archived_at = timezone.now()
    customer.save()

    with refused(InvalidState, "customer_archived", "customer_id"):
        invoice_create(entity=customer.entity, customer=customer, items=TWO_LINES, actor=SYSTEM)


@pytest.mark.parametrize("terms", [-1, 366, "30", True])
def test_create_refuses_impossible_payment_terms(customer, terms):
    with refused(ValidationError, "validation_error", "payment_terms_days"):
        invoice_create(
            entity=customer.entity,
            customer=customer,
            items=TWO_LINES,
            actor=SYSTEM,
            payment_terms_days=terms,
        )


def test_update_replaces_lines_customer_dates_and_texts(customer):
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")
    other = CustomerFactory(entity=customer.entity, currency="USD")

    updated = update(
        draft,
        customer=other,
        date="2026-04-01",
        due_date="2026-04-20",
        payment_terms_days=7,
        note="April desk",
        footer="IBAN on file",
    )

    fresh = Invoice.objects.get(pk=draft.pk)
    assert fresh.customer == other
    assert fresh.currency == "USD"  # the new customer's currency
    assert (fresh.date, fresh.due_date, fresh.payment_terms_days) == (
        date(2026, 4, 1),
        date(2026, 4, 20),
        7,
    )
    assert (fresh.note, fresh.footer) == ("April desk", "IBAN on file")
    assert [line.name for line in fresh.lines.all()] == ["Desk", "Coffee"]
    assert (fresh.total_net, fresh.total_tax, fresh.total, fresh.total_due) == (
        Decimal("277.05"),
        Decimal("54.71"),
        Decimal("331.76"),
        Decimal("331.76"),
    )
    assert updated.total == Decimal("331.76")
    event = AuditEvent.objects.get(invoice_id=draft.pk, action="invoice.updated")
    assert event.before["total"] == "30.00"
    assert event.after["total"] == "331.76"
    assert event.after["customer_id"] == other.pk


def test_update_of_an_issued_invoice_is_refused_and_changes_nothing(customer):
    invoice = issued_invoice(customer, total="100.00")
    before = draft_state(invoice)

    with refused(InvalidState, "invoice_not_draft"):
        update(invoice, note="Sneaky edit")

    assert draft_state(invoice) == before


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"items": []}, "items"),
        ({"items": [{"name": "Desk", "quantity": "0", "price": "10"}]}, "items[0].quantity"),
        ({"items": [{"name": "Desk", "price": "10", "discount_percent": "120"}]}, None),
        ({"date": "2026-03-10", "due_date": "2026-03-01"}, "due_date"),
        ({"payment_terms_days": 999}, "payment_terms_days"),
    ],
)
def test_update_with_bad_input_changes_nothing(customer, changes, param):
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")
    before = draft_state(draft)

    with pytest.raises(ValidationError) as info:
        update(draft, **changes)

    if param:
        assert info.value.param == param
    assert draft_state(draft) == before
    assert not AuditEvent.objects.filter(action="invoice.updated").exists()


def test_update_refuses_a_customer_of_another_entity(customer):
    draft = draft_invoice(customer, total="30.00")
    stranger = CustomerFactory()

    with refused(ValidationError, "resource_missing", "customer_id"):
        update(draft, customer=stranger)

    assert Invoice.objects.get(pk=draft.pk).customer == customer


def test_delete_draft_removes_it_and_its_lines_and_audits(customer):
    draft = draft_invoice(customer, total="30.00")

    invoice_delete_draft(invoice=draft, actor=SYSTEM)

    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=draft.pk).exists()
    event = AuditEvent.objects.get(invoice_id=draft.pk, action="invoice.deleted")
    assert event.before["total"] == "30.00"
    assert event.before["lines"][0]["name"] == "Desk rental"


def test_delete_of_an_issued_invoice_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(InvalidState, "invoice_not_draft"):
        invoice_delete_draft(invoice=invoice, actor=SYSTEM)

    assert Invoice.objects.filter(pk=invoice.pk, status="issued").exists()


def test_duplicate_of_an_issued_invoice_is_a_fresh_draft_dated_today(customer):
    original = invoice_create(
        entity=customer.entity,
        customer=customer,
        items=TWO_LINES,
        actor=SYSTEM,
        date="2026-01-05",
        payment_terms_days=21,
        note="January",
        footer="Thanks",
    )
    original = invoice_issue(invoice=original, actor=SYSTEM)

    copy = invoice_duplicate(invoice=original, actor=SYSTEM)

    assert copy.pk != original.pk and copy.pk.startswith("inv_")
    assert (copy.status, copy.number, copy.kind) == ("draft", "", "invoice")
    assert copy.date == timezone.localdate()
    assert copy.due_date is None
    assert (copy.customer, copy.currency, copy.payment_terms_days) == (customer, "EUR", 21)
    assert (copy.note, copy.footer) == ("January", "Thanks")
    assert [
        (line.name, line.quantity, line.unit_price, line.discount_percent, line.total)
        for line in copy.lines.all()
    ] == [
        (line.name, line.quantity, line.unit_price, line.discount_percent, line.total)
        for line in original.lines.all()
    ]
    assert copy.total == original.total == Decimal("331.76")
    assert copy.total_paid == Decimal("0")


def test_duplicate_of_an_advance_is_an_advance_draft(customer):
    advance = draft_invoice(customer, total="250.00", kind="advance")

    copy = invoice_duplicate(invoice=advance, actor=SYSTEM)

    assert copy.kind == "advance" and copy.pk.startswith("adv_")
    assert copy.total == Decimal("250.00")
    assert AuditEvent.objects.filter(invoice_id=copy.pk, action="advance.created").exists()


def test_due_date_at_issue_follows_the_drafts_own_terms(customer):
    draft = invoice_create(
        entity=customer.entity,
        customer=customer,
        items=TWO_LINES,
        actor=SYSTEM,
        date="2026-03-01",
        payment_terms_days=10,
    )

    issued = invoice_issue(invoice=draft, actor=SYSTEM)

    assert issued.due_date == date(2026, 3, 1) + timedelta(days=10)
