"""Aged receivables: exact buckets at each boundary, the due as it stood on a past date,
currencies apart, and nothing of another entity."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from invoices.models import Invoice, InvoiceKind
from invoices.services import invoice_write_off
from payments.reports.aged_receivables import BUCKETS, aged_receivables, aged_receivables_in
from payments.services import invoice_void, payment_delete, refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

TODAY = timezone.localdate()


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def owed(customer, total="100.00", *, overdue_days=0, issued_days_ago=120, **kwargs):
    """An issued invoice dated `issued_days_ago`, `overdue_days` past its due date today."""
    return issued_invoice(
        customer,
        total=total,
        date=days_ago(issued_days_ago),
        due_date=days_ago(overdue_days),
        apply_balance=False,
        **kwargs,
    )


def buckets(report) -> dict[str, Decimal]:
    return {name: amount for name, amount in report.buckets.items() if amount}


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_past_due(customer, days_past_due, bucket):
    owed(customer, "123.45", overdue_days=days_past_due, issued_days_ago=500)

    report = aged_receivables_in(entity_id=customer.entity_id, currency="EUR")

    assert buckets(report) == {bucket: Decimal("123.45")}
    assert report.total == Decimal("123.45")


def test_partial_payments_and_credit_notes_reduce_what_is_due(customer):
    invoice = owed(customer, "500.00", overdue_days=45)
    record_payment(invoice, "120.00", date=days_ago(10))
    issued_credit_note(invoice, "30.00", to="invoice")

    report = aged_receivables_in(entity_id=customer.entity_id, currency="EUR")

    assert buckets(report) == {"31_60": Decimal("350.00")}
    assert report.total == Decimal("350.00")


def test_buckets_sum_to_the_total_and_to_what_open_invoices_have_due(entity):
    alice, bob = CustomerFactory(entity=entity, name="Alice"), CustomerFactory(entity=entity)
    for days, total in [(0, "10.00"), (1, "20.00"), (31, "30.00"), (61, "40.00"), (91, "50.00")]:
        owed(alice, total, overdue_days=days)
    record_payment(owed(bob, "80.00", overdue_days=15), "79.99")
    paid = owed(bob, "70.00", overdue_days=200, issued_days_ago=300)
    record_payment(paid, "75.00")  # overpaid: nothing due, and it offsets nothing
    issued_advance(bob, total="999.00")  # a prepayment request is not a receivable

    report = aged_receivables_in(entity_id=entity.pk, currency="EUR")
    stored = Invoice.objects.filter(
        entity=entity, kind=InvoiceKind.INVOICE, total_due__gt=0
    ).aggregate(s=Sum("total_due"))["s"]

    assert report.buckets == {
        "current": Decimal("10.00"),
        "1_30": Decimal("20.01"),
        "31_60": Decimal("30.00"),
        "61_90": Decimal("40.00"),
        "over_90": Decimal("50.00"),
    }
    assert report.total == sum(report.buckets.values()) == stored == Decimal("150.01")
    assert [c.customer_name for c in report.customers] == ["Alice", bob.name]
    assert [c.total for c in report.customers] == [Decimal("150.00"), Decimal("0.01")]
    assert report.customers[0].buckets["over_90"] == Decimal("50.00")
    assert sum(c.total for c in report.customers) == report.total
    assert report.invoice_count == 6


def test_a_past_date_ignores_later_invoices_payments_and_refunds(customer):
    early = owed(customer, "300.00", overdue_days=20, issued_days_ago=60)
    record_payment(early, "100.00", date=days_ago(40))  # before as_of: counts
    record_payment(early, "50.00", date=days_ago(5))  # after as_of: not yet paid then
    refunded = record_payment(early, "40.00", date=days_ago(35))
    refund_create(payment=refunded, actor=SYSTEM, reason="Paid twice", amount="15.00")  # today
    owed(customer, "999.00", overdue_days=0, issued_days_ago=3)  # issued after as_of
    fully_paid_later = owed(customer, "70.00", overdue_days=5, issued_days_ago=30)
    record_payment(fully_paid_later, "70.00", date=days_ago(2))

    then = aged_receivables_in(entity_id=customer.entity_id, currency="EUR", as_of=days_ago(10))
    now = aged_receivables_in(entity_id=customer.entity_id, currency="EUR")

    # On as_of the early invoice had 100 + 40 paid, was due 20 days before, 10 days late:
    assert buckets(then) == {"current": Decimal("70.00"), "1_30": Decimal("160.00")}
    assert then.total == Decimal("230.00")
    assert buckets(now) == {"current": Decimal("999.00"), "1_30": Decimal("125.00")}


def test_an_invoice_written_off_counts_until_its_write_off(customer):
    invoice = owed(customer, "80.00", overdue_days=100, issued_days_ago=200)
    invoice_write_off(invoice=invoice, actor=SYSTEM, reason="Gone away")
    void = owed(customer, "60.00", overdue_days=100, issued_days_ago=200)
    invoice_void(invoice=void, actor=SYSTEM, reason="Issued by mistake")

    assert aged_receivables(entity_id=customer.entity_id) == {}
    yesterday = aged_receivables_in(entity_id=customer.entity_id, currency="EUR", as_of=days_ago(1))
    assert buckets(yesterday) == {"over_90": Decimal("80.00")}


def test_a_deleted_payment_never_counted(customer):
    invoice = owed(customer, "100.00", overdue_days=5)
    payment = record_payment(invoice, "100.00", date=days_ago(30))
    payment_delete(payment=payment, actor=SYSTEM, reason="Recorded on the wrong invoice")

    report = aged_receivables_in(entity_id=customer.entity_id, currency="EUR", as_of=days_ago(3))

    assert buckets(report) == {"1_30": Decimal("100.00")}


def test_currencies_are_reported_apart(entity):
    euros = CustomerFactory(entity=entity, currency="EUR")
    dollars = CustomerFactory(entity=entity, currency="USD")
    owed(euros, "100.00", overdue_days=3)
    owed(dollars, "250.00", overdue_days=3)
    owed(dollars, "5.00", overdue_days=0)

    reports = aged_receivables(entity_id=entity.pk)

    assert sorted(reports) == ["EUR", "USD"]
    assert reports["EUR"].total == Decimal("100.00")
    assert buckets(reports["USD"]) == {"current": Decimal("5.00"), "1_30": Decimal("250.00")}
    assert reports["USD"].total == Decimal("255.00")


def test_another_entitys_invoices_are_absent(customer):
    owed(CustomerFactory(), "100.00", overdue_days=3)
    owed(customer, "40.00", overdue_days=3)

    report = aged_receivables_in(entity_id=customer.entity_id, currency="EUR")

    assert report.total == Decimal("40.00")
    assert [c.customer_id for c in report.customers] == [customer.pk]


def test_nothing_due_gives_empty_buckets(entity):
    report = aged_receivables_in(entity_id=entity.pk, currency="EUR")

    assert report.buckets == dict.fromkeys(BUCKETS, Decimal("0"))
    assert report.total == Decimal("0")
    assert report.customers == []


def test_the_report_is_one_query(customer, django_assert_num_queries):
    owed(customer, "40.00", overdue_days=3)
    with django_assert_num_queries(1):
        aged_receivables(entity_id=customer.entity_id)
