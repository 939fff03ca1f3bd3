"""Reports → Aged receivables (and its CSV): the staff user's entities only, behind a view
permission, each customer linked to their page."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin_support import customer_url, staff
from tests.factories import CustomerFactory, EntityFactory, issued_invoice, record_payment

TODAY = timezone.localdate()
AGED = reverse("reports:aged-receivables")
AGED_CSV = reverse("reports:aged-receivables-csv")


def owed(customer, total, overdue_days, issued_days_ago=200):
    return issued_invoice(
        customer,
        total=total,
        date=TODAY - timedelta(days=issued_days_ago),
        due_date=TODAY - timedelta(days=overdue_days),
        apply_balance=False,
    )


@pytest.fixture
def book(db):
    ours, theirs = EntityFactory(name="Harbour"), EntityFactory(name="Rival")
    ada = CustomerFactory(entity=ours, name="Ada")
    bea = CustomerFactory(entity=ours, name='=HYPERLINK("http://x")')
    record_payment(owed(ada, "300.00", 40), "100.00")
    owed(ada, "50.00", 0)
    owed(bea, "75.50", 100)
    owed(CustomerFactory(entity=ours, currency="USD", name="Yank"), "10.00", 3)
    owed(CustomerFactory(entity=theirs, name="Bob"), "999.00", 10)
    return {"ours": ours, "theirs": theirs, "ada": ada, "bea": bea}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_shows_buckets_customers_and_totals_per_currency(client, book):
    client.force_login(staff(book["ours"], grant=[]))

    response = client.get(AGED)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="aging-EUR"' in page and 'data-testid="aging-USD"' in page
    assert "Bob" not in page and "Rival" not in page
    assert f'href="{customer_url(book["ada"])}">Ada</a>' in page
    sections = {s["report"].currency: s["report"] for s in response.context["sections"]}
    assert str(sections["EUR"].total) == "325.50"
    assert str(sections["EUR"].buckets["31_60"]) == "200.00"
    assert str(sections["USD"].total) == "10.00"
    assert [s["report"].currency for s in response.context["sections"]] == ["EUR", "USD"]
    assert "€325.50" in page and "$10.00" in page
    assert 'data-testid="download-csv"' in page


def test_a_past_date_and_a_bad_date(client, book):
    client.force_login(staff(book["ours"], grant=[]))

    past = client.get(AGED, {"as_of": (TODAY - timedelta(days=300)).isoformat()})
    bad = client.get(AGED, {"as_of": "2026-02-30"})

    assert past.status_code == 200
    assert "Nothing was due" in past.content.decode()
    assert bad.status_code == 200
    assert bad.context["form"].errors["as_of"]
    assert bad.context["sections"] == []


def test_the_csv_has_a_row_per_customer_and_a_total_row_per_currency(client, book):
    client.force_login(staff(book["ours"], grant=[]))

    response = client.get(AGED_CSV, {"as_of": TODAY.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = csv_rows(response)
    assert rows[0] == [
        "currency", "customer_id", "customer_name",
        "current", "1_30", "31_60", "61_90", "over_90", "total",
    ]  # fmt: skip
    assert rows[1:] == [
        ["EUR", book["ada"].pk, "Ada", "50.00", "0.00", "200.00", "0.00", "0.00", "250.00"],
        ["EUR", book["bea"].pk, "'=HYPERLINK(\"http://x\")", "0.00", "0.00", "0.00", "0.00",
         "75.50", "75.50"],
        ["EUR", "", "Total", "50.00", "0.00", "200.00", "0.00", "75.50", "325.50"],
        ["USD", rows[4][1], "Yank", "0.00", "10.00", "0.00", "0.00", "0.00", "10.00"],
        ["USD", "", "Total", "0.00", "10.00", "0.00", "0.00", "0.00", "10.00"],
    ]  # fmt: skip


def test_another_entity_cannot_be_chosen(client, book):
    client.force_login(staff(book["ours"], grant=[]))

    response = client.get(AGED, {"entity": book["theirs"].pk})
    download = client.get(AGED_CSV, {"entity": book["theirs"].pk})

    assert response.context["form"].errors["entity"]
    assert "Bob" not in response.content.decode()
    assert download.status_code == 302


def test_a_member_of_two_entities_chooses_one(client, book):
    client.force_login(staff(book["ours"], book["theirs"], grant=[]))

    default = client.get(AGED)
    theirs = client.get(AGED, {"entity": book["theirs"].pk})

    assert 'name="entity"' in default.content.decode()
    assert "Ada" in default.content.decode()  # Harbour comes first by name
    assert "Bob" in theirs.content.decode() and "Ada" not in theirs.content.decode()


def test_without_the_view_permission_the_pages_are_refused(client, book):
    user = staff(book["ours"], grant=[], without=["invoices.view_invoice"])
    client.force_login(user)

    assert client.get(AGED).status_code == 403
    assert client.get(AGED_CSV).status_code == 403
    assert "Aged receivables" not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_lists_the_reports_and_signed_out_visitors_log_in(client, book):
    signed_out = client.get(AGED)
    client.force_login(staff(book["ours"], grant=[]))
    index = client.get(reverse("admin:index")).content.decode()

    assert signed_out.status_code == 302 and "/admin/login/" in signed_out["Location"]
    assert f'href="{AGED}"' in index
    assert "Reports" in index
