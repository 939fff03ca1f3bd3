"""One customer per gateway id.

Before the constraint, a gateway id shared by several customers (typed on the admin's
customer form, which no longer offers the field) stays only on the customer Settle
linked itself (a `customer.gateway_linked` audit event for that id); every other
holder loses it, audited, and gets its own gateway customer on its next card payment.
When none of them was linked by Settle, none keeps it.
"""

from django.db import migrations, models
from django.db.models import Count


def unlink_shared_gateway_ids(apps, schema_editor):
    Customer = apps.get_model("billing", "Customer")
    AuditEvent = apps.get_model("billing", "AuditEvent")
    shared = list(
        Customer.objects.exclude(gateway_customer_id="")
        .values("gateway_customer_id")
        .annotate(holders=Count("id"))
        .filter(holders__gt=1)
        .values_list("gateway_customer_id", flat=True)
    )
    for reference in shared:
        holders = list(
            Customer.objects.filter(gateway_customer_id=reference).order_by("created_at", "id")
        )
        linked_by_settle = set(
            AuditEvent.objects.filter(
                action="customer.gateway_linked",
                object_type="customer",
                object_id__in=[customer.pk for customer in holders],
                after__gateway_customer_id=reference,
            ).values_list("object_id", flat=True)
        )
        keeper = next((c for c in holders if c.pk in linked_by_settle), None)
        for customer in holders:
            if customer is keeper:
                continue
            customer.gateway_customer_id = ""
            customer.save(update_fields=["gateway_customer_id", "updated_at"])
            AuditEvent.objects.create(
                entity_id=customer.entity_id,
                action="customer.gateway_unlinked",
                source="system",
                actor_label="migration billing.0005",
                object_type="customer",
                object_id=customer.pk,
                customer_id=customer.pk,
                before={"gateway_customer_id": reference},
                after={"gateway_customer_id": ""},
                reason="Gateway id shared with another customer; Settle did not link it here.",
            )


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0005_api_key_revoke_permission"),
    ]

    operations = [
        migrations.RunPython(unlink_shared_gateway_ids, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("gateway_customer_id", ""), _negated=True),
                fields=("gateway_customer_id",),
                name="uniq_customer_gateway_customer_id",
            ),
        ),
    ]
