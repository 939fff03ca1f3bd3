"""Writes of API keys: create (with scopes and an expiry), roll, revoke.

Only a key's SHA-256 digest is stored; a secret is returned once, by the call
that makes it. Each write is audited in its own transaction, one event per
entity the key may act on (the audit trail is per entity).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from billing.actors import Actor
from billing.api_key_scopes import describe_scopes, parse_scopes
from billing.audit import audit_record
from billing.errors import InvalidState, ValidationError
from billing.models import ApiKey, Entity

API_KEY_PREFIX = "sk_settle_"
PREFIX_LENGTH = 14
MAX_ROLL_GRACE = timedelta(days=30)


def api_key_digest(raw_key: str) -> str:
    """Keys carry 256 bits of entropy, so a plain SHA-256 is the right hash (no stretching)."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _new_secret() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def _audit(key: ApiKey, *, actor: Actor, action: str, before, after, reason: str = "") -> None:
    for entity_id in key.entities.order_by("pk").values_list("pk", flat=True):
        audit_record(
            actor=actor,
            entity_id=entity_id,
            action=action,
            obj=key,
            before=before,
            after=after,
            reason=reason,
        )


def api_key_create(
    *,
    name: str,
    entities: list[Entity],
    scopes=None,
    expires_at: datetime | None = None,
    actor: Actor | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored nor shown again.

    `scopes`: a list or comma-separated text of `<resource>:<read|write>`; none makes
    an unrestricted key. Unknown scopes, a past expiry or no entity raise
    ValidationError. Audited (`api_key.created`) when an actor is given: every door
    gives one; fixtures, benchmarks and the demo seed make keys without.
    """
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("A key needs a name of 1 to 100 characters.", param="name")
    if not entities:
        raise ValidationError("An API key must be bound to at least one entity.", param="entity")
    clean_scopes = parse_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry must be in the future.", param="expires_at")
    raw = _new_secret()
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            digest=api_key_digest(raw),
            scopes=clean_scopes,
            expires_at=expires_at,
        )
        key.entities.set(entities)
        if actor is not None:
            _audit(
                key,
                actor=actor,
                action="api_key.created",
                before=None,
                after={
                    "name": key.name,
                    "prefix": key.prefix,
                    "scopes": describe_scopes(clean_scopes),
                    "expires_at": expires_at,
                },
            )
    return key, raw


def api_key_roll(*, key: ApiKey, actor: Actor, grace: timedelta) -> tuple[ApiKey, str]:
    """Issue a new secret; the current one keeps working for `grace`, then answers 401.

    Locks the key's row. A zero grace ends the old secret at once. A secret kept from
    an earlier roll stops now: only the last replaced one can be in its grace. A
    revoked or expired key cannot be rolled (InvalidState); a grace beyond 30 days
    is a ValidationError. Audited as `api_key.rolled` with both prefixes.
    """
    if grace < timedelta(0) or grace > MAX_ROLL_GRACE:
        raise ValidationError("The grace period must be between none and 30 days.", param="grace")
    now = timezone.now()
    raw = _new_secret()
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise InvalidState("A revoked key cannot be rolled.", code="api_key_revoked")
        if locked.expires_at is not None and locked.expires_at <= now:
            raise InvalidState("An expired key cannot be rolled.", code="api_key_expired")
        before = {
            "prefix": locked.prefix,
            "previous_prefix": locked.previous_prefix or None,
            "previous_expires_at": locked.previous_expires_at,
        }
        if grace > timedelta(0):
            locked.previous_digest = locked.digest
            locked.previous_prefix = locked.prefix
            locked.previous_expires_at = now + grace
        else:
            locked.previous_digest = None
            locked.previous_prefix = ""
            locked.previous_expires_at = None
        locked.digest = api_key_digest(raw)
        locked.prefix = raw[:PREFIX_LENGTH]
        locked.save(
            update_fields=[
                "digest",
                "prefix",
                "previous_digest",
                "previous_prefix",
                "previous_expires_at",
            ]
        )
        _audit(
            locked,
            actor=actor,
            action="api_key.rolled",
            before=before,
            after={
                "prefix": locked.prefix,
                "previous_prefix": before["prefix"],
                "previous_expires_at": locked.previous_expires_at or now,
            },
        )
    return locked, raw


def api_key_revoke(*, key: ApiKey, actor: Actor, reason: str = "") -> tuple[ApiKey, bool]:
    """Revoke a key: from the next request on, it answers 401. Returns (key, newly revoked).

    The row is kept (with `revoked_at`), so the key's history and audit trail remain.
    Locks the key's row; revoking a revoked key changes nothing and records nothing.
    A secret still in its grace after a roll stops too. One audit event is recorded
    per entity the key could act on, in the same transaction.
    """
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            return locked, False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _audit(
            locked,
            actor=actor,
            action="api_key.revoked",
            before={"revoked_at": None},
            after={"revoked_at": locked.revoked_at},
            reason=reason,
        )
    return locked, True
