"""API key authentication (`Authorization: Bearer sk_settle_…`) and the entity a request acts on."""

from django.db.models import F
from django.utils import timezone
from rest_framework import authentication, exceptions

from billing.actors import Actor
from billing.api.ids import is_possible_id, shown_id
from billing.errors import NotFound
from billing.models import ApiKey, AuditEvent, Entity
from billing.services import API_KEY_PREFIX, api_key_digest

ENTITY_HEADERS = ("HTTP_X_ENTITY_ID", "HTTP_ENTITY_ID")


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
        key = _key_with_entity(request, digest)
        if key is None:
            key = ApiKey.objects.filter(digest=digest, revoked_at__isnull=True).first()
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return ApiKeyUser(key), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _wanted_entity(request) -> str | None:
    return next((request.META[h].strip() for h in ENTITY_HEADERS if request.META.get(h)), None)


def _key_with_entity(request, digest: str) -> ApiKey | None:
    """The common case in one query: the key and the entity it acts on, joined.

    Returns None when that join finds nothing (unknown or revoked key, or an
    entity the key may not use); the caller then tells those cases apart.
    """
    wanted = _wanted_entity(request)
    if wanted and not is_possible_id(wanted):
        return None
    entities = Entity.objects.filter(api_keys__digest=digest, api_keys__revoked_at__isnull=True)
    if wanted:
        entities = entities.filter(pk=wanted)
    row = (
        entities.annotate(
            key_id=F("api_keys__id"),
            key_name=F("api_keys__name"),
            key_prefix=F("api_keys__prefix"),
            key_last_used_at=F("api_keys__last_used_at"),
        )
        .order_by("created_at", "id")
        .first()
    )
    if row is None:
        return None
    key = ApiKey(
        id=row.key_id,
        name=row.key_name,
        prefix=row.key_prefix,
        digest=digest,
        last_used_at=row.key_last_used_at,
    )
    key._state.adding = False
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
