"""API key authentication (`Authorization: Bearer sk_settle_…`) and the entity a request acts on.

A key authenticates with its current secret, or with the one its last roll replaced
until that one's grace ends; never once revoked or past its expiry (401).
"""

import json
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions

from api.framework.ids import is_possible_id, shown_id
from billing.actors import Actor
from billing.errors import NotFound
from billing.models import ApiKey, AuditEvent, Entity
from billing.services import API_KEY_PREFIX, api_key_digest

ENTITY_HEADERS = ("HTTP_X_ENTITY_ID", "HTTP_ENTITY_ID")
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyUser:
    """The principal of a key-authenticated request (not a Django user)."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    pk = None

    def __init__(self, key: ApiKey):
        self.key = key

    def __str__(self) -> str:
        return f"API key {self.key.prefix}…"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise exceptions.AuthenticationFailed("Use the header Authorization: Bearer <api key>.")
        if not token.startswith(API_KEY_PREFIX) or len(token) > 200:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        digest = api_key_digest(token)
        now = timezone.now()
        key = _key_with_entity(request, digest, now)
        if key is None:
            key = _usable_key(digest, now)
        if key.last_use_is_stale:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _wanted_entity(request) -> str | None:
    return next((request.META[h].strip() for h in ENTITY_HEADERS if request.META.get(h)), None)


def _use_is_stale(last_used_at, now) -> bool:
    """`last_used_at` is refreshed at most once a minute: not one write per request."""
    return last_used_at is None or last_used_at < now - LAST_USED_PRECISION


_KEY_WITH_ENTITY = f"""
    SELECT e.*, k.id AS key_id, k.name AS key_name, k.prefix AS key_prefix,
        k.scopes AS key_scopes, k.previous_prefix AS key_previous_prefix,
        (k.digest = %s) AS key_is_current,
        (k.last_used_at IS NULL OR k.last_used_at < %s) AS key_use_is_stale
    FROM {ApiKey._meta.db_table} k
    JOIN {ApiKey.entities.through._meta.db_table} link ON link.apikey_id = k.id
    JOIN {Entity._meta.db_table} e ON e.id = link.entity_id
    WHERE (k.digest = %s OR (k.previous_digest = %s AND k.previous_expires_at > %s))
        AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > %s)
        {{entity_filter}}
    ORDER BY e.created_at, e.id
    LIMIT 1
"""


def _usable_key(digest: str, now) -> ApiKey:
    """The key of a secret when the joined query found none, or why it may not be used.

    Either the key is fine but may not use the entity asked for (`request_entity`
    answers that 404), or it is unknown, revoked, expired, or an old secret past
    its grace: each a 401, saying what happened to a key the caller holds the secret of.
    """
    key = ApiKey.objects.filter(Q(digest=digest) | Q(previous_digest=digest)).first()
    if key is None or key.revoked_at is not None:
        raise exceptions.AuthenticationFailed("Invalid API key.")
    if key.expires_at is not None and key.expires_at <= now:
        raise exceptions.AuthenticationFailed(
            f"This API key expired at {key.expires_at.isoformat(timespec='seconds')}."
        )
    key.used_previous_secret = key.digest != digest
    if key.used_previous_secret and not key.previous_expires_at > now:
        raise exceptions.AuthenticationFailed(
            "This secret was replaced when the key was rolled; it stopped working at "
            f"{key.previous_expires_at.isoformat(timespec='seconds')}. Use the new secret."
        )
    key.last_use_is_stale = _use_is_stale(key.last_used_at, now)
    return key


def _key_with_entity(request, digest: str, now) -> ApiKey | None:
    """The common case in one query: the key and the entity it acts on, joined.

    Written out rather than built by the ORM, whose compiling of this join cost more
    CPU than the rest of authentication. Returns None when the join finds nothing
    (unknown or revoked key, or an entity the key may not use); the caller then
    tells those cases apart.
    """
    wanted = _wanted_entity(request)
    if wanted and not is_possible_id(wanted):
        return None
    adapt = connection.ops.adapt_datetimefield_value
    params = [digest, adapt(now - LAST_USED_PRECISION), digest, digest, adapt(now), adapt(now)]
    if wanted:
        params.append(wanted)
    sql = _KEY_WITH_ENTITY.format(entity_filter="AND e.id = %s" if wanted else "")
    row = next(iter(Entity.objects.raw(sql, params)), None)
    if row is None:
        return None
    scopes = row.key_scopes
    key = ApiKey(
        id=row.key_id,
        name=row.key_name,
        prefix=row.key_prefix,
        previous_prefix=row.key_previous_prefix,
        scopes=json.loads(scopes) if isinstance(scopes, str) else scopes or [],
    )
    key._state.adding = False
    key.used_previous_secret = not row.key_is_current
    key.last_use_is_stale = bool(row.key_use_is_stale)
    request._settle_entity = row
    return key


def request_entity(request) -> Entity:
    """The entity named by `x-entity-id`, else the first-created entity the key may use.

    An entity the key may not use answers 404, exactly like one that does not exist.
    """
    cached = getattr(request, "_settle_entity", None) or getattr(
        getattr(request, "_request", None), "_settle_entity", None
    )
    if cached is not None:
        return cached
    key: ApiKey = request.auth
    wanted = _wanted_entity(request)
    entities = key.entities.order_by("created_at", "id")
    if not wanted:
        entity = entities.first()
    else:
        entity = entities.filter(pk=wanted).first() if is_possible_id(wanted) else None
    if entity is None:
        raise NotFound(
            f"No such entity: {shown_id(wanted)}" if wanted else "This key has no entity.",
            param="x-entity-id",
        )
    request._settle_entity = entity
    return entity


def request_actor(request) -> Actor:
    """The key, and which of its secrets: the one in its grace after a roll says so."""
    key: ApiKey = request.auth
    label = f"API key {key.name}"
    if getattr(key, "used_previous_secret", False):
        label += f" (previous secret {key.previous_prefix}…, before the roll)"
    return Actor(source=AuditEvent.Source.API, api_key_id=key.pk, label=label)
