"""Revoking a leaked API key: from the back office (an action and a button, with a permission)
and with `manage.py revoke_api_key`. The key stays as a row; it answers 401 at once."""

from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.core.management import CommandError, call_command
from django.urls import reverse

from billing.models import ApiKey, AuditEvent
from billing.services import api_key_create
from tests.admin_support import staff
from tests.api_client import ApiClient
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

REVOKE = ["billing.view_apikey", "billing.revoke_api_key"]


@pytest.fixture
def leaked(entity):
    key, raw = api_key_create(name="Accounting sync", entities=[entity])
    return key, raw


def run(*args) -> str:
    out = StringIO()
    call_command("revoke_api_key", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def key_url(key, name="change") -> str:
    return reverse(f"admin:billing_apikey_{name}", args=[quote(key.pk)])


def assert_answers_401(raw: str, entity) -> None:
    for client in (ApiClient(raw), ApiClient(raw, entity_id=entity.pk)):
        response = client.get("payments")
        assert response.status == 401
        assert response.error["code"] == "invalid_api_key"


# --- the command ------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["id", "prefix", "secret"])
def test_the_command_revokes_a_key_at_once_and_prints_it(entity, leaked, by):
    key, raw = leaked
    assert ApiClient(raw).get("payments").status == 200  # in use just before
    reference = {"id": key.pk, "prefix": key.prefix, "secret": raw}[by]

    out = run(reference, "--reason", "Leaked in a public repository")

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert out == (
        f"Revoked API key {key.pk} (Accounting sync, {key.prefix}…) for {entity.pk} "
        f"at {key.revoked_at.isoformat(timespec='seconds')}\n"
    )
    assert_answers_401(raw, entity)
    event = AuditEvent.objects.get(action="api_key.revoked")
    assert (event.entity_id, event.object_type, event.object_id, event.source) == (
        entity.pk,
        "apikey",
        key.pk,
        "system",
    )
    assert (event.reason, event.before) == ("Leaked in a public repository", {"revoked_at": None})
    assert ApiKey.objects.filter(pk=key.pk).exists()  # kept, with its history


def test_the_command_audits_once_per_entity_of_the_key(entity):
    other = EntityFactory()
    key, raw = api_key_create(name="Shared", entities=[entity, other])

    run(key.pk)

    assert sorted(
        AuditEvent.objects.filter(action="api_key.revoked").values_list("entity_id", flat=True)
    ) == sorted([entity.pk, other.pk])
    assert_answers_401(raw, other)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("key_doesnotexist", "No such API key: 'key_doesnotexist'"),
        ("sk_settle_zzzz", "No such API key: 'sk_settle_zzzz'"),
        ("sk_settle_", "matches several keys"),
    ],
)
def test_the_command_refuses_an_unknown_or_ambiguous_key_and_revokes_nothing(
    entity, leaked, reference, message
):
    api_key_create(name="Another", entities=[entity])
    key, raw = leaked

    with pytest.raises(CommandError, match=message):
        run(key.pk, reference)  # the known key is not revoked either

    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="api_key.revoked").exists()
    assert ApiClient(raw).get("payments").status == 200


def test_the_command_on_a_revoked_key_changes_nothing(entity, leaked):
    key, _raw = leaked
    run(key.pk)
    first = ApiKey.objects.get(pk=key.pk).revoked_at

    out = run(key.pk)

    assert out.startswith(f"Already revoked API key {key.pk} ")
    assert ApiKey.objects.get(pk=key.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


def test_an_unknown_key_makes_the_command_exit_non_zero(entity):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "revoke_api_key", "key_doesnotexist"])

    assert exit_.value.code != 0


# --- the back office --------------------------------------------------------------------------


def test_the_key_page_revokes_after_confirmation_and_audits_the_user(client, entity, leaked):
    key, raw = leaked
    user = staff(entity, grant=REVOKE)
    client.force_login(user)

    page = client.get(key_url(key)).content.decode()
    assert key_url(key, "revoke") in page
    confirm = client.get(key_url(key, "revoke"))
    assert confirm.status_code == 200
    assert "answers <strong>401</strong>" in confirm.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None  # nothing happens before the POST

    response = client.post(key_url(key, "revoke"), {"confirm": "yes", "reason": "Leaked"})

    assert response.status_code == 302
    assert response["Location"] == key_url(key)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    event = AuditEvent.objects.get(action="api_key.revoked")
    assert (event.source, event.actor_user_id, event.reason) == ("admin", user.pk, "Leaked")
    assert_answers_401(raw, entity)
    assert key_url(key, "revoke") not in client.get(key_url(key)).content.decode()


def test_the_list_action_revokes_the_selected_keys_after_confirmation(client, entity, leaked):
    key, raw = leaked
    kept, kept_raw = api_key_create(name="Kept", entities=[entity])
    client.force_login(staff(entity, grant=REVOKE))
    selection = {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [key.pk]}
    listing = client.get(reverse("admin:billing_apikey_changelist")).content.decode()
    assert '<option value="revoke_selected">Revoke selected API keys</option>' in listing

    confirm = client.post(reverse("admin:billing_apikey_changelist"), selection)
    assert confirm.status_code == 200
    assert "Revoke key" in confirm.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None

    response = client.post(
        reverse("admin:billing_apikey_changelist"), {**selection, "confirm": "yes"}
    )

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=kept.pk).revoked_at is None
    assert_answers_401(raw, entity)
    assert ApiClient(kept_raw).get("payments").status == 200


def test_revoking_needs_the_permission(client, entity, leaked):
    key, raw = leaked
    client.force_login(staff(entity, grant=["billing.view_apikey"]))

    page = client.get(key_url(key)).content.decode()
    listing = client.get(reverse("admin:billing_apikey_changelist")).content.decode()
    forbidden = client.post(key_url(key, "revoke"), {"confirm": "yes"})
    action = client.post(
        reverse("admin:billing_apikey_changelist"),
        {"action": "revoke_selected", ACTION_CHECKBOX_NAME: [key.pk], "confirm": "yes"},
    )

    assert key_url(key, "revoke") not in page
    assert "revoke_selected" not in listing
    assert forbidden.status_code == 403
    assert action.status_code in (200, 302)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert ApiClient(raw).get("payments").status == 200


def test_another_entitys_key_cannot_be_revoked(client, entity):
    foreign, _raw = api_key_create(name="Theirs", entities=[EntityFactory()])
    client.force_login(staff(entity, grant=REVOKE))

    response = client.post(key_url(foreign, "revoke"), {"confirm": "yes"})

    assert response.status_code == 404
    assert ApiKey.objects.get(pk=foreign.pk).revoked_at is None


def test_a_key_is_never_deleted_from_the_admin(client, entity, leaked):
    key, _raw = leaked
    client.force_login(staff(entity, grant=[*REVOKE, "billing.delete_apikey"]))

    response = client.post(key_url(key, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()
