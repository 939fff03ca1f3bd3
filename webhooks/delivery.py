"""Sending a delivery: claim it, POST it with no lock held, record the outcome.

At least once: the claim (`select_for_update(skip_locked=True)`, a short transaction)
counts the attempt and pushes `next_attempt_at` forward by a lease; a worker that dies
during the POST leaves the delivery pending, and the sweep retries it once the lease
ends. A receiver may therefore see an event twice: event ids let it deduplicate.

A 2xx answer is success. Anything else, a timeout or a refused address is a failure,
retried after `RETRY_DELAYS` until `GIVE_UP_AFTER`; an endpoint failing that long
without one success is disabled, with the reason shown in the back office.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from billing.errors import SettleError
from webhooks.addresses import url_addresses
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.outbox import FAN_OUT_BATCH, events_fan_out
from webhooks.signing import SIGNATURE_HEADER, signature_header

TIMEOUT_SECONDS = 10
# A sweep claims this many at once: two commits per batch instead of two per delivery.
BATCH = 10
# Longer than a batch can take (connect + read timeouts each): a claim this old was abandoned.
CLAIM_LEASE = timedelta(seconds=BATCH * 2 * TIMEOUT_SECONDS + 60)
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
GIVE_UP_AFTER = timedelta(days=3)
DISABLE_AFTER = timedelta(days=3)
# A delivery's first attempt follows its event within this (the worker's queue, the sweep).
FIRST_TRY_SLACK = timedelta(hours=1)
LOG_ATTEMPTS = 20  # attempts kept in a delivery's log (the newest)
USER_AGENT = "Settle-Webhooks/1.0"
# A sweep fans out at most this many batches of new events before sending (10,000 events).
FAN_OUT_ROUNDS = 20


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    latency_ms: int = 0
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 min, 5 min, 30 min, 2 h, 5 h,
    then every 10 h."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def deliveries_claim(
    delivery_id: str | None = None, *, now=None, limit: int = 1
) -> list[WebhookDelivery]:
    """Take due pending deliveries for one attempt each: that one, or (no id) the next
    `limit` due ones that no other worker holds."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if delivery_id is not None:
        due = due.filter(pk=delivery_id)
    if not due.exists():  # an idle sweep takes no transaction and no lock
        return []
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .order_by("next_attempt_at")[:limit]
        )
        if rows:
            WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE, updated_at=now
            )
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + CLAIM_LEASE
    return rows


def delivery_claim(delivery_id: str | None = None, *, now=None) -> WebhookDelivery | None:
    """Take one due delivery (that one, or the next due); None if there is none."""
    rows = deliveries_claim(delivery_id, now=now)
    return rows[0] if rows else None


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the certificate checked for the host."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def _secrets(endpoint: WebhookEndpoint, now) -> list[str]:
    current = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        current.append(endpoint.previous_secret)
    return current


def delivery_post(endpoint: WebhookEndpoint, body: bytes, *, now=None) -> Outcome:
    """POST a signed body to the endpoint; never raises. No database work here."""
    now = now or timezone.now()
    try:
        scheme, host, port, addresses = url_addresses(endpoint.url)
    except SettleError as error:
        return Outcome(error=error.message[:500])
    target = endpoint.url.split("//", 1)[1]
    path = "/" + target.split("/", 1)[1] if "/" in target else "/"
    path = path.split("#", 1)[0]
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses[0], timeout=TIMEOUT_SECONDS)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(_secrets(endpoint, now), int(time.time()), body),
    }
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        status_code = response.status
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
        return Outcome(status_code, _elapsed(started), error)
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(None, _elapsed(started), f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def delivery_record(delivery: WebhookDelivery, outcome: Outcome, *, now=None) -> WebhookDelivery:
    """Store an attempt's outcome; schedule the retry, give up, or disable the endpoint."""
    now = now or timezone.now()
    with transaction.atomic():
        return _record(delivery, outcome, now)


def _record(delivery: WebhookDelivery, outcome: Outcome, now) -> WebhookDelivery:
    locked = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
    if locked is None:  # its endpoint was deleted meanwhile
        return delivery
    locked.last_attempt_at = now
    locked.last_status_code = outcome.status_code
    locked.last_latency_ms = outcome.latency_ms
    locked.last_error = outcome.error
    entry = {
        "attempt": locked.attempts,
        "at": now.isoformat(),
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "error": outcome.error,
    }
    locked.attempts_log = [*locked.attempts_log, entry][-LOG_ATTEMPTS:]
    endpoints = WebhookEndpoint.objects.filter(pk=locked.endpoint_id)
    if outcome.succeeded:
        locked.status = DeliveryStatus.SUCCEEDED
        locked.next_attempt_at = None
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
    else:
        retry_at = now + retry_delay(locked.attempts)
        gave_up = retry_at - locked.created_at > GIVE_UP_AFTER
        if gave_up or not delivery.endpoint.enabled:
            locked.status = DeliveryStatus.FAILED
            locked.next_attempt_at = None
        else:
            locked.next_attempt_at = retry_at
        endpoints.filter(failing_since__isnull=True).update(failing_since=now)
        # Failing for 3 days: every attempt since then failed, or this delivery gave up
        # with no success to the endpoint since about when it was first tried.
        failing_long = Q(failing_since__lte=now - DISABLE_AFTER)
        if gave_up:
            failing_long |= Q(failing_since__lte=locked.created_at + FIRST_TRY_SLACK)
        endpoints.filter(failing_long, enabled=True).update(
            enabled=False,
            disabled_reason=f"Disabled on {now:%Y-%m-%d %H:%M} UTC: every delivery failed "
            f"for {DISABLE_AFTER.days} days (last: {outcome.error or 'no answer'}).",
            updated_at=now,
        )
    locked.save()
    return locked


def _send(delivery: WebhookDelivery, now) -> Outcome:
    if not delivery.endpoint.enabled:
        return Outcome(error="The endpoint is disabled.")
    return delivery_post(delivery.endpoint, delivery.event.body.encode(), now=now)


def delivery_attempt(delivery_id: str | None = None, *, now=None) -> WebhookDelivery | None:
    """One attempt at a due delivery (that one, or the next due): claim, POST with no lock
    held, record. None when there was nothing to claim."""
    now = now or timezone.now()
    delivery = delivery_claim(delivery_id, now=now)
    if delivery is None:
        return None
    return delivery_record(delivery, _send(delivery, now), now=now)


def deliveries_sweep(*, now=None, limit: int = 500) -> int:
    """Make the deliveries of new events, then attempt the due deliveries (new, retries,
    abandoned claims), the oldest first, up to `limit`, in batches: claim, POST each with
    no lock held, record the batch. Several workers sweep side by side, each claiming rows
    the others do not hold. Returns how many deliveries were attempted."""
    for _ in range(FAN_OUT_ROUNDS):
        if events_fan_out() < FAN_OUT_BATCH:
            break
    done = 0
    while done < limit:
        # The clock of each batch: a long sweep must not claim with a lease that has
        # already run out, nor schedule retries in the past (`now` is for tests).
        batch_now = now or timezone.now()
        rows = deliveries_claim(now=batch_now, limit=min(BATCH, limit - done))
        if not rows:
            break
        outcomes = [(row, _send(row, batch_now)) for row in rows]
        recorded_at = now or timezone.now()
        with transaction.atomic():
            for row, outcome in outcomes:
                _record(row, outcome, recorded_at)
        done += len(rows)
    return done
