"""Back office → Exports: a period and a Download CSV per kind, for the kinds the staff member
may view, with the rows of their own entities only."""

import pytest
from django.urls import reverse

from tests.admin_support import staff
from tests.api.export_support import csv_rows, make_book
from tests.factories import EntityFactory, UserFactory

URL = "/admin/exports/"
EVERY_VIEW = [
    "payments.view_refund",
    "billing.view_balancetransaction",
    "billing.view_auditevent",
]


@pytest.fixture
def book(entity):
    return make_book(entity)


@pytest.fixture
def bookkeeper(client, entity):
    user = staff(entity, grant=EVERY_VIEW)
    client.force_login(user)
    return user


def _download(client, kind, entity, **period):
    return client.get(URL, {"kind": kind, "entity": entity.pk, **period})


def test_the_page_offers_a_download_per_kind_and_is_linked_from_the_dashboard(
    client, bookkeeper, entity
):
    page = client.get(URL)
    dashboard = client.get(reverse("admin:index"))

    assert page.status_code == 200
    html = page.content.decode()
    for kind in (
        "payments",
        "refunds",
        "invoices",
        "credit-notes",
        "balance-transactions",
        "audit-events",
    ):
        assert f'name="kind" value="{kind}"' in html
    assert html.count("Download CSV") == 6
    assert 'type="hidden" name="entity"' in html  # one entity: nothing to choose
    assert f'href="{reverse("backoffice-exports")}"' in dashboard.content.decode()


def test_a_download_streams_the_entitys_rows_of_the_period(client, bookkeeper, entity, book):
    make_book(EntityFactory(), name="Someone Else")

    response = _download(client, "refunds", entity, start="2024-01-01", end="2024-01-31")

    assert response["Content-Disposition"].startswith('attachment; filename="refunds-')
    rows = csv_rows(response)
    assert [(row["id"], row["amount"], row["customer_name"]) for row in rows] == [
        (book["refund"].pk, "12.50", "Ada Lovelace")
    ]


@pytest.mark.parametrize(
    ("kind", "period", "column", "expected"),
    [
        ("payments", {"start": "2024-01-15"}, "amount", ["10.00"]),
        ("invoices", {}, "number", ["INV-2024-00001", "ADV-2024-00001", "INV-2024-00002"]),
        ("credit-notes", {"end": "2024-01-19"}, "number", []),
        ("balance-transactions", {"end": "2024-01-31"}, "balance_after", ["10.00", "30.00"]),
        (
            "audit-events",
            {"start": "2024-02-01", "end": "2024-02-01"},
            "action",
            ["advance.created", "invoice.issued"],
        ),
    ],
)
def test_every_kind_downloads_oldest_first(
    client, bookkeeper, entity, book, kind, period, column, expected
):
    rows = csv_rows(_download(client, kind, entity, **period))

    assert [row[column] for row in rows] == expected


def test_a_kind_the_user_may_not_view_is_neither_offered_nor_downloadable(client, entity, book):
    client.force_login(staff(entity))  # may view payments and documents, not the audit trail

    page = client.get(URL)
    response = _download(client, "audit-events", entity)

    assert 'value="audit-events"' not in page.content.decode()
    assert 'value="payments"' in page.content.decode()
    assert response.status_code == 403


def test_without_any_view_permission_the_page_is_refused(client, entity):
    client.force_login(
        staff(
            entity,
            grant=[],
            without=[
                "invoices.view_invoice",
                "invoices.view_advanceinvoice",
                "invoices.view_creditnote",
                "payments.view_payment",
            ],
        )
    )

    assert client.get(URL).status_code == 403


def test_advance_invoices_are_left_out_without_their_view_permission(client, entity, book):
    client.force_login(staff(entity, without=["invoices.view_advanceinvoice"]))

    rows = csv_rows(_download(client, "invoices", entity))

    assert [row["kind"] for row in rows] == ["invoice", "invoice"]


def test_another_entity_cannot_be_chosen(client, bookkeeper, entity, book):
    other = EntityFactory()
    make_book(other, name="Someone Else")

    response = _download(client, "payments", other)

    assert response.status_code == 400
    assert not response.streaming
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"start": "2024-03-01", "end": "2024-02-01"}, "The end of the period comes before"),
        ({"end": "9999-12-31"}, "Give a date between 1900 and 2999."),
        ({"start": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_period_that_cannot_be_is_refused_on_the_page(
    client, bookkeeper, entity, period, message
):
    response = _download(client, "payments", entity, **period)

    assert response.status_code == 400
    assert not response.streaming
    assert message in response.content.decode()


def test_a_member_of_two_entities_chooses_one(client, entity, book):
    second = EntityFactory(name="Annex")
    theirs = make_book(second, name="Annex Member")
    client.force_login(staff(entity, second, grant=EVERY_VIEW))

    page = client.get(URL)
    rows = csv_rows(_download(client, "refunds", second))

    assert '<select name="entity"' in page.content.decode()
    assert [row["id"] for row in rows] == [theirs["refund"].pk]


def test_the_page_needs_a_staff_login(client, db):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
