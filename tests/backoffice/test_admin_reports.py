"""Reports → Aged receivables and Collections (and their CSVs): the staff user's entities
only, each behind a view permission; customers linked to their page."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin_support import customer_url, staff
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

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


COLLECTIONS = reverse("reports:collections")
COLLECTIONS_CSV = reverse("reports:collections-csv")


@pytest.fixture
def collected(db):
    ours, theirs = EntityFactory(name="Harbour"), EntityFactory(name="Rival")
    ada = CustomerFactory(entity=ours, name="Ada")
    invoice = issued_invoice(ada, total="900.00", date=date(2026, 1, 2), apply_balance=False)
    record_payment(invoice, "100.00", type="cash", date=date(2026, 3, 31))
    record_payment(invoice, "60.00", type="bank_transfer", date=date(2026, 4, 1))
    issued_credit_note(invoice, "30.00", to="invoice")
    rival = issued_invoice(CustomerFactory(entity=theirs), total="800.00", date=date(2026, 1, 2))
    record_payment(rival, "777.00", date=date(2026, 4, 1))
    return {"ours": ours, "theirs": theirs}


def test_the_collections_page_shows_periods_methods_and_credits_apart(client, collected):
    client.force_login(staff(collected["ours"], grant=[]))

    response = client.get(COLLECTIONS, {"start": "2026-03-01", "end": TODAY.isoformat()})

    assert response.status_code == 200
    page = response.content.decode()
    (section,) = response.context["sections"]
    report = section["report"]
    assert report.currency == "EUR"
    assert [(p.start, p.received) for p in report.periods[:2]] == [
        (date(2026, 3, 1), Decimal("100.00")),
        (date(2026, 4, 1), Decimal("60.00")),
    ]
    assert report.totals.net == Decimal("160.00")
    assert report.totals.credits["credit_applied"] == Decimal("30.00")
    assert "€777.00" not in page and "€160.00" in page
    assert "Credits, not money" in page
    assert 'data-testid="download-csv"' in page


def test_the_collections_csv(client, collected):
    client.force_login(staff(collected["ours"], grant=[]))

    response = client.get(
        COLLECTIONS_CSV, {"start": "2026-03-30", "end": "2026-04-05", "group_by": "week"}
    )

    rows = csv_rows(response)
    header = rows[0]
    assert header[:4] == ["row", "currency", "period_start", "period_end"]
    assert header[-3:] == ["credit_applied", "balance_used", "advance_applied"]
    by_column = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [(r["row"], r["period_start"], r["period_end"]) for r in by_column] == [
        ("period", "2026-03-30", "2026-04-05"),
        ("total", "2026-03-30", "2026-04-05"),
    ]
    week = by_column[0]
    assert (week["cash_received"], week["bank_transfer_received"]) == ("100.00", "60.00")
    assert (week["received"], week["refunded"], week["net"]) == ("160.00", "0.00", "160.00")


def test_a_bad_range_is_shown_on_the_form(client, collected):
    client.force_login(staff(collected["ours"], grant=[]))

    backwards = client.get(COLLECTIONS, {"start": "2026-05-01", "end": "2026-04-01"})
    too_long = client.get(
        COLLECTIONS, {"start": "2020-01-01", "end": "2026-01-01", "group_by": "day"}
    )
    download = client.get(COLLECTIONS_CSV, {"start": "2026-05-01", "end": "2026-04-01"})

    assert backwards.context["form"].errors["start"]
    assert too_long.context["form"].errors["end"]
    assert download.status_code == 302


def test_collections_need_the_payments_view_permission(client, collected):
    client.force_login(staff(collected["ours"], grant=[], without=["payments.view_payment"]))

    assert client.get(COLLECTIONS).status_code == 403
    assert client.get(COLLECTIONS_CSV).status_code == 403
    assert client.get(AGED).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{COLLECTIONS}"' not in index and f'href="{AGED}"' in index
