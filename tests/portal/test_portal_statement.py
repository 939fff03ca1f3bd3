"""The member's statement: their own customer's only, with its PDF and CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, EntityFactory, issued_invoice, record_payment
from tests.payments.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def test_a_member_sees_their_statement_from_the_navigation(member_client, customer, invoice):
    record_payment(invoice, "20.00", type="bank_transfer", reference="SEPA-9")

    home = member_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:statement") in home

    response = member_client.get(reverse("portal:statement"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Invoice {invoice.number}" in page
    assert f"Payment for {invoice.number} · Bank transfer · SEPA-9" in page
    assert response.context["statement"].closing_balance == invoice.total - 20
    assert 'data-testid="statement-closing">€100.00' in page


def test_the_member_downloads_it_as_csv_and_pdf(member_client, customer, invoice):
    customer.name = "Lena Fischer Design"
    customer.save()
    params = {"start": "2000-01-01", "end": "2999-12-31"}

    lines = member_client.get(reverse("portal:statement-csv"), params).streaming_content
    rows = list(csv.DictReader(io.StringIO(b"".join(lines).decode())))
    assert [(r["kind"], r["balance"]) for r in rows] == [
        ("opening_balance", "0.00"),
        ("invoice", "120.00"),
        ("closing_balance", "120.00"),
    ]

    response = member_client.get(reverse("portal:statement-pdf"), params)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Lena Fischer Design" in text and "Closing balance €120.00" in text


def test_another_customers_statement_is_not_found(member_client, entity, stranger_invoice):
    stranger = stranger_invoice.customer
    foreign = CustomerFactory(entity=EntityFactory())
    for customer in (stranger, foreign):
        for name in ("portal:statement", "portal:statement-csv", "portal:statement-pdf"):
            response = member_client.get(reverse(name), {"customer": customer.pk})
            assert response.status_code == 404, (name, customer)


def test_a_bad_period_is_a_form_error(member_client, customer):
    response = member_client.get(
        reverse("portal:statement-csv"), {"start": "2026-02-30", "end": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_signed_out_it_asks_to_sign_in(client):
    response = client.get(reverse("portal:statement"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_a_member_of_two_customers_picks_the_account(member_client, member, customer, invoice):
    second = CustomerFactory(entity=EntityFactory(), user=member, name="Second Studio")
    theirs = issued_invoice(second, total="7.00")

    first_page = member_client.get(reverse("portal:statement")).content.decode()
    assert "Second Studio" in first_page and f"Invoice {invoice.number}" in first_page

    response = member_client.get(reverse("portal:statement"), {"customer": second.pk})
    assert response.context["statement"].customer == second
    assert f"Invoice {theirs.number}" in response.content.decode()
    assert response.context["statement"].closing_balance == Decimal("7.00")
