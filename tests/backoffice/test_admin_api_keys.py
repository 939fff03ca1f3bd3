"""API keys in the back office: create (the secret shown once, scopes and expiry saved),
roll (a new secret shown once, the old one kept for the grace chosen), the list."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.utils import quote
from django.urls import reverse

from billing.models import ApiKey, AuditEvent
from billing.services import api_key_create, api_key_digest
from tests.admin_support import staff
from tests.api_client import ApiClient
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

ADD = ["billing.view_apikey", "billing.add_apikey"]
ROLL = ["billing.view_apikey", "billing.roll_api_key"]
ADD_URL = reverse("admin:billing_apikey_add")
LIST_URL = reverse("admin:billing_apikey_changelist")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def key_url(key, name="change") -> str:
    return reverse(f"admin:billing_apikey_{name}", args=[quote(key.pk)])


def shown_secret(response) -> str:
    match = re.search(r'value="(sk_settle_[^"]+)"', response.content.decode())
    assert match, "no secret on the page"
    return match.group(1)


def create_form(entity, **extra) -> dict:
    return {"name": "Accounting sync", "entities": [entity.pk], "access": "restricted", **extra}


def test_creating_a_key_shows_it_once_and_saves_its_scopes_and_expiry(client, entity):
    user = staff(entity, grant=ADD)
    client.force_login(user)
    assert client.get(ADD_URL).status_code == 200

    response = client.post(
        ADD_URL,
        create_form(
            entity,
            scope_payments="write",
            scope_invoices="read",
            scope_refunds="",
            expires_on="2999-01-31",
        ),
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = shown_secret(response)
    key = ApiKey.objects.get()
    assert key.digest == api_key_digest(raw)
    assert key.scopes == ["payments:write", "invoices:read"]
    assert key.expires_at is not None and key.expires_at.date() == datetime(2999, 2, 1).date()
    assert list(key.entities.all()) == [entity]
    event = AuditEvent.objects.get(action="api_key.created")
    assert (event.source, event.actor_user_id, event.entity_id) == ("admin", user.pk, entity.pk)
    assert raw not in str(event.after)
    # Shown once: the key's page and the list show the prefix, never the secret.
    for page in (client.get(key_url(key)), client.get(LIST_URL)):
        assert raw not in page.content.decode()
        assert key.prefix in page.content.decode()
    api = ApiClient(raw)
    assert api.get("payments").status == 200
    assert api.get("customers").error["code"] == "insufficient_scope"


def test_a_full_access_key_has_no_scopes(client, entity):
    client.force_login(staff(entity, grant=ADD))

    response = client.post(ADD_URL, create_form(entity, access="full", scope_payments="read"))

    assert ApiKey.objects.get().scopes == []
    assert ApiClient(shown_secret(response)).post("customers", {}).status != 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose read or write for at least one resource"),
        ({"scope_payments": "admin"}, "Select a valid choice"),
        ({"scope_payments": "read", "expires_on": "2000-01-01"}, "Choose today or a later day"),
        ({"scope_payments": "read", "name": ""}, "This field is required"),
    ],
)
def test_a_bad_create_form_is_refused_and_creates_nothing(client, entity, data, message):
    client.force_login(staff(entity, grant=ADD))

    response = client.post(ADD_URL, {**create_form(entity), **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()
    assert "sk_settle_" not in response.content.decode()


def test_a_key_cannot_be_made_for_another_entity(client, entity):
    client.force_login(staff(entity, grant=ADD))
    other = EntityFactory()

    response = client.post(ADD_URL, create_form(other, scope_payments="read"))

    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_creating_needs_the_permission(client, entity):
    client.force_login(staff(entity, grant=["billing.view_apikey"]))

    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, create_form(entity, scope_payments="read")).status_code == 403
    assert not ApiKey.objects.exists()


def test_rolling_shows_the_new_secret_once_and_keeps_the_old_one_for_the_grace(client, entity):
    user = staff(entity, grant=ROLL)
    client.force_login(user)
    key, old = api_key_create(name="Sync", entities=[entity], scopes=["payments:read"])

    with time_machine.travel(NOON, tick=False) as clock:
        assert key_url(key, "roll") in client.get(key_url(key)).content.decode()
        assert client.get(key_url(key, "roll")).status_code == 200
        response = client.post(key_url(key, "roll"), {"grace": "3600"})

        assert response.status_code == 200
        new = shown_secret(response)
        assert new != old
        key.refresh_from_db()
        assert key.scopes == ["payments:read"]  # the key keeps its scopes
        assert key.previous_expires_at == NOON + timedelta(hours=1)
        assert "works until" in client.get(LIST_URL).content.decode()
        assert ApiClient(old).get("payments").status == 200
        assert ApiClient(new).get("payments").status == 200
        event = AuditEvent.objects.get(action="api_key.rolled")
        assert (event.source, event.actor_user_id) == ("admin", user.pk)

        clock.move_to(NOON + timedelta(hours=1))
        assert ApiClient(old).get("payments").status == 401
        assert ApiClient(new).get("payments").status == 200


def test_rolling_needs_the_permission_and_a_grace_from_the_list(client, entity):
    key, old = api_key_create(name="Sync", entities=[entity])
    client.force_login(staff(entity, grant=["billing.view_apikey"]))
    assert key_url(key, "roll") not in client.get(key_url(key)).content.decode()
    assert client.post(key_url(key, "roll"), {"grace": "0"}).status_code == 403

    client.force_login(staff(entity, grant=ROLL))
    response = client.post(key_url(key, "roll"), {"grace": "31536000"})

    assert response.status_code == 400
    assert ApiKey.objects.get(pk=key.pk).digest == api_key_digest(old)


def test_the_list_shows_scopes_expiry_last_use_and_state(client, entity):
    client.force_login(staff(entity, grant=["billing.view_apikey"]))
    api_key_create(name="Reader", entities=[entity], scopes=["payments:read"])
    _key, raw = api_key_create(name="Everything", entities=[entity])
    ApiClient(raw).get("payments")

    page = client.get(LIST_URL).content.decode()

    assert "payments:read" in page
    assert "Unrestricted" in page
    assert "Active" in page
    for column in ("Scopes", "Expires at", "Last used at", "State"):
        assert column in page
