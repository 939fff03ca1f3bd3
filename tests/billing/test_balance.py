"""The customer's money balance: an append-only ledger whose sum never goes below zero."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from billing.actors import Actor
from billing.errors import InvalidAmount, LimitExceeded, ValidationError
from billing.models import AuditEvent, BalanceTransaction
from billing.services import balance_adjust, balance_post, balance_sum
from tests.asserts import assert_no_drift, refused


def test_positive_adjustment_adds_credit_with_a_ledger_row(customer, actor):
    row = balance_adjust(customer=customer, amount=Decimal("50.00"), reason="Goodwill", actor=actor)

    customer.refresh_from_db()
    assert customer.balance == Decimal("50.00")
    assert row.kind == BalanceTransaction.Kind.ADJUSTMENT
    assert row.amount == Decimal("50.00")
    assert row.balance_after == Decimal("50.00")
    assert row.currency == customer.currency
    assert row.reason == "Goodwill"
    assert_no_drift()


def test_negative_adjustment_deducts_credit(customer, actor):
    balance_adjust(customer=customer, amount=Decimal("50.00"), reason="Goodwill", actor=actor)

    row = balance_adjust(
        customer=customer, amount=Decimal("-20.00"), reason="Correction", actor=actor
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("30.00")
    assert row.amount == Decimal("-20.00")
    assert row.balance_after == Decimal("30.00")
    assert list(
        BalanceTransaction.objects.filter(customer=customer)
        .order_by("created_at", "id")
        .values_list("amount", "balance_after")
    ) == [(Decimal("50.00"), Decimal("50.00")), (Decimal("-20.00"), Decimal("30.00"))]
    assert balance_sum(customer.pk) == Decimal("30.00")


def test_adjustment_to_exactly_zero_is_allowed(customer, actor):
    balance_adjust(customer=customer, amount=Decimal("10.00"), reason="Goodwill", actor=actor)

    balance_adjust(customer=customer, amount=Decimal("-10.00"), reason="Used up", actor=actor)

    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")


def test_adjustment_below_zero_is_refused(customer, actor):
    balance_adjust(customer=customer, amount=Decimal("10.00"), reason="Goodwill", actor=actor)

    with refused(LimitExceeded, "insufficient_balance", "amount"):
        balance_adjust(customer=customer, amount=Decimal("-10.01"), reason="Too much", actor=actor)

    customer.refresh_from_db()
    assert customer.balance == Decimal("10.00")


def test_deduction_from_an_empty_balance_is_refused(customer, actor):
    with refused(LimitExceeded, "insufficient_balance"):
        balance_adjust(customer=customer, amount=Decimal("-1.00"), reason="Oops", actor=actor)


def test_adjustment_without_a_reason_is_refused(customer, actor):
    for reason in ("", "   ", None):
        with refused(ValidationError, "reason_required", "reason"):
            balance_adjust(customer=customer, amount=Decimal("10.00"), reason=reason, actor=actor)


def test_zero_adjustment_is_refused(customer, actor):
    with refused(InvalidAmount, "amount_not_positive"):
        balance_adjust(customer=customer, amount=Decimal("0"), reason="Nothing", actor=actor)


def test_adjustment_with_too_many_decimals_is_refused(customer, actor):
    with refused(InvalidAmount, "too_many_decimals"):
        balance_adjust(customer=customer, amount=Decimal("1.005"), reason="Odd", actor=actor)


def test_adjustment_is_audited_with_before_after_and_reason(customer):
    user = get_user_model().objects.create_user("clerk", "clerk@example.com", "pw")
    balance_adjust(
        customer=customer, amount=Decimal("25.00"), reason="Goodwill", actor=Actor.admin(user)
    )

    event = AuditEvent.objects.get(action="balance.adjusted")
    assert event.source == "admin"
    assert event.actor_user == user
    assert event.customer_id == customer.pk
    assert event.before == {"balance": "0.00"}
    assert event.after == {"balance": "25.00"}
    assert event.reason == "Goodwill"


def test_balance_post_refuses_to_go_below_zero(customer, actor):
    balance_post(customer=customer, amount=Decimal("5.00"), kind="adjustment", actor=actor)

    with refused(LimitExceeded, "insufficient_balance"):
        balance_post(customer=customer, amount=Decimal("-5.01"), kind="adjustment", actor=actor)


def test_balance_post_appends_a_row_with_the_running_balance(customer, actor):
    balance_post(customer=customer, amount=Decimal("5.00"), kind="adjustment", actor=actor)
    row = balance_post(
        customer=customer,
        amount=Decimal("-2.50"),
        kind=BalanceTransaction.Kind.INVOICE_APPLICATION,
        actor=actor,
        invoice_id="inv_x",
    )

    customer.refresh_from_db()
    assert row.balance_after == Decimal("2.50")
    assert row.invoice_id == "inv_x"
    assert customer.balance == Decimal("2.50")
    assert_no_drift()
