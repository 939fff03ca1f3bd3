from django.db import migrations, models


class Migration(migrations.Migration):
    """Deliveries are made by the worker from the events not yet fanned out. The events
    written before had theirs made with them: they are fanned out already."""

    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="fanned_out",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="fanned_out",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("fanned_out", False)),
                fields=["created_at"],
                name="webhook_event_to_fan_out",
            ),
        ),
    ]
