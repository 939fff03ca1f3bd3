"""`Idempotency-Key` for POST, PATCH and DELETE.

The first request with a key inserts its row (committed at once), runs, and
stores its response in the same transaction as its writes, so a replay can
never disagree with the database. A repeat with the same body gets the stored
response; with another body, 400; while the first is still running, 409.
A request that fails changes nothing and releases its key, so it can be retried.
Keys are kept `SETTLE_RETENTION_IDEMPOTENCY_HOURS` (48, never under 24), then
pruned on a schedule (`billing.retention`); an expired key is a new request.
Gateway calls must not run inside a transaction, so those views store their
response just after their own commits instead.
"""

import functools
import hashlib

import simplejson
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.exceptions import APIException

from billing.errors import Conflict, SettleError, ValidationError
from billing.models import IdempotencyKey
from billing.retention import idempotency_retention

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _fingerprint(request, entity_id: str) -> str:
    body = simplejson.dumps(request.data, sort_keys=True, use_decimal=True, default=str)
    text = "\n".join([request.method, request.path, entity_id, body])
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(row.response_body or b""),
        status=row.response_status,
        content_type=row.response_content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(request, key: str, fingerprint: str) -> IdempotencyKey | HttpResponse:
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The claim need not wait for its own disk flush: the request's main commit
                # flushes the log up to and past it before any response is stored or sent.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            return IdempotencyKey.objects.create(
                api_key=request.auth, key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        pass
    row = IdempotencyKey.objects.filter(api_key=request.auth, key=key).first()
    if row is None:  # released between our insert and our read: the first attempt failed
        return _claim(request, key, fingerprint)
    expired = row.created_at < timezone.now() - idempotency_retention()
    if expired and row.state == IdempotencyKey.State.DONE:
        row.delete()
        return _claim(request, key, fingerprint)
    if row.fingerprint != fingerprint:
        raise ValidationError(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
            param="Idempotency-Key",
        )
    if row.state == IdempotencyKey.State.IN_PROGRESS:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed.",
            code="idempotency_in_progress",
            param="Idempotency-Key",
        )
    return _replay(row)


def _store(row: IdempotencyKey, view, request, response) -> None:
    rendered = view.finalize_response(request, response)
    rendered.render()
    row.state = IdempotencyKey.State.DONE
    row.response_status = rendered.status_code
    row.response_body = rendered.content
    row.response_content_type = rendered.get("Content-Type", "application/json")
    row.save(update_fields=["state", "response_status", "response_body", "response_content_type"])


def idempotent(atomic: bool = True):
    """Decorate a view handler. `atomic=False` for handlers that call a gateway."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(view, request, *args, **kwargs):
            key = request.META.get(HEADER, "").strip()
            if not key:
                return handler(view, request, *args, **kwargs)
            if len(key) > 255 or not key.isprintable():
                raise ValidationError(
                    "Idempotency-Key must be at most 255 printable characters.",
                    code="invalid_idempotency_key",
                    param="Idempotency-Key",
                )
            claimed = _claim(request, key, _fingerprint(request, view.entity.pk))
            if isinstance(claimed, HttpResponse):
                return claimed
            try:
                if atomic:
                    with transaction.atomic():
                        response = handler(view, request, *args, **kwargs)
                        _store(claimed, view, request, response)
                else:
                    response = handler(view, request, *args, **kwargs)
                    _store(claimed, view, request, response)
            except (SettleError, APIException):
                # Refused before anything was written: the key is free for a corrected retry.
                IdempotencyKey.objects.filter(pk=claimed.pk).delete()
                raise
            except BaseException:
                # An unexpected failure: inside a transaction nothing was kept, so the key is
                # released; after gateway work the outcome is unknown, so the key stays taken
                # and a retry gets 409 instead of a second charge.
                if atomic:
                    IdempotencyKey.objects.filter(pk=claimed.pk).delete()
                raise
            return response

        return wrapper

    return decorator
