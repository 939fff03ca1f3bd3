from django.db import migrations, models

INDEX = models.Index(
    fields=["created_at"],
    condition=models.Q(fanned_out=False),
    name="webhook_event_to_fan_out",
)


def index_create(apps, schema_editor):
    """On PostgreSQL CONCURRENTLY, so that writing events never waits for it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_event_to_fan_out "
            "ON webhooks_event (created_at) WHERE NOT fanned_out"
        )
    else:
        schema_editor.add_index(apps.get_model("webhooks", "Event"), INDEX)


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS webhook_event_to_fan_out")
    else:
        schema_editor.remove_index(apps.get_model("webhooks", "Event"), INDEX)


class Migration(migrations.Migration):
    """The events waiting to be fanned out, oldest first: a small partial index."""

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("webhooks", "0002_event_fanned_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="event", index=INDEX)],
            database_operations=[migrations.RunPython(index_create, index_drop)],
        ),
    ]
