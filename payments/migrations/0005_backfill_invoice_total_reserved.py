"""Fill the new `Invoice.total_reserved` from the card charges in flight or awaiting authentication."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Sum

RESERVING = ("pending", "requires_action")


def backfill(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    Payment = apps.get_model("payments", "Payment")
    for column in ("invoice_id", "advance_invoice_id"):
        rows = (
            Payment.objects.filter(status__in=RESERVING, is_deleted=False, **{f"{column}__isnull": False})
            .values(column)
            .annotate(reserved=Sum("amount"))
        )
        for row in rows:
            Invoice.objects.filter(pk=row[column]).update(
                total_reserved=row["reserved"] or Decimal("0")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_payment_search_text"),
        ("invoices", "0002_invoice_total_reserved"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
