"""The customer's statement in the back office: the page, its CSV and PDF, who may see it."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.utils import timezone

from tests.admin_support import customer_url, staff
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    give_balance,
    issued_invoice,
    record_payment,
)
from tests.payments.pdf_support import pdf_text


def _statement(client, customer, suffix="", **params):
    return client.get(customer_url(customer, "statement") + suffix, params)


def test_the_profile_links_to_a_statement_of_this_year_so_far(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "30.00", reference="TILL-7")

    profile = client.get(customer_url(customer)).content.decode()
    assert customer_url(customer, "statement") in profile

    response = _statement(client, customer)
    page = response.content.decode()
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["statement"].start == date(today.year, 1, 1)
    assert response.context["statement"].end == today
    assert f"Invoice {invoice.number}" in page and "€70.00" in page
    assert 'data-testid="statement-rows"' in page and "settle-table-wrap" in page
    assert "Matches" in page and "Download PDF" in page and "Download CSV" in page


def test_the_csv_has_an_opening_row_each_movement_and_a_closing_row(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "30.00", reference="=HYPERLINK(1)")
    give_balance(customer, "5.00")
    today = timezone.localdate().isoformat()

    response = _statement(client, customer, "csv", start="2000-01-01", end=today)

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [
        (r["kind"], r["debit"], r["credit"], r["balance"], r["money_balance"]) for r in rows
    ] == [
        ("opening_balance", "", "", "0.00", "0.00"),
        ("invoice", "100.00", "", "100.00", ""),
        ("payment", "", "30.00", "70.00", ""),
        ("adjustment", "", "5.00", "65.00", "5.00"),
        ("closing_balance", "100.00", "35.00", "65.00", "5.00"),
    ]
    assert rows[2]["reference"] == "'=HYPERLINK(1)"
    assert rows[2]["description"].startswith(f"Payment for {invoice.number}")
    assert Decimal(rows[-1]["balance"]) == Decimal("65.00")


def test_the_pdf_names_the_customer_and_its_closing_balance(client, office, customer):
    customer.name = "Ada Lovelace Ltd"
    customer.save()
    issued_invoice(customer, total="1234.50")

    response = _statement(client, customer, "pdf", start="2000-01-01", end="2999-12-31")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Ada Lovelace Ltd" in text and "Statement of account" in text
    assert "Closing balance €1,234.50" in text


def test_a_bad_period_is_a_form_error_not_a_download(client, office, customer):
    response = _statement(client, customer, "csv", start="2026-05-01", end="2026-04-01")
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()

    assert _statement(client, customer, start="tomorrow", end="2026-04-01").status_code == 400


def test_another_entitys_customer_is_404_and_viewing_needs_the_permission(client, customer):
    foreign = CustomerFactory(entity=EntityFactory())
    client.force_login(staff(customer.entity))
    assert _statement(client, foreign).status_code == 404
    assert _statement(client, foreign, "pdf").status_code == 404

    client.force_login(staff(customer.entity, grant=[], without=["billing.view_customer"]))
    assert _statement(client, customer).status_code == 403
    assert _statement(client, customer, "csv").status_code == 403
