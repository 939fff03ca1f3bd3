"""A long ledger explained on a page: the newest movements, the older ones brought forward."""

from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Customer
from payments.explain import balance_explanation_tail
from tests.factories import give_balance, issued_invoice

pytestmark = pytest.mark.django_db


def test_the_older_movements_are_brought_forward_and_the_sum_ends_at_the_balance(customer):
    for amount in ("10.00", "20.00", "30.00"):
        give_balance(customer, amount)
    issued_invoice(customer, total="25.00")  # uses 25.00

    tail = balance_explanation_tail(Customer.objects.get(pk=customer.pk), newest=2)

    assert (tail.earlier, tail.brought_forward) == (2, Decimal("30.00"))
    assert [(m.amount, running) for m, running in tail.rows] == [
        (Decimal("30.00"), Decimal("60.00")),
        (Decimal("-25.00"), Decimal("35.00")),
    ]
    assert (tail.figure.computed, tail.figure.stored, tail.figure.matches) == (
        Decimal("35.00"),
        Decimal("35.00"),
        True,
    )


def test_a_short_ledger_brings_nothing_forward_and_a_tampered_balance_drifts(customer):
    give_balance(customer, "10.00")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Customer._meta.db_table} SET balance = 12.00 WHERE id = %s", [customer.pk]
        )

    tail = balance_explanation_tail(Customer.objects.get(pk=customer.pk), newest=200)

    assert (tail.earlier, tail.brought_forward, len(tail.rows)) == (0, Decimal("0"), 1)
    assert tail.figure.drift == Decimal("2.00")
