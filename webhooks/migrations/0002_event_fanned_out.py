import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Deliveries are made by the worker from the events not yet fanned out.

    The events written before had theirs made with them: they are fanned out already
    (the column is added with `true`, a quick change of the table's definition). New rows
    then default to `false` in the database itself, so an app server still running the
    previous code during a deploy keeps writing events (their deliveries made twice are
    one: a delivery is unique per event and endpoint). The index comes in the next
    migration, built without locking the table.

    The entity's own index goes: (entity, created_at) serves every lookup by entity, and
    each index is work for the insert that every money change makes.
    """

    dependencies = [
        ("billing", "0012_entity_require_change_reason"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="fanned_out",
            field=models.BooleanField(db_default=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="fanned_out",
            field=models.BooleanField(db_default=False),
        ),
        migrations.AlterField(
            model_name="event",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="billing.entity",
            ),
        ),
    ]
