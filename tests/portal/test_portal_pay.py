"""Paying from the portal in sandbox mode: saved card, new test card, partial amounts, 3-D Secure."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent, Submission
from payments.models import Payment, SavedPaymentMethod
from tests.asserts import unchanged
from tests.factories import SavedCardFactory

pytestmark = pytest.mark.django_db


def pay(client, invoice, amount, method, token="tok-1"):
    return client.post(
        f"/portal/invoices/{invoice.pk}/pay",
        {"amount": amount, "method": method, "form_token": token},
    )


def state(invoice):
    invoice.refresh_from_db()
    return (invoice.status, invoice.total_paid, invoice.total_due)


def messages_of(client, response):
    return client.get(response["Location"]).content.decode()


def test_pay_the_remaining_amount_with_a_saved_card(member_client, member, invoice, visa):
    response = pay(member_client, invoice, "120.00", visa.pk)

    assert response.status_code == 302
    assert response["Location"] == f"/portal/invoices/{invoice.pk}/"
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0.00"))
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.saved_payment_method_id, payment.created_by) == (
        "succeeded",
        visa.pk,
        member,
    )
    started = AuditEvent.objects.get(object_id=payment.pk, action="payment.charge_started")
    assert (started.source, started.actor_user) == ("portal", member)
    assert "your payment of €120.00 was received" in messages_of(member_client, response)


def test_pay_part_of_the_amount(member_client, invoice, visa):
    pay(member_client, invoice, "45.50", visa.pk)

    assert state(invoice) == ("partially_paid", Decimal("45.50"), Decimal("74.50"))
    page = member_client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert 'value="74.50"' in page  # the form now offers what is left


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("120.01", "You can pay at most €120.00: €120.01 is more than what is due."),
        ("0", "amount must be greater than zero."),
        ("-5", "amount must be greater than zero."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_an_amount_above_what_is_due_is_refused_with_a_form_error(
    member_client, invoice, visa, amount, message
):
    with unchanged():
        response = pay(member_client, invoice, amount, visa.pk)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.filter(door="portal").exists()


def test_a_double_submitted_form_charges_once(member_client, invoice, visa):
    first = pay(member_client, invoice, "20.00", visa.pk, token="same")
    second = pay(member_client, invoice, "20.00", visa.pk, token="same")

    assert first.status_code == second.status_code == 302
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert state(invoice) == ("partially_paid", Decimal("20.00"), Decimal("100.00"))


def test_a_resubmission_while_the_first_is_in_flight_answers_at_once(
    member_client, member, invoice, visa
):
    """The first submission is still charging (no payment recorded on its token yet): the
    second is answered at once, charges nothing, and says to reload in a moment."""
    import time

    Submission.objects.create(door="portal", owner=member.pk, key="same")

    started = time.monotonic()
    with unchanged():
        second = pay(member_client, invoice, "20.00", visa.pk, token="same")

    assert time.monotonic() - started < 2.0
    assert second["Location"] == f"/portal/invoices/{invoice.pk}/"
    assert (
        "This payment was already submitted and is still being processed; it was not sent "
        "again. Reload the page in a moment to see the result."
    ) in messages_of(member_client, second)


def test_a_declined_card_shows_the_reason_and_keeps_the_attempt(member_client, customer, invoice):
    declined = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_chargeDeclined", last4="0002"
    )

    response = pay(member_client, invoice, "120.00", declined.pk)

    page = messages_of(member_client, response)
    assert "did not go through. Your card was declined." in page
    assert Payment.objects.get(invoice=invoice).status == "failed"
    assert state(invoice) == ("issued", Decimal("0.00"), Decimal("120.00"))


def test_pay_with_a_new_sandbox_card(member_client, customer, invoice):
    response = pay(member_client, invoice, "120.00", "new")

    card_page = response["Location"]
    assert card_page.startswith("/portal/sandbox/card/sbx_setup_")
    page = member_client.get(card_page).content.decode()
    assert "Sandbox" in page and "4242424242424242" in page

    response = member_client.post(
        card_page, {"number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
    )

    assert response["Location"] == f"/portal/invoices/{invoice.pk}/"
    card = SavedPaymentMethod.objects.get(customer=customer)
    assert (card.gateway, card.gateway_reference, card.last4, card.is_default) == (
        "sandbox",
        "pm_card_visa",
        "4242",
        True,
    )
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0.00"))
    assert Payment.objects.get(invoice=invoice).saved_payment_method == card
    assert member_client.post(card_page, {}).status_code == 404  # the setup is used up


def test_the_sandbox_card_page_accepts_only_stripe_test_numbers(member_client, customer):
    response = member_client.post("/portal/cards/add")
    card_page = response["Location"]

    with unchanged():
        response = member_client.post(
            card_page, {"number": "4111 1111 1111 1111", "expiry": "12/34", "cvc": "123"}
        )

    assert response.status_code == 400
    assert "only Stripe&#x27;s published test card numbers" in response.content.decode()
    assert not SavedPaymentMethod.objects.exists()


def test_a_card_needing_authentication_goes_through_the_sandbox_bank_page(
    member_client, customer, invoice
):
    card = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )

    response = pay(member_client, invoice, "120.00", card.pk)

    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == "requires_action"
    assert response["Location"] == f"/portal/sandbox/authenticate/{payment.gateway_reference}"
    assert "Sandbox" in member_client.get(response["Location"]).content.decode()

    response = member_client.post(response["Location"], {"decision": "approve"})

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0.00"))


def test_a_refused_authentication_fails_the_payment(member_client, customer, invoice):
    card = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )
    page = pay(member_client, invoice, "120.00", card.pk)["Location"]

    member_client.post(page, {"decision": "refuse"})

    assert Payment.objects.get(invoice=invoice).status == "failed"
    assert state(invoice) == ("issued", Decimal("0.00"), Decimal("120.00"))


def test_an_abandoned_authentication_can_be_canceled_to_free_the_amount(
    member_client, customer, invoice, visa
):
    card = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_authenticationRequired", last4="3184"
    )
    pay(member_client, invoice, "120.00", card.pk)
    payment = Payment.objects.get(invoice=invoice)
    page = member_client.get(f"/portal/invoices/{invoice.pk}/").content.decode()
    assert "Confirm your payment" in page

    member_client.post(f"/portal/payments/{payment.pk}/cancel")

    payment.refresh_from_db()
    assert payment.status == "canceled"
    pay(member_client, invoice, "120.00", visa.pk, token="tok-2")
    assert state(invoice) == ("paid", Decimal("120.00"), Decimal("0.00"))


def test_cards_can_be_added_made_default_and_removed(member_client, customer, visa):
    second = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_mastercard", brand="mastercard", last4="4444"
    )

    member_client.post(f"/portal/cards/{second.pk}/default", follow=True)
    second.refresh_from_db()
    visa.refresh_from_db()
    assert (second.is_default, visa.is_default) == (True, False)

    member_client.post(f"/portal/cards/{second.pk}/remove", follow=True)
    second.refresh_from_db()
    visa.refresh_from_db()
    assert second.detached_at is not None
    assert visa.is_default  # the remaining card takes over
    page = member_client.get("/portal/cards/").content.decode()
    assert "Visa •••• 4242" in page and "Mastercard •••• 4444" not in page


def test_the_card_added_return_in_sandbox_mode_says_the_card_was_not_saved(member_client, customer):
    card_page = member_client.post("/portal/cards/add")["Location"]
    reference = card_page.rsplit("/", 1)[1]

    with unchanged():
        response = member_client.get(f"/portal/cards/added?session_id={reference}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/portal/cards/", 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "The card was not saved: no card was entered on the sandbox card page."
    ]
    # The setup is still open: the member can enter the card on the sandbox page.
    response = member_client.post(
        card_page, {"number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"}
    )
    assert response.status_code == 302
    assert SavedPaymentMethod.objects.get(customer=customer).gateway_reference == "pm_card_visa"
