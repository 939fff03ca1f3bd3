"""Who sees what: a member sees only their own customer's documents; the rest is a 404."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from payments.services import refund_create
from tests.factories import SYSTEM, SavedCardFactory, charge_card, draft_invoice
from tests.portal.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_member(client, invoice):
    for url in (
        "/portal/",
        f"/portal/invoices/{invoice.pk}/",
        "/portal/cards/",
        "/portal/balance/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/?next=")


def test_a_member_signs_in_and_sees_their_invoices(client, member, invoice, stranger_invoice):
    response = client.post("/portal/login/", {"username": "lena", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/portal/")

    page = client.get("/portal/").content.decode()

    assert invoice.number in page
    assert "€120.00" in page
    assert stranger_invoice.customer.name not in page
    assert f"/portal/invoices/{stranger_invoice.pk}/" not in page


def test_a_wrong_password_is_refused(client, member):
    response = client.post("/portal/login/", {"username": "lena", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_another_customers_documents_are_not_found(member_client, stranger_invoice):
    card = SavedCardFactory(customer=stranger_invoice.customer)
    payment = charge_card(stranger_invoice, card=card, amount="10.00")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="test", amount="1.00")

    for method, url in [
        ("get", f"/portal/invoices/{stranger_invoice.pk}/"),
        ("post", f"/portal/invoices/{stranger_invoice.pk}/pay"),
        ("get", f"/portal/receipts/payments/{payment.pk}"),
        ("get", f"/portal/receipts/refunds/{refund.pk}"),
        ("post", f"/portal/cards/{card.pk}/remove"),
        ("post", f"/portal/cards/{card.pk}/default"),
        ("post", f"/portal/payments/{payment.pk}/cancel"),
        ("get", f"/portal/sandbox/authenticate/{payment.gateway_reference}"),
    ]:
        assert getattr(member_client, method)(url).status_code == 404, url
    card.refresh_from_db()
    assert card.detached_at is None


def test_a_draft_invoice_is_not_shown(member_client, customer):
    draft = draft_invoice(customer)
    assert member_client.get(f"/portal/invoices/{draft.pk}/").status_code == 404


def test_a_user_without_a_customer_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    assert "not linked to a customer" in client.get("/portal/").content.decode()


def test_password_reset_by_email(client, member):
    response = client.post("/portal/password-reset/", {"email": "lena@example.com"})
    assert response["Location"] == "/portal/password-reset/sent/"
    [message] = mail.outbox
    link = re.search(r"http://testserver(/portal/password-reset/\S+/)", message.body).group(1)

    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "A fresh pass 2026", "new_password2": "A fresh pass 2026"}
    )

    assert response["Location"] == reverse("portal:password-reset-complete")
    signed_in = client.post("/portal/login/", {"username": "lena", "password": "A fresh pass 2026"})
    assert signed_in["Location"] == reverse("portal:home")


def test_receipts_history_and_balance_pages(member_client, customer, invoice, visa):
    from tests.factories import give_balance

    payment = charge_card(invoice, card=visa, amount="20.00")
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Late", amount="5.00")
    give_balance(customer, "7.50")

    receipt = member_client.get(f"/portal/receipts/payments/{payment.pk}").content.decode()
    assert "Payment receipt" in receipt and "€20.00" in receipt and invoice.number in receipt
    assert "Visa •••• 4242" in receipt
    refund_page = member_client.get(f"/portal/receipts/refunds/{refund.pk}").content.decode()
    assert "Refund receipt" in refund_page and "€5.00" in refund_page
    history = member_client.get("/portal/payments/").content.decode()
    assert payment.pk in history or "€20.00" in history
    assert "€5.00" in history
    balance = member_client.get("/portal/balance/").content.decode()
    assert "€7.50" in balance and "Credit added" in balance
    assert "Goodwill credit" not in balance  # the internal note stays in the back office


def test_a_receipt_names_documents_by_number_and_never_shows_a_negative_amount_due(
    member_client, invoice, visa
):
    from tests.factories import record_payment

    payment = record_payment(invoice, "150.00")  # 30.00 more than the 120.00 due
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Paid twice", amount="10.00")

    receipt = member_client.get(f"/portal/receipts/payments/{payment.pk}").content.decode()
    visible = re.sub(r"<[^>]+>", " ", receipt)
    assert f"Invoice {invoice.number}" in visible
    assert payment.pk not in visible
    assert "-" + "20.00" not in visible and "−20.00" not in visible
    assert "Nothing: paid in full (€20.00 more than due)" in " ".join(visible.split())
    refund_page = member_client.get(f"/portal/receipts/refunds/{refund.pk}").content.decode()
    visible = re.sub(r"<[^>]+>", " ", refund_page)
    assert f"Invoice {invoice.number}" in visible
    assert refund.pk not in visible and payment.pk not in visible
