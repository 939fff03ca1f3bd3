from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from backoffice.scoping import scope_to_member_entities
from billing.models import ApiKey, AuditEvent, BalanceTransaction, Customer, EntityMembership
from billing.services import api_key_create
from tests.factories import CustomerFactory, EntityFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Admin pages link static files; tests render them without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def staff_user(*entities, **extra):
    user = UserFactory(is_staff=True, **extra)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["billing", "invoices", "payments"])
    )
    for entity in entities:
        EntityMembership.objects.create(entity=entity, user=user)
    return user


@pytest.fixture
def tenants(db):
    ours = EntityFactory(name="Harbour Coworking")
    theirs = EntityFactory(name="Rival Desks")
    CustomerFactory(entity=ours, name="Ada Ourmember")
    CustomerFactory(entity=theirs, name="Bob Theirmember")
    return ours, theirs


def test_staff_sees_only_the_customers_of_their_entities(client, tenants):
    ours, _ = tenants
    client.force_login(staff_user(ours))

    page = client.get(reverse("admin:billing_customer_changelist")).content.decode()

    assert "Ada Ourmember" in page
    assert "Bob Theirmember" not in page
    assert "Rival Desks" not in page  # not even as a filter choice


def test_staff_sees_only_their_entities(client, tenants):
    ours, theirs = tenants
    client.force_login(staff_user(ours))

    page = client.get(reverse("admin:billing_entity_changelist")).content.decode()
    foreign = client.get(reverse("admin:billing_entity_change", args=[theirs.pk]))

    assert "Harbour Coworking" in page
    assert "Rival Desks" not in page
    assert foreign.status_code == 302


def test_staff_cannot_open_a_customer_of_another_entity(client, tenants):
    ours, theirs = tenants
    client.force_login(staff_user(ours))
    foreign = Customer.objects.get(entity=theirs)

    response = client.get(reverse("admin:billing_customer_change", args=[foreign.pk]))

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert foreign.name not in client.get(response["Location"]).content.decode()


def test_staff_without_membership_sees_no_rows(client, tenants):
    client.force_login(staff_user())

    page = client.get(reverse("admin:billing_customer_changelist")).content.decode()

    assert "Ada Ourmember" not in page
    assert "Bob Theirmember" not in page


def test_superuser_sees_every_entity(client, tenants):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:billing_customer_changelist")).content.decode()

    assert "Ada Ourmember" in page
    assert "Bob Theirmember" in page


def test_new_customer_can_only_be_placed_in_a_member_entity(client, tenants):
    ours, theirs = tenants
    client.force_login(staff_user(ours))

    page = client.get(reverse("admin:billing_customer_add")).content.decode()
    response = client.post(
        reverse("admin:billing_customer_add"),
        {"entity": theirs.pk, "name": "Smuggled In", "currency": "EUR", "metadata": "{}"},
    )

    assert "Harbour Coworking" in page
    assert "Rival Desks" not in page
    assert response.status_code == 200  # the form comes back with an error
    assert not Customer.objects.filter(name="Smuggled In").exists()


def test_customer_balance_cannot_be_edited_in_the_admin(client, tenants):
    ours, _ = tenants
    client.force_login(staff_user(ours))
    customer = Customer.objects.get(entity=ours)

    response = client.post(
        reverse("admin:billing_customer_change", args=[customer.pk]),
        {
            "name": "Ada Renamed",
            "email": customer.email,
            "metadata": "{}",
            "balance": "999.00",
            "balance_transactions-TOTAL_FORMS": "0",
            "balance_transactions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Ada Renamed"
    assert customer.balance == Decimal("0")


@pytest.mark.parametrize("model", [AuditEvent, BalanceTransaction, ApiKey])
def test_ledgers_and_keys_are_read_only_even_for_superusers(db, model):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request)
    # A key is created by its own page (the secret shown once), never edited nor deleted.
    assert model_admin.has_add_permission(request) is (model is ApiKey)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_api_keys_are_scoped_through_their_entities_without_duplicates(tenants):
    ours, theirs = tenants
    shared, _ = api_key_create(name="Shared", entities=[ours, theirs])
    api_key_create(name="Theirs only", entities=[theirs])
    other = EntityFactory()
    user = staff_user(ours, other)
    EntityMembership.objects.create(entity=theirs, user=staff_user())

    visible = scope_to_member_entities(ApiKey.objects.all(), user, "entities")

    assert list(visible) == [shared]
