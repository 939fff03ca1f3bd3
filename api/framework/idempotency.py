"""`Idempotency-Key` for POST, PATCH and DELETE, on the house's do-once claims (`billing.once`).

The first request with a key claims it (committed at once), runs, and
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
from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import APIException

from billing import once
from billing.errors import Conflict, SettleError, ValidationError
from billing.models import Submission
from payments.services.previewing import previewing

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _fingerprint(request, entity_id: str) -> str:
    body = simplejson.dumps(request.data, sort_keys=True, use_decimal=True, default=str)
    text = "\n".join([request.method, request.path, entity_id, body])
    return hashlib.sha256(text.encode()).hexdigest()


def _answer_repeat(claim: once.Claim, fingerprint: str) -> HttpResponse:
    """A key already taken: another request is refused, a running one is a conflict."""
    if claim.submission.fingerprint != fingerprint:
        raise ValidationError(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
            param="Idempotency-Key",
        )
    if claim.in_progress:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed.",
            code="idempotency_in_progress",
            param="Idempotency-Key",
        )
    stored = claim.replay
    response = HttpResponse(
        stored["body"].encode(), status=stored["status"], content_type=stored["content_type"]
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _store(submission: Submission, view, request, response) -> None:
    rendered = view.finalize_response(request, response)
    rendered.render()
    once.complete(
        submission,
        result={
            "status": rendered.status_code,
            # The API renders JSON only: UTF-8 text, kept as text in the stored answer.
            "body": rendered.content.decode(),
            "content_type": rendered.get("Content-Type", "application/json"),
        },
    )


def idempotent(atomic: bool = True):
    """Decorate a view handler. `atomic=False` for handlers that call a gateway."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(view, request, *args, **kwargs):
            key = request.META.get(HEADER, "").strip()
            if not key or previewing():  # a preview changes nothing: it claims no key
                return handler(view, request, *args, **kwargs)
            if len(key) > 255 or not key.isprintable():
                raise ValidationError(
                    "Idempotency-Key must be at most 255 printable characters.",
                    code="invalid_idempotency_key",
                    param="Idempotency-Key",
                )
            fingerprint = _fingerprint(request, view.entity.pk)
            claimed = once.claim(
                door=Submission.Door.API, owner=request.auth.pk, key=key, fingerprint=fingerprint
            )
            if not claimed.ours:
                return _answer_repeat(claimed, fingerprint)
            try:
                if atomic:
                    with transaction.atomic():
                        response = handler(view, request, *args, **kwargs)
                        _store(claimed.submission, view, request, response)
                else:
                    response = handler(view, request, *args, **kwargs)
                    _store(claimed.submission, view, request, response)
            except (SettleError, APIException):
                # Refused before anything was written: the key is free for a corrected retry.
                once.release(claimed.submission)
                raise
            except BaseException:
                # An unexpected failure: inside a transaction nothing was kept, so the key is
                # released; after gateway work the outcome is unknown, so the key stays taken
                # and a retry gets 409 instead of a second charge.
                if atomic:
                    once.release(claimed.submission)
                raise
            return response

        return wrapper

    return decorator
