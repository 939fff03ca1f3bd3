"""API key authentication (`Authorization: Bearer sk_settle_…`) and the entity a request acts on."""

from datetime import timedelta

from django.db import connection
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
            key = ApiKey.objects.filter(digest=digest, revoked_at__isnull=True).first()
            if key is not None:
                key.last_use_is_stale = _use_is_stale(key.last_used_at, now)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
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
        (k.last_used_at IS NULL OR k.last_used_at < %s) AS key_use_is_stale
    FROM {ApiKey._meta.db_table} k
    JOIN {ApiKey.entities.through._meta.db_table} link ON link.apikey_id = k.id
    JOIN {Entity._meta.db_table} e ON e.id = link.entity_id
    WHERE k.digest = %s AND k.revoked_at IS NULL {{entity_filter}}
    ORDER BY e.created_at, e.id
    LIMIT 1
"""


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
    params = [connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION), digest]
    if wanted:
        params.append(wanted)
    sql = _KEY_WITH_ENTITY.format(entity_filter="AND e.id = %s" if wanted else "")
    row = next(iter(Entity.objects.raw(sql, params)), None)
    if row is None:
        return None
    key = ApiKey(id=row.key_id, name=row.key_name, prefix=row.key_prefix, digest=digest)
    key._state.adding = False
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
    key: ApiKey = request.auth
    return Actor(source=AuditEvent.Source.API, api_key_id=key.pk, label=f"API key {key.name}")
