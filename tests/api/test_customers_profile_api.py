"""Customers' profile fields through the API: create, read, PATCH, archive and restore."""

from billing.models import AuditEvent, Customer
from tests.factories import CustomerFactory, draft_invoice


def test_create_with_the_profile_and_read_it_back(api, entity):
    created = api.post(
        "customers",
        {
            "name": "Northwind Studio",
            "email": "ap@northwind.example",
            "cc_emails": ["boss@northwind.example", "Boss@northwind.example"],
            "address": "1 Quay Street\nHamburg",
            "tax_id": "DE123456789",
            "payment_terms_days": 30,
            "language": "de",
        },
    )

    assert created.status == 201, created.body
    body = api.get(f"customers/{created.body['id']}").body
    assert body["cc_emails"] == ["boss@northwind.example"]
    assert (body["address"], body["tax_id"]) == ("1 Quay Street\nHamburg", "DE123456789")
    assert (body["payment_terms_days"], body["language"]) == (30, "de")
    assert (body["archived"], body["reminders_paused"], body["currency"]) == (False, False, "EUR")
    assert AuditEvent.objects.filter(action="customer.created", source="api").count() == 1


def test_defaults_are_null_meaning_the_entitys(api, entity):
    body = api.post("customers", {"name": "Ada"}).body

    assert (body["payment_terms_days"], body["language"], body["cc_emails"]) == (None, None, [])


def test_patch_changes_only_the_given_fields(api, customer):
    response = api.patch(
        f"customers/{customer.pk}",
        {"tax_id": "ATU12345678", "payment_terms_days": None, "reminders_paused": True},
    )

    assert response.status == 200, response.body
    assert response.body["tax_id"] == "ATU12345678"
    assert response.body["name"] == customer.name
    customer.refresh_from_db()
    assert (customer.tax_id, customer.reminders_paused) == ("ATU12345678", True)


def test_patch_archives_and_restores(api, customer):
    archived = api.patch(f"customers/{customer.pk}", {"archived": True})
    invoice = api.post(
        "invoices",
        {"customer_id": customer.pk, "items": [{"name": "Desk", "quantity": 1, "price": 10}]},
    )
    restored = api.patch(f"customers/{customer.pk}", {"archived": False})

    assert archived.body["archived"] is True
    assert invoice.status == 409
    assert (invoice.error["code"], invoice.error["param"]) == ("customer_archived", "customer_id")
    assert restored.body["archived"] is False
    assert not customer.invoices.exists()
    actions = AuditEvent.objects.filter(object_id=customer.pk).values_list("action", flat=True)
    assert sorted(actions) == ["customer.archived", "customer.restored"]


def test_currency_changes_until_the_first_document(api, customer):
    changed = api.patch(f"customers/{customer.pk}", {"currency": "USD"})
    draft_invoice(Customer.objects.get(pk=customer.pk))
    locked = api.patch(f"customers/{customer.pk}", {"currency": "EUR", "tax_id": "X1"})

    assert changed.status == 200
    assert locked.status == 409
    assert (locked.error["code"], locked.error["param"]) == ("currency_locked", "currency")
    customer.refresh_from_db()
    assert (customer.currency, customer.tax_id) == ("USD", "")


def test_invalid_profile_values_are_refused_with_codes(api, customer):
    cases = {
        "cc_emails": ({"cc_emails": ["not-an-address"]}, "invalid_cc_emails"),
        "payment_terms_days": ({"payment_terms_days": 366}, "invalid_payment_terms"),
        "language": ({"language": "fr"}, "invalid_choice"),
        "balance": ({"balance": 100}, "unknown_field"),
        "gateway_customer_id": ({"gateway_customer_id": "cus_x"}, "unknown_field"),
    }
    before = Customer.objects.values().get(pk=customer.pk)
    for param, (body, code) in cases.items():
        response = api.patch(f"customers/{customer.pk}", body)
        assert response.status == 400, (param, response.body)
        assert (response.error["code"], response.error["param"]) == (code, param)
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert not AuditEvent.objects.exists()


def test_another_entitys_customer_is_404(api, entity):
    stranger = CustomerFactory()

    response = api.patch(f"customers/{stranger.pk}", {"archived": True})

    assert response.status == 404
    stranger.refresh_from_db()
    assert stranger.archived_at is None


def test_the_list_can_leave_out_archived_customers(api, entity):
    active = CustomerFactory(entity=entity, name="Active")
    gone = CustomerFactory(entity=entity, name="Gone")
    api.patch(f"customers/{gone.pk}", {"archived": True})

    everyone = api.get("customers").body["data"]
    current = api.get("customers", {"query": '{"archived": false}'}).body["data"]
    archived = api.get("customers", {"query": '{"archived": true}'}).body["data"]

    assert {row["id"] for row in everyone} == {active.pk, gone.pk}
    assert [row["id"] for row in current] == [active.pk]
    assert [(row["id"], row["archived"]) for row in archived] == [(gone.pk, True)]
