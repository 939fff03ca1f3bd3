"""The house's one "do once" mechanism: claim a key, then complete or release it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing import once
from billing.models import Submission

pytestmark = pytest.mark.django_db
API, ADMIN, PORTAL = Submission.Door.API, Submission.Door.ADMIN, Submission.Door.PORTAL


def test_the_first_claim_is_ours_and_a_repeat_finds_it_in_progress():
    first = once.claim(door=ADMIN, owner=7, key="token-1", fingerprint="payment.create inv_1")
    repeat = once.claim(door=ADMIN, owner=7, key="token-1", fingerprint="payment.create inv_1")

    assert first.ours and not first.in_progress and first.replay is None
    assert not repeat.ours and repeat.in_progress and repeat.replay is None
    assert repeat.submission.pk == first.submission.pk
    assert Submission.objects.count() == 1


def test_a_completed_claim_is_replayed_with_its_answer():
    first = once.claim(door=PORTAL, owner=7, key="token-1")
    once.complete(first.submission, result={"payment_id": "pmt_1"})

    repeat = once.claim(door=PORTAL, owner=7, key="token-1")

    assert not repeat.ours and not repeat.in_progress
    assert repeat.replay == {"payment_id": "pmt_1"}


def test_a_released_key_may_be_claimed_again():
    first = once.claim(door=API, owner="key_1", key="pay-1", fingerprint="f")
    once.release(first.submission)

    again = once.claim(door=API, owner="key_1", key="pay-1", fingerprint="g")

    assert again.ours
    assert again.submission.fingerprint == "g"


def test_keys_are_apart_per_door_and_per_owner():
    claims = [
        once.claim(door=ADMIN, owner=7, key="same"),
        once.claim(door=PORTAL, owner=7, key="same"),
        once.claim(door=ADMIN, owner=8, key="same"),
        once.claim(door=API, owner="key_1", key="same"),
    ]

    assert all(claim.ours for claim in claims)
    assert Submission.objects.count() == 4


def test_a_done_key_past_the_retention_is_a_new_request_but_one_in_progress_is_not(settings):
    settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS = 48
    done = once.claim(door=API, owner="key_1", key="old-done", fingerprint="f")
    once.complete(done.submission, result={"status": 201, "body": "{}", "content_type": "x"})
    running = once.claim(door=API, owner="key_1", key="old-running", fingerprint="f")
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=49))

    assert once.claim(door=API, owner="key_1", key="old-done", fingerprint="f").ours
    assert once.claim(door=API, owner="key_1", key="old-running", fingerprint="f").in_progress
    assert Submission.objects.get(key="old-running").pk == running.submission.pk


def test_resume_finds_only_the_owners_claim_still_in_progress():
    waiting = once.claim(door=PORTAL, owner=7, key="saving-a-card")
    paid = once.claim(door=PORTAL, owner=7, key="paid")
    once.complete(paid.submission, result={"payment_id": "pmt_1"})

    assert once.resume(door=PORTAL, owner=7, key="saving-a-card").pk == waiting.submission.pk
    assert once.resume(door=PORTAL, owner=8, key="saving-a-card") is None
    assert once.resume(door=PORTAL, owner=7, key="paid") is None
    assert once.resume(door=ADMIN, owner=7, key="saving-a-card") is None
