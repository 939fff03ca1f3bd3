"""Money moved through a gateway, charges and refunds alike: reserve → call → settle, and
reconcile later.

1. `reserve` writes the `pending` row that holds the amount, inside the caller's
   transaction (which holds the documents' locks), and queues its reconcile with it: the
   task commits with the reservation, so whoever the caller is, a crash between the
   gateway call and the settle is repaired by the worker.
2. `execute` calls the gateway with no lock held and an idempotency key derived from the
   row id, so a replay never moves money twice,
3. then settles the answer in a second transaction. A transient error, or a database that
   fails us once the gateway has acted, leaves the row `pending`, its amount reserved.
4. `reconcile` asks the gateway what became of a pending row (or replays the call with the
   same key) and settles it.

A charge and a refund differ only in the request they build, the gateway calls they make
and how they record an answer: each is a `GatewayOperation` (`CHARGE` in charging,
`REFUND` in refunding) and the steps are the same code for both.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import DatabaseError, transaction
from django.utils import timezone

from billing.actors import Actor
from billing.errors import Conflict
from billing.money import from_minor_units
from payments.gateways import Gateway, GatewayDeclined, GatewayTransientError, get_gateway
from payments.queue import enqueue_after, enqueue_with_transaction
from payments.services.previewing import note_gateway_call, previewing

logger = logging.getLogger(__name__)
# A pending row is first asked about this long after its reservation (then by the sweep).
RECONCILE_AFTER = timedelta(minutes=2)
# Gateways keep idempotency keys for 24 hours (Stripe); past that a replay would move money anew.
REPLAY_WINDOW = timedelta(hours=23)


@dataclass(frozen=True)
class GatewayOperation[Row]:
    """What one kind of gateway operation says; the steps are the methods below.

    `request_for` builds the gateway request (its idempotency key from the row id), `send`
    and `retrieve` call the gateway, and `settle_result` / `settle_declined` record an
    answer in their own locked transaction, exactly once. `accepted` is the answer of a
    gateway that accepts a request: what a preview assumes instead of calling one.
    """

    kind: str  # "charge", "refund": for the logs
    reconcile_task: str  # the task that reconciles one row, by name (payments.queue)
    gateway_name: Callable[[Row], str]
    request_for: Callable[[Row], object]
    send: Callable[[Gateway, object], object]
    retrieve: Callable[[Gateway, str], object]
    settle_result: Callable[[Row, object, Actor], Row]
    settle_declined: Callable[[Row, GatewayDeclined, Actor], Row]
    accepted: Callable[[object], object]

    def reserve(self, row: Row) -> None:
        """Write the pending `row` in the caller's locked transaction, its reconcile queued
        with it."""
        row.save()
        self.reconcile_later(row)

    def reconcile_later(self, row: Row) -> None:
        """Queue the reconcile of `row` (in flight at the gateway) with the caller's
        transaction: if we die during the call, the worker still asks the gateway."""
        enqueue_after(self.reconcile_task, timezone.now() + RECONCILE_AFTER, row.pk)

    def execute(self, row: Row, actor: Actor) -> Row:
        """Call the gateway for a reserved row (no lock held), then settle its answer.

        A preview calls no gateway: it says which call would follow, and settles the
        answer of a gateway that accepts it, so its figures are those of that outcome.
        """
        if previewing():
            note_gateway_call(
                f"{self.kind} of {row.amount} {row.currency} through the "
                f"{self.gateway_name(row)} gateway"
            )
            return self.settle_result(row, self.accepted(self.request_for(row)), actor)
        gateway = get_gateway(self.gateway_name(row))
        try:
            result = self.send(gateway, self.request_for(row))
        except GatewayDeclined as declined:
            return _settle_or_leave_pending(
                row, partial(self.settle_declined, row, declined, actor)
            )
        except GatewayTransientError as error:
            logger.warning("%s of %s left pending: %s", self.kind, row.pk, error)
            enqueue_with_transaction(self.reconcile_task, row.pk)  # ask again without waiting
            row.refresh_from_db()
            return row
        if from_minor_units(result.amount_minor, row.currency) != row.amount:
            logger.error(
                "gateway %s of %s minor units for %s", self.kind, result.amount_minor, row.pk
            )
        return _settle_or_leave_pending(row, partial(self.settle_result, row, result, actor))

    def reconcile(self, row: Row, actor: Actor) -> Row:
        """Ask the gateway what became of a pending row and settle it.

        With a gateway reference we look it up; without one (we died before storing it) we
        replay the call with the same idempotency key, which the gateway answers with the
        original outcome instead of moving money again.
        """
        gateway = get_gateway(self.gateway_name(row))
        try:
            if row.gateway_reference:
                result = self.retrieve(gateway, row.gateway_reference)
            elif _past_replay_window(row):
                return row
            else:
                result = self.send(gateway, self.request_for(row))
        except GatewayDeclined as declined:
            return self.settle_declined(row, declined, actor)
        except GatewayTransientError:
            return row
        return self.settle_result(row, result, actor)


def _settle_or_leave_pending(row, settle):
    """Record the gateway's answer; if our database fails us now, return the row as it is:
    still `pending`, its amount reserved.

    The gateway has acted, so the request must not read as one that changed nothing; the
    reconcile task queued with the reservation asks the gateway again (same idempotency key).
    """
    try:
        return settle()
    except (DatabaseError, Conflict):
        if transaction.get_connection().in_atomic_block:
            raise  # the caller's own transaction failed with it: let the caller fail
        logger.exception("%s was answered by the gateway but not settled; left pending", row.pk)
        return row


def _past_replay_window(row) -> bool:
    if timezone.now() - row.created_at < REPLAY_WINDOW:
        return False
    logger.error(
        "%s has no gateway reference and its idempotency key may have expired: not replayed; "
        "look it up at the gateway by its metadata and settle it by hand",
        row.pk,
    )
    return True
