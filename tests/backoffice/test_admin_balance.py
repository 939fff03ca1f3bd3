"""The customer profile and Adjust balance (Django test client)."""

from decimal import Decimal

import pytest

from backoffice.flows import form_token_new
from billing.models import AuditEvent, BalanceTransaction
from tests.admin_support import customer_url, messages_of, staff, submit
from tests.asserts import unchanged
from tests.factories import CustomerFactory, SavedCardFactory, give_balance, issued_invoice


def adjust(client, customer, direction, amount, note, **kwargs):
    return submit(
        client,
        customer_url(customer, "adjust_balance"),
        {"direction": direction, "amount": amount, "note": note},
        **kwargs,
    )


def test_profile_shows_balance_ledger_cards_and_invoices(client, office, customer):
    give_balance(customer, "12.50", reason="Referral credit")
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="40.00", apply_balance=False)

    response = client.get(customer_url(customer))
    page = response.content.decode()

    assert [
        panel["template"].rsplit("/", 1)[1] for panel in response.context["profile_panels"]
    ] == [
        "customer_balance.html",
        "customer_cards.html",
        "customer_invoices.html",
    ]
    for text in ["Money balance", "€12.50", "Referral credit", "Visa •••• 4242", invoice.number]:
        assert text in page
    assert "Adjust balance" in page


def test_adding_credit_is_ledgered_and_audited(client, office, customer):
    response = adjust(client, customer, "add", "25.00", "Printer out of order", follow=True)

    customer.refresh_from_db()
    row = BalanceTransaction.objects.get(customer=customer)
    assert customer.balance == Decimal("25.00")
    assert (row.kind, row.amount, row.reason, row.created_by) == (
        "adjustment",
        Decimal("25.00"),
        "Printer out of order",
        office,
    )
    event = AuditEvent.objects.get(action="balance.adjusted", customer_id=customer.pk)
    assert (event.source, event.reason) == ("admin", "Printer out of order")
    assert "money balance is now €25.00" in messages_of(response)[0]


def test_deducting_credit(client, office, customer):
    give_balance(customer, "40.00")

    adjust(client, customer, "deduct", "15.00", "Used at the café")

    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")


@pytest.mark.parametrize(
    ("direction", "amount", "note", "field", "message"),
    [
        ("add", "10.00", "", "note", "This field is required."),
        ("add", "0", "Nothing", "amount", "Enter an amount greater than zero."),
        ("add", "1.234", "Too precise", "amount", "more decimals than EUR allows"),
        ("deduct", "50.00", "Too much", "amount", "it cannot cover 50.00"),
    ],
)
def test_refused_adjustments_show_on_the_form_and_change_nothing(
    client, office, customer, direction, amount, note, field, message
):
    give_balance(customer, "20.00")

    with unchanged():
        response = adjust(client, customer, direction, amount, note)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]


def test_the_same_adjustment_form_sent_twice_adjusts_once(client, office, customer):
    token = form_token_new()

    adjust(client, customer, "add", "10.00", "Gift", token=token)
    adjust(client, customer, "add", "10.00", "Gift", token=token)

    customer.refresh_from_db()
    assert customer.balance == Decimal("10.00")
    assert BalanceTransaction.objects.filter(customer=customer).count() == 1


def test_adjusting_needs_the_permission(client, entity, customer):
    client.force_login(staff(entity, without=["billing.adjust_balance"]))

    with unchanged():
        opened = client.get(customer_url(customer, "adjust_balance"))
        posted = adjust(client, customer, "add", "10.00", "Gift")
    profile = client.get(customer_url(customer)).content.decode()

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert "Adjust balance" not in profile


def test_another_entitys_customer_cannot_be_adjusted(client, office):
    outsider = CustomerFactory(name="Outside Member")

    with unchanged():
        opened = client.get(customer_url(outsider, "adjust_balance"))
        posted = adjust(client, outsider, "add", "10.00", "Gift")

    assert (opened.status_code, posted.status_code) == (404, 404)
