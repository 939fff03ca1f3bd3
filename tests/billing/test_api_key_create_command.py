"""`manage.py create_api_key --scopes …`: restricted keys from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing.models import ApiKey, AuditEvent
from tests.api_client import ApiClient
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_scopes_make_a_restricted_key_that_the_api_enforces():
    entity = EntityFactory()

    out, err = run("--entity", entity.pk, "--scopes", "payments:read, invoices:read")

    key = ApiKey.objects.get()
    assert key.scopes == ["payments:read", "invoices:read"]
    assert "scopes: payments:read, invoices:read" in err
    api = ApiClient(out.strip())
    assert api.get("payments").status == 200
    assert api.get("invoices").status == 200
    assert api.get("refunds").error["code"] == "insufficient_scope"
    assert api.post("payments", {}).error["code"] == "insufficient_scope"


def test_write_makes_read_redundant():
    run("--entity", EntityFactory().pk, "--scopes", "refunds:read,refunds:write")

    assert ApiKey.objects.get().scopes == ["refunds:write"]


def test_without_scopes_the_key_is_unrestricted():
    _, err = run("--entity", EntityFactory().pk)

    assert ApiKey.objects.get().scopes == []
    assert "scopes: unrestricted" in err


def test_creating_a_key_is_audited_without_its_secret():
    entity = EntityFactory()

    out, _ = run("--entity", entity.pk, "--scopes", "reports:read")

    event = AuditEvent.objects.get(action="api_key.created")
    key = ApiKey.objects.get()
    assert (event.entity_id, event.object_id, event.source) == (entity.pk, key.pk, "system")
    assert event.after["scopes"] == "reports:read"
    assert out.strip() not in str(event.after)


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        ("payments:read,payment:write", "Unknown scope: payment:write"),
        ("payments:admin", "Unknown scope: payments:admin"),
        ("everything", "Unknown scope: everything"),
        (" , ", "--scopes is empty"),
    ],
)
def test_unknown_scopes_are_refused_and_create_nothing(scopes, message):
    with pytest.raises(CommandError, match=message):
        run("--entity", EntityFactory().pk, "--scopes", scopes)

    assert not ApiKey.objects.exists()


def test_an_unknown_scope_exits_1_with_the_message():
    with pytest.raises(CommandError) as refused:
        run("--entity", EntityFactory().pk, "--scopes", "invoice:read")

    assert refused.value.returncode == 1  # what manage.py exits with
    assert "A scope is <resource>:read or <resource>:write" in str(refused.value)


def test_an_expiry_is_stored_and_a_past_one_refused():
    entity = EntityFactory()
    run("--entity", entity.pk, "--expires-at", "2999-01-31")

    assert ApiKey.objects.get().expires_at.isoformat() == "2999-01-31T00:00:00+00:00"
    with pytest.raises(CommandError, match="must be in the future"):
        run("--entity", entity.pk, "--expires-at", "2000-01-01")
    with pytest.raises(CommandError, match="is not a date"):
        run("--entity", entity.pk, "--expires-at", "soon")
    assert ApiKey.objects.count() == 1
