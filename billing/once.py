"""Doing a request once per key, for every door: the API's `Idempotency-Key`, the admin's
money forms and the portal's pay form (both carry a one-time token).

A door claims the key before it acts. If the claim is ours, it acts, then `complete`s
the claim with the answer a repeat should get, or `release`s it when it did nothing (a
refusal), so the corrected request may use the same key. Otherwise the earlier
submission answers: its stored `replay` once it is done, or, while it still runs, the
door says so at once (no request waits for another). What a replay looks like, and
whether a key reused for another request is refused, is each door's to say.

The claim commits on its own before the work starts, so a concurrent duplicate fails
on the unique constraint at once. A key kept past the retention (`billing.retention`)
is a new request, as if it had been pruned.
"""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from billing.models import Submission
from billing.retention import submission_retention


@dataclass(frozen=True)
class Claim:
    """The key's submission: ours to run (`ours`), or the earlier one that holds the key."""

    submission: Submission
    ours: bool

    @property
    def in_progress(self) -> bool:
        """Is an earlier submission of this key still running (or its outcome unknown)?"""
        return not self.ours and self.submission.state == Submission.State.IN_PROGRESS

    @property
    def replay(self) -> dict | None:
        """The earlier submission's stored answer, once it is done."""
        if self.ours or self.submission.state != Submission.State.DONE:
            return None
        return self.submission.result


def _commit_without_waiting() -> None:
    # The claim need not wait for its own disk flush: whatever the request does next
    # (its work, `complete`, `release`) commits and flushes the log past it; and if the
    # database lost it in a crash before that, nothing was done under it either.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def claim(*, door: str, owner, key: str, fingerprint: str = "") -> Claim:
    """Claim `key` for `owner` (an API key's or a user's id) at `door`, or find who holds it.

    `fingerprint` records what the key is used for (compared by the door, if it cares).
    """
    owner = str(owner)
    while True:
        try:
            with transaction.atomic():
                _commit_without_waiting()
                submission = Submission.objects.create(
                    door=door, owner=owner, key=key, fingerprint=fingerprint
                )
            return Claim(submission, ours=True)
        except IntegrityError:
            pass
        earlier = Submission.objects.filter(door=door, owner=owner, key=key).first()
        if earlier is None:
            continue  # released between our insert and our read: the first attempt failed
        expired = earlier.created_at < timezone.now() - submission_retention()
        if expired and earlier.state == Submission.State.DONE:
            earlier.delete()
            continue
        return Claim(earlier, ours=False)


def complete(submission: Submission, *, result: dict) -> None:
    """Store the answer a repeat of this key gets (inside the caller's transaction, if any,
    so a replay can never disagree with what that transaction wrote)."""
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.DONE, result=result)
    submission.state, submission.result = Submission.State.DONE, result


def release(submission: Submission) -> None:
    """Free the key: nothing was done under it, so the same key may be sent again."""
    Submission.objects.filter(pk=submission.pk).delete()


def resume(*, door: str, owner, key: str) -> Submission | None:
    """Our own claim, still in progress, picked up by a later request of the same owner
    (the portal's pay form first sends the member to save a new card)."""
    return Submission.objects.filter(
        door=door, owner=str(owner), key=key, state=Submission.State.IN_PROGRESS
    ).first()
