"""Rolling a key (the old secret works through a grace period, then answers 401) and expiry,
under a frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from billing.models import ApiKey, AuditEvent
from billing.services import api_key_create, api_key_revoke, api_key_roll
from tests.api_client import ApiClient
from tests.asserts import refused
from tests.factories import SYSTEM, CustomerFactory, issued_invoice

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def status(raw: str, entity=None) -> int:
    return ApiClient(raw, entity_id=entity.pk if entity else None).get("payments").status


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_the_old_secret_works_until_the_grace_ends_then_answers_401(entity, clock):
    key, old = api_key_create(name="Sync", entities=[entity])

    key, new = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(hours=24))

    assert new != old and key.prefix == new[:14] and key.previous_prefix == old[:14]
    assert key.previous_expires_at == NOON + timedelta(hours=24)
    assert (status(old), status(old, entity), status(new)) == (200, 200, 200)
    clock.move_to(NOON + timedelta(hours=23, minutes=59))
    assert status(old) == 200
    clock.move_to(NOON + timedelta(hours=24))
    for answer in (ApiClient(old).get("payments"), ApiClient(old, entity.pk).get("payments")):
        assert answer.status == 401
        assert answer.error["code"] == "invalid_api_key"
        assert "replaced when the key was rolled" in answer.error["message"]
    assert status(new) == 200


def test_a_roll_without_grace_ends_the_old_secret_at_once(entity, clock):
    key, old = api_key_create(name="Sync", entities=[entity])

    key, new = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(0))

    assert (status(old), status(new)) == (401, 200)
    assert key.previous_digest is None


def test_the_audit_says_which_secret_made_a_change(entity, clock):
    key, old = api_key_create(name="Sync", entities=[entity])
    key, new = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(hours=1))
    invoice = issued_invoice(CustomerFactory(entity=entity), total="50.00")

    for raw in (old, new):
        response = ApiClient(raw).post(
            "payments", {"invoice_id": invoice.pk, "amount": 5, "type": "cash"}
        )
        assert response.status == 201, response.body

    labels = list(
        AuditEvent.objects.filter(action="payment.recorded")
        .order_by("id")
        .values_list("actor_api_key_id", "actor_label")
    )
    assert labels == [
        (key.pk, f"API key Sync (previous secret {old[:14]}…, before the roll)"),
        (key.pk, "API key Sync"),
    ]


def test_rolling_is_audited_per_entity_with_both_prefixes_never_a_secret(entity, clock):
    key, old = api_key_create(name="Sync", entities=[entity])

    key, new = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(days=7))

    event = AuditEvent.objects.get(action="api_key.rolled")
    assert (event.entity_id, event.object_id) == (entity.pk, key.pk)
    assert event.before["prefix"] == old[:14]
    assert event.after == {
        "prefix": new[:14],
        "previous_prefix": old[:14],
        "previous_expires_at": (NOON + timedelta(days=7)).isoformat(),
    }
    assert old not in str(event.after) and new not in str(event.after)


def test_a_second_roll_ends_the_secret_kept_by_the_first(entity, clock):
    key, first = api_key_create(name="Sync", entities=[entity])
    key, second = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(hours=1))

    key, third = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(hours=1))

    assert (status(first), status(second), status(third)) == (401, 200, 200)


def test_revoking_ends_the_secret_in_its_grace_too(entity, clock):
    key, old = api_key_create(name="Sync", entities=[entity])
    key, new = api_key_roll(key=key, actor=SYSTEM, grace=timedelta(hours=1))

    api_key_revoke(key=key, actor=SYSTEM)

    assert (status(old), status(new)) == (401, 401)


def test_a_revoked_or_expired_key_cannot_be_rolled(entity, clock):
    from billing.errors import InvalidState, ValidationError

    revoked, _ = api_key_create(name="Old", entities=[entity])
    api_key_revoke(key=revoked, actor=SYSTEM)
    expiring, _ = api_key_create(
        name="Temp", entities=[entity], expires_at=NOON + timedelta(hours=1)
    )
    clock.move_to(NOON + timedelta(hours=2))

    with refused(InvalidState, "api_key_revoked"):
        api_key_roll(key=revoked, actor=SYSTEM, grace=timedelta(0))
    with refused(InvalidState, "api_key_expired"):
        api_key_roll(key=expiring, actor=SYSTEM, grace=timedelta(0))
    with refused(ValidationError, "validation_error", "grace"):
        api_key_roll(key=expiring, actor=SYSTEM, grace=timedelta(days=31))
    assert not AuditEvent.objects.filter(action="api_key.rolled").exists()


def test_an_expired_key_answers_401_like_a_revoked_one(entity, clock):
    key, raw = api_key_create(name="Temp", entities=[entity], expires_at=NOON + timedelta(days=1))
    assert status(raw) == 200

    clock.move_to(NOON + timedelta(days=1))

    for answer in (ApiClient(raw).get("payments"), ApiClient(raw, entity.pk).get("payments")):
        assert answer.status == 401
        assert answer.error["code"] == "invalid_api_key"
        assert "expired" in answer.error["message"]
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_an_expiry_in_the_past_is_refused(entity, clock):
    from billing.errors import ValidationError

    with pytest.raises(ValidationError, match="future"):
        api_key_create(name="Temp", entities=[entity], expires_at=NOON)


def test_use_is_recorded_as_last_used(entity, clock):
    key, raw = api_key_create(name="Sync", entities=[entity])

    status(raw)

    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOON
