"""One table for every door's one-time keys: `Submission` takes the rows of `IdempotencyKey`
(the API) and `FormToken` (the admin); the portal's `PortalSubmission` follows in
portal 0002. Each row keeps its key, owner, state, age and stored answer, so a replay
after the migration answers what it answered before. Reversible: the rows go back.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import migrations, models

BATCH = 1000


@contextmanager
def keeping_created_at(*models_):
    """Copy `created_at` as it is: it dates the key for the retention and its pruning."""
    fields = [model._meta.get_field("created_at") for model in models_]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
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


def api_submission(row) -> dict:
    result = None
    if row.state == "done" and row.response_status is not None:
        result = {
            "status": row.response_status,
            # Stored bodies are the API's JSON, UTF-8 text.
            "body": bytes(row.response_body or b"").decode("utf-8", "replace"),
            "content_type": row.response_content_type or "application/json",
        }
    return {
        "door": "api",
        "owner": row.api_key_id,
        "key": row.key,
        "fingerprint": row.fingerprint,
        "state": row.state,
        "result": result,
        "created_at": row.created_at,
    }


def admin_submission(row) -> dict:
    done = row.state == "done"
    return {
        "door": "admin",
        "owner": str(row.user_id),
        "key": row.token,
        "fingerprint": row.purpose,
        "state": row.state,
        "result": {"url": row.result_url, "message": row.result_message} if done else None,
        "created_at": row.created_at,
    }


def submissions_from_keys_and_tokens(apps, schema_editor):
    Submission = apps.get_model("billing", "Submission")
    IdempotencyKey = apps.get_model("billing", "IdempotencyKey")
    FormToken = apps.get_model("billing", "FormToken")
    with keeping_created_at(Submission):
        copy_in(Submission, IdempotencyKey.objects.all(), api_submission)
        copy_in(Submission, FormToken.objects.all(), admin_submission)


def keys_and_tokens_from_submissions(apps, schema_editor):
    Submission = apps.get_model("billing", "Submission")
    IdempotencyKey = apps.get_model("billing", "IdempotencyKey")
    FormToken = apps.get_model("billing", "FormToken")
    ApiKey = apps.get_model("billing", "ApiKey")
    users = {
        str(pk)
        for pk in apps.get_model(settings.AUTH_USER_MODEL).objects.values_list("pk", flat=True)
    }

    def api_key(row) -> dict:
        result = row.result or {}
        return {
            "api_key_id": row.owner,
            "key": row.key,
            "fingerprint": row.fingerprint[:64],
            "state": row.state,
            "response_status": result.get("status"),
            "response_body": result["body"].encode() if "body" in result else None,
            "response_content_type": result.get("content_type", ""),
            "created_at": row.created_at,
        }

    def form_token(row) -> dict | None:
        if row.owner not in users:  # the user is gone, and the token with them
            return None
        result = row.result or {}
        return {
            "user_id": int(row.owner),
            "token": row.key[:64],
            "purpose": row.fingerprint,
            "state": row.state,
            "result_url": result.get("url", "")[:500],
            "result_message": result.get("message", ""),
            "created_at": row.created_at,
        }

    api = Submission.objects.filter(door="api", owner__in=ApiKey.objects.values("pk"))
    admin = Submission.objects.filter(door="admin")
    with keeping_created_at(IdempotencyKey, FormToken):
        copy_in(IdempotencyKey, api, api_key)
        copy_in(FormToken, admin, form_token)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_customer_gateway_id_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Submission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "door",
                    models.CharField(
                        choices=[("api", "Api"), ("admin", "Admin"), ("portal", "Portal")],
                        max_length=8,
                    ),
                ),
                ("owner", models.CharField(max_length=40)),
                ("key", models.CharField(max_length=255)),
                ("fingerprint", models.CharField(blank=True, default="", max_length=200)),
                (
                    "state",
                    models.CharField(
                        choices=[("in_progress", "In Progress"), ("done", "Done")],
                        default="in_progress",
                        max_length=16,
                    ),
                ),
                ("result", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("door", "owner", "key"), name="uniq_submission_key"
                    )
                ],
            },
        ),
        migrations.RunPython(submissions_from_keys_and_tokens, keys_and_tokens_from_submissions),
        migrations.DeleteModel(name="FormToken"),
        migrations.DeleteModel(name="IdempotencyKey"),
    ]
