"""Refund… on the invoice page: preview the split, then refund it once (Django test client)."""

from decimal import Decimal

from billing.models import AuditEvent
from payments.models import Refund
from tests.admin_support import invoice_url, messages_of, staff, submit
from tests.asserts import unchanged
from tests.factories import charge_card, issued_invoice, record_payment


def paid(customer):
    """120.00 paid by a card charge of 30.00, then 90.00 in cash."""
    invoice = issued_invoice(customer, total="120.00")
    card = charge_card(invoice, "30.00")
    cash = record_payment(invoice, "90.00")
    return invoice, card, cash


def fields(amount="50.00", order="card_first", destination="original", **extra):
    return {
        "amount": amount,
        "order": order,
        "destination": destination,
        "reason": "Two desks were not used",
        **extra,
    }


def test_the_invoice_page_offers_refund_with_the_refund_permission(client, office, customer):
    invoice, *_ = paid(customer)
    unpaid = issued_invoice(customer, total="10.00")

    page = client.get(invoice_url(invoice)).content.decode()
    empty = client.get(invoice_url(unpaid)).content.decode()
    client.force_login(staff(customer.entity, without=["payments.refund_payment"]))
    forbidden = client.get(invoice_url(invoice)).content.decode()

    assert invoice_url(invoice, "invoice_refund") in page
    assert 'data-testid="refund-invoice"' not in empty
    assert 'data-testid="refund-invoice"' not in forbidden
    assert client.get(invoice_url(invoice, "invoice_refund")).status_code == 403


def test_the_form_opens_empty_and_an_invoice_with_nothing_to_refund_goes_back(
    client, office, customer
):
    invoice, *_ = paid(customer)
    unpaid = issued_invoice(customer, total="10.00")

    opened = client.get(invoice_url(invoice, "invoice_refund"))
    bounced = client.get(invoice_url(unpaid, "invoice_refund"), follow=True)

    assert opened.status_code == 200
    assert opened.context["split"] is None
    assert 'name="refund"' not in opened.content.decode()
    assert bounced.redirect_chain[-1][0].startswith(invoice_url(unpaid))
    assert messages_of(bounced) == ["Nothing on this invoice can be refunded."]


def test_preview_shows_the_split_and_writes_nothing(client, office, customer):
    invoice, card, cash = paid(customer)
    url = invoice_url(invoice, "invoice_refund")

    with unchanged():
        response = submit(client, url, fields(preview="Preview refund"))

    html = response.content.decode()
    assert response.status_code == 200
    split = response.context["split"]
    assert [(row["payment"].pk, row["amount"], row["where"]) for row in split] == [
        (card.pk, Decimal("30.00"), "back to the card"),
        (cash.pk, Decimal("20.00"), "paid back outside the app"),
    ]
    assert 'data-testid="refund-split"' in html
    assert 'name="refund"' in html
    assert 'value="50.00|card_first|original"' in html


def test_refund_after_the_preview_refunds_the_split_once(client, office, customer):
    invoice, card, cash = paid(customer)
    url = invoice_url(invoice, "invoice_refund")
    preview = submit(client, url, fields(preview="Preview refund"))
    token = preview.context["form"]["form_token"].value()
    final = fields(previewed="50.00|card_first|original", refund="Refund")

    response = submit(client, url, final, token=token, follow=True)
    again = submit(client, url, final, token=token, follow=True)

    assert [(r.payment_id, r.amount, r.status) for r in Refund.objects.order_by("created_at")] == [
        (card.pk, Decimal("30.00"), "succeeded"),
        (cash.pk, Decimal("20.00"), "succeeded"),
    ]
    assert AuditEvent.objects.filter(action="invoice.refunded").count() == 1
    [message] = messages_of(response)
    assert message.startswith("Refunded €50.00 over 2 payments: €30.00 from ")
    assert "Amount due is now €50.00." in message
    assert "already submitted" in messages_of(again)[0]
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("70.00")


def test_refund_of_values_other_than_the_preview_previews_again(client, office, customer):
    invoice, *_ = paid(customer)
    url = invoice_url(invoice, "invoice_refund")

    with unchanged():
        response = submit(
            client,
            url,
            fields(amount="60.00", previewed="50.00|card_first|original", refund="Refund"),
        )

    assert response.status_code == 200
    assert sum(row["amount"] for row in response.context["split"]) == Decimal("60.00")


def test_above_what_the_payments_can_refund_is_shown_on_the_form(client, office, customer):
    invoice, *_ = paid(customer)
    url = invoice_url(invoice, "invoice_refund")

    with unchanged():
        preview = submit(client, url, fields(amount="120.01", preview="Preview refund"))
        forced = submit(
            client,
            url,
            fields(amount="120.01", previewed="120.01|card_first|original", refund="Refund"),
        )

    for response in (preview, forced):
        assert response.status_code == 200
        assert response.context["split"] is None
        assert response.context["form"].errors["amount"] == [
            "The amount €120.01 exceeds what the invoice's payments can refund (€120.00)."
        ]
