"""The portal's pay-form tokens join every door's one-time keys (`billing.Submission`).

A token that recorded its payment is done, its answer that payment; one without is
still in progress (its member may be saving a new card). Reversible: the rows go back.
A member whose card page was open during the migration comes back to the invoice
with nothing charged (the pending payment named the old row), and pays from there.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import migrations

BATCH = 1000


@contextmanager
def keeping_created_at(model):
    """Copy `created_at` as it is: it dates the token for the retention and its pruning."""
    field = model._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def copy_in(target, rows, convert) -> None:
    """Insert `convert(row)` for each row into `target`, in batches; None skips the row."""
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        fields = convert(row)
        if fields is None:
            continue
        batch.append(target(**fields))
        if len(batch) == BATCH:
            target.objects.bulk_create(batch)
            batch = []
    target.objects.bulk_create(batch)


def submission(row) -> dict:
    return {
        "door": "portal",
        "owner": str(row.user_id),
        "key": row.token,
        "state": "done" if row.payment_id else "in_progress",
        "result": {"payment_id": row.payment_id} if row.payment_id else None,
        "created_at": row.created_at,
    }


def submissions_from_portal(apps, schema_editor):
    Submission = apps.get_model("billing", "Submission")
    PortalSubmission = apps.get_model("portal", "PortalSubmission")
    with keeping_created_at(Submission):
        copy_in(Submission, PortalSubmission.objects.all(), submission)


def portal_from_submissions(apps, schema_editor):
    Submission = apps.get_model("billing", "Submission")
    PortalSubmission = apps.get_model("portal", "PortalSubmission")
    users = {
        str(pk)
        for pk in apps.get_model(settings.AUTH_USER_MODEL).objects.values_list("pk", flat=True)
    }

    def portal_submission(row) -> dict | None:
        if row.owner not in users:  # the user is gone, and the token with them
            return None
        return {
            "user_id": int(row.owner),
            "token": row.key[:64],
            "payment_id": (row.result or {}).get("payment_id", ""),
            "created_at": row.created_at,
        }

    rows = Submission.objects.filter(door="portal")
    with keeping_created_at(PortalSubmission):
        copy_in(PortalSubmission, rows, portal_submission)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("billing", "0007_submissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(submissions_from_portal, portal_from_submissions),
        migrations.DeleteModel(name="PortalSubmission"),
    ]
