"""Collections per period: money by method, refunds and credits apart, net, and the day,
week and month each row falls in."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billing.errors import ValidationError
from payments.models import Refund
from payments.reports.collections import METHODS, collections
from payments.services import payment_delete, payment_record, refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

TODAY = timezone.localdate()


def refund_on(payment, amount, day: date, **kwargs):
    """A refund made on `day` (refunds are dated by when they were made)."""
    refund = refund_create(
        payment=payment, actor=SYSTEM, reason="Returned", amount=amount, **kwargs
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Refund._meta.db_table} SET created_at = %s WHERE id = %s",
            [timezone.make_aware(datetime.combine(day, time(12))), refund.pk],
        )
    return refund


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="1000.00", date=date(2026, 1, 5), apply_balance=False)


def test_money_refunds_and_credits_are_apart(customer, invoice):
    cash = record_payment(invoice, "100.00", type="cash", date=TODAY)
    transfer = record_payment(invoice, "50.00", type="bank_transfer", date=TODAY)
    record_payment(invoice, "7.25", type="paypal", date=TODAY)
    refund_on(cash, "15.00", TODAY)
    refund_on(transfer, "5.00", TODAY, destination="customer_balance")
    issued_credit_note(invoice, "20.00", to="invoice")
    give_balance(customer, "10.00")
    record_payment(invoice, "10.00", type="customer_balance", date=TODAY)
    advance = issued_advance(customer, total="30.00")
    record_payment(advance, "30.00", type="check", date=TODAY)
    payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("30.00"),
        type="advance",
        invoice_id=invoice.pk,
        advance_invoice_id=advance.pk,
        date=TODAY,
    )

    report = collections(entity_id=customer.entity_id, start=TODAY, end=TODAY, group_by="day")
    totals = report["EUR"].totals

    received = {m: f.received for m, f in totals.methods.items() if f.received}
    assert received == {
        "cash": Decimal("100.00"),
        "bank_transfer": Decimal("50.00"),
        "paypal": Decimal("7.25"),
        "check": Decimal("30.00"),
    }
    assert totals.received == Decimal("187.25")
    assert totals.methods["cash"].refunded == Decimal("15.00")
    assert totals.refunded == Decimal("15.00")
    assert totals.refunded_to_balance == Decimal("5.00")
    assert totals.methods["bank_transfer"].net == Decimal("50.00")
    assert totals.net == Decimal("172.25")
    assert totals.credits == {
        "credit_applied": Decimal("20.00"),
        "balance_used": Decimal("10.00"),
        "advance_applied": Decimal("30.00"),
    }
    assert totals.credited == Decimal("60.00")
    assert [p.start for p in report["EUR"].periods] == [TODAY]


def test_weeks_start_on_monday_and_months_on_the_first(customer, invoice):
    record_payment(invoice, "10.00", date=date(2026, 5, 31))  # a Sunday, end of May
    record_payment(invoice, "20.00", date=date(2026, 6, 1))  # a Monday, start of June
    record_payment(invoice, "40.00", date=date(2026, 6, 7))  # the Sunday after
    entity = customer.entity_id

    weeks = collections(
        entity_id=entity, start=date(2026, 5, 27), end=date(2026, 6, 9), group_by="week"
    )
    months = collections(
        entity_id=entity, start=date(2026, 5, 15), end=date(2026, 6, 15), group_by="month"
    )

    assert [(p.start, p.end, p.received) for p in weeks["EUR"].periods] == [
        (date(2026, 5, 27), date(2026, 5, 31), Decimal("10.00")),
        (date(2026, 6, 1), date(2026, 6, 7), Decimal("60.00")),
        (date(2026, 6, 8), date(2026, 6, 9), Decimal("0")),
    ]
    assert [(p.start, p.end, p.received) for p in months["EUR"].periods] == [
        (date(2026, 5, 15), date(2026, 5, 31), Decimal("10.00")),
        (date(2026, 6, 1), date(2026, 6, 15), Decimal("60.00")),
    ]
    assert months["EUR"].totals.received == Decimal("70.00")


def test_a_refund_counts_on_the_day_it_was_made(customer, invoice):
    payment = record_payment(invoice, "100.00", type="card", date=date(2026, 3, 31))
    refund_on(payment, "25.00", date(2026, 4, 2))

    months = collections(
        entity_id=customer.entity_id, start=date(2026, 3, 1), end=date(2026, 4, 30)
    )["EUR"].periods

    assert [(p.received, p.refunded, p.net) for p in months] == [
        (Decimal("100.00"), Decimal("0"), Decimal("100.00")),
        (Decimal("0"), Decimal("25.00"), Decimal("-25.00")),
    ]
    assert months[1].methods["card"].refunded == Decimal("25.00")


def test_deleted_payments_other_entities_and_currencies_apart(entity, customer, invoice):
    day = date(2026, 2, 10)
    record_payment(invoice, "10.00", date=day)
    mistake = record_payment(invoice, "99.00", date=day)
    payment_delete(payment=mistake, actor=SYSTEM, reason="Typed twice")
    dollars = issued_invoice(
        CustomerFactory(entity=entity, currency="USD"), total="500.00", date=date(2026, 1, 5)
    )
    record_payment(dollars, "70.00", type="bank_transfer", date=day)
    record_payment(issued_invoice(CustomerFactory(), total="80.00"), "80.00", date=day)

    report = collections(entity_id=entity.pk, start=day, end=day, group_by="month")

    assert sorted(report) == ["EUR", "USD"]
    assert report["EUR"].totals.received == Decimal("10.00")
    assert report["USD"].totals.methods["bank_transfer"].received == Decimal("70.00")
    assert set(report["EUR"].totals.methods) == set(METHODS)


@pytest.mark.parametrize(
    ("start", "end", "group_by", "code"),
    [
        (date(2026, 2, 1), date(2026, 1, 1), "month", "invalid_date_range"),
        (date(2026, 1, 1), date(2026, 2, 1), "year", "invalid_group_by"),
        (date(2020, 1, 1), date(2026, 1, 1), "day", "range_too_long"),
    ],
)
def test_ranges_it_cannot_report_on_are_refused(entity, start, end, group_by, code):
    with pytest.raises(ValidationError) as refused:
        collections(entity_id=entity.pk, start=start, end=end, group_by=group_by)

    assert refused.value.code == code


def test_a_year_of_days_is_allowed(entity):
    end = date(2026, 12, 31)
    report = collections(
        entity_id=entity.pk, start=end - timedelta(days=364), end=end, group_by="day"
    )
    assert report == {}
