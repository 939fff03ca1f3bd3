"""`manage.py seed_demo_statement`: the demo's bank statement, imported as a bank's CSV.

Run by `make run` after `seed_demo`. Written from the demo's open invoices and imported
through the same service as an upload, so the review screen opens on lines of every kind:
confirmed at import (an invoice number, an RF reference), suggested (the payer's name and
the amount), and nothing known (a bank fee, a stray transfer). Does nothing when the demo
entity already has a statement.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from banking.models import BankAccount, BankStatement
from banking.references import creditor_reference
from banking.services.importing import statement_import
from billing.actors import Actor
from billing.models import Entity
from invoices.models import Invoice, InvoiceStatus
from payments.management.commands.seed_demo import DEMO_ENTITY_NAME

MAPPING = {
    "date": "Buchungstag",
    "amount": "Betrag",
    "counterparty_name": "Name",
    "counterparty_iban": "IBAN",
    "remittance_info": "Verwendungszweck",
    "bank_reference": "Referenz",
    "currency": "Waehrung",
    "delimiter": ";",
    "date_format": "%d.%m.%Y",
    "decimal_comma": True,
}


def _amount(value) -> str:
    return f"{value:.2f}".replace(".", ",")


class Command(BaseCommand):
    help = "Import the demo's bank statement (a CSV of transfers for its open invoices)."

    def handle(self, *args, **options):
        entity = Entity.objects.filter(name=DEMO_ENTITY_NAME).order_by("created_at").first()
        if entity is None or BankStatement.objects.filter(entity=entity).exists():
            return
        open_invoices = {
            invoice.customer.name: invoice
            for invoice in Invoice.objects.filter(
                entity=entity,
                kind="invoice",
                status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID),
                total_due__gt=0,
                total_reserved=0,
            )
            .select_related("customer")
            .order_by("date")
        }
        day = timezone.localdate() - timedelta(days=1)
        rows = []
        lena = open_invoices.get("Lena Fischer")
        if lena:
            rows.append((lena.total_due, "Lena Fischer", "IT60X0542811101000000123456",
                         f"Rechnung {lena.number}"))  # fmt: skip
        northwind = open_invoices.get("Northwind Design Studio")
        if northwind:
            rows.append((northwind.total_due, "Northwind Design Studio",
                         "IT02L1234512345123456789012", creditor_reference(northwind.number)))  # fmt: skip
        marco = open_invoices.get("Marco Bianchi")
        if marco:
            rows.append((marco.total_due, "Marco Bianchi", "IT40S0542811101000000654321",
                         "Hot desk"))  # fmt: skip
        rows.append(("-4.90", "Banca Demo", "", "Spese tenuta conto"))
        rows.append(("35.00", "Studio Verdi", "IT17X0605502100000001234567", "Day passes"))
        lines = ["Buchungstag;Betrag;Waehrung;Name;IBAN;Verwendungszweck;Referenz"]
        for position, (amount, name, iban, remittance) in enumerate(rows, start=1):
            amount = amount if isinstance(amount, str) else _amount(amount)
            lines.append(
                f"{day:%d.%m.%Y};{amount.replace('.', ',')};EUR;{name};{iban};{remittance};"
                f"DEMO-{day:%Y%m%d}-{position:03d}"
            )
        account, _ = BankAccount.objects.get_or_create(
            entity=entity,
            iban=entity.iban,
            defaults={"name": "Main account", "currency": entity.default_currency},
        )
        result = statement_import(
            entity=entity,
            actor=Actor.system("seed_demo"),
            data="\n".join(lines).encode(),
            filename="demo-statement.csv",
            format="csv",
            bank_account_id=account.pk,
            csv_mapping=MAPPING,
        )
        self.stdout.write(
            f"Bank statement: {result.statement.lines.count()} lines, "
            f"{result.auto_confirmed} confirmed at import."
        )
