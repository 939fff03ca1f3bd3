"""The customer form of the back office, through the test client: create, edit, refusals
that change nothing, archive instead of delete."""

import pytest
from django.urls import reverse

from billing.models import AuditEvent, Customer
from invoices.services import invoice_create
from tests.admin_support import customer_url, permissions
from tests.factories import SYSTEM, CustomerFactory, draft_invoice, give_balance

CUSTOMER_PERMISSIONS = ["billing.add_customer", "billing.change_customer"]


@pytest.fixture
def editor(office):
    office.user_permissions.add(*permissions(*CUSTOMER_PERMISSIONS))
    return office


def form_data(customer=None, **changes) -> dict:
    """The form as the page posts it, from `customer`'s current values."""
    data = {
        "name": "",
        "email": "",
        "cc_emails": "",
        "address": "",
        "tax_id": "",
        "payment_terms_days": "",
        "language": "",
        "currency": "",
        "user": "",
        "metadata": "{}",
    }
    if customer is not None:
        data.update(
            name=customer.name,
            email=customer.email,
            cc_emails="\n".join(customer.cc_emails),
            address=customer.address,
            tax_id=customer.tax_id,
            payment_terms_days=customer.payment_terms_days or "",
            language=customer.language,
            currency=customer.currency,
        )
    data.update(changes)
    return data


def test_create_a_customer_with_the_entitys_defaults(client, editor, entity):
    page = client.get(reverse("admin:billing_customer_add"))
    assert "Entity default: 14 days" in page.content.decode()

    response = client.post(
        reverse("admin:billing_customer_add"),
        form_data(
            entity=entity.pk,
            name="Northwind Studio",
            email="ap@northwind.example",
            cc_emails="boss@northwind.example, books@northwind.example\nboss@northwind.example",
            address="1 Quay Street\nHamburg",
            tax_id="DE123456789",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get()
    assert customer.currency == "EUR"
    assert customer.cc_emails == ["boss@northwind.example", "books@northwind.example"]
    assert (customer.payment_terms_days, customer.language, customer.terms_days) == (None, "", 14)
    assert AuditEvent.objects.filter(action="customer.created", object_id=customer.pk).count() == 1


def test_edit_terms_language_and_pause_reminders(client, editor, customer):
    response = client.post(
        customer_url(customer),
        form_data(customer, payment_terms_days="30", language="de", reminders_paused="on"),
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.payment_terms_days, customer.language, customer.reminders_paused) == (
        30,
        "de",
        True,
    )
    event = AuditEvent.objects.get(action="customer.updated")
    assert event.after == {"payment_terms_days": 30, "language": "de", "reminders_paused": True}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"cc_emails": "ok@example.com, not-an-address"}, "cc_emails"),
        ({"payment_terms_days": "400"}, "payment_terms_days"),
        ({"name": "   "}, "name"),
    ],
)
def test_invalid_profile_is_refused_and_nothing_changes(client, editor, customer, changes, field):
    before = Customer.objects.values().get(pk=customer.pk)

    response = client.post(customer_url(customer), form_data(customer, **changes))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert not AuditEvent.objects.filter(object_id=customer.pk).exists()


def test_currency_changes_while_the_customer_has_no_documents(client, editor, customer):
    response = client.post(customer_url(customer), form_data(customer, currency="USD"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.currency == "USD"


@pytest.mark.parametrize("history", ["invoice", "balance"])
def test_currency_change_with_documents_is_a_form_error(client, editor, customer, history):
    if history == "invoice":
        draft_invoice(customer)
    else:
        give_balance(customer, "5.00")

    response = client.post(customer_url(customer), form_data(customer, currency="USD"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["currency"]
    assert "cannot change" in errors[0]
    customer.refresh_from_db()
    assert customer.currency == "EUR"


def test_balance_gateway_id_and_dates_are_read_only(client, editor, customer):
    page = client.get(customer_url(customer)).content.decode()
    form = client.get(customer_url(customer)).context["adminform"].form

    assert {"balance", "gateway_customer_id", "created_at", "archived_at"}.isdisjoint(form.fields)
    assert "Entity default: 14 days" in page
    response = client.post(
        customer_url(customer),
        form_data(customer, balance="999.00", gateway_customer_id="cus_stolen"),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.balance, customer.gateway_customer_id) == (0, "")


def test_no_delete_but_archive_and_restore_from_the_page(client, editor, customer):
    page = client.get(customer_url(customer)).content.decode()
    assert "deletelink" not in page
    assert 'data-testid="customer-archive"' in page
    assert client.get(customer_url(customer, "delete")).status_code in (302, 403)

    confirm = client.get(reverse("admin:billing_customer_archive", args=[customer.pk]))
    archived = client.post(reverse("admin:billing_customer_archive", args=[customer.pk]))

    assert confirm.status_code == 200
    assert archived.status_code == 302
    customer.refresh_from_db()
    assert customer.archived_at is not None
    listed = client.get(reverse("admin:billing_customer_changelist"))
    assert customer not in listed.context["cl"].result_list
    shown = client.get(reverse("admin:billing_customer_changelist") + "?archived=yes")
    assert list(shown.context["cl"].result_list) == [customer]

    client.post(reverse("admin:billing_customer_restore", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.archived_at is None
    actions = AuditEvent.objects.filter(object_id=customer.pk).values_list("action", flat=True)
    assert sorted(actions) == ["customer.archived", "customer.restored"]


def test_archive_and_restore_from_the_list(client, editor, entity):
    first, second = CustomerFactory(entity=entity), CustomerFactory(entity=entity)
    url = reverse("admin:billing_customer_changelist")

    client.post(url, {"action": "archive_selected", "_selected_action": [first.pk, second.pk]})

    assert Customer.objects.filter(archived_at__isnull=False).count() == 2
    client.post(
        url + "?archived=yes", {"action": "restore_selected", "_selected_action": [first.pk]}
    )
    assert list(Customer.objects.filter(archived_at__isnull=True)) == [first]
    assert "delete_selected" not in client.get(url).content.decode()


def test_an_archived_customer_cannot_be_invoiced(client, editor, customer):
    from billing.errors import InvalidState

    client.post(reverse("admin:billing_customer_archive", args=[customer.pk]))

    with pytest.raises(InvalidState) as refused:
        invoice_create(
            entity=customer.entity,
            customer=customer,
            actor=SYSTEM,
            items=[{"name": "Desk", "quantity": 1, "price": "10.00"}],
        )
    assert refused.value.code == "customer_archived"
    assert not customer.invoices.exists()


def test_staff_without_change_permission_cannot_archive(client, office, customer):
    response = client.post(reverse("admin:billing_customer_archive", args=[customer.pk]))

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.archived_at is None


def test_another_entitys_customer_cannot_be_archived(client, editor):
    stranger = CustomerFactory()

    response = client.post(reverse("admin:billing_customer_archive", args=[stranger.pk]))

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.archived_at is None
