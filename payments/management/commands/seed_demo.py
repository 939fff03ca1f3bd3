"""`manage.py seed_demo`: a demo coworking space with documents in every state.

Every amount goes through the services (issue, record, charge, credit, write
off, adjust the balance), so the demo data obeys the same rules as real data
and `check_totals` finds no drift. Idempotent: the demo entity is recognised
by its name and a second run only prints the logins again.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from billing.actors import Actor
from billing.entity_settings import entity_settings_update
from billing.models import ApiKey, Customer, Entity, EntityMembership
from billing.services import api_key_create, balance_adjust, customer_create, entity_create
from invoices.models import CreditNote, Invoice, InvoiceKind
from invoices.services import invoice_create, invoice_write_off
from payments.gateways.sandbox import TEST_CARDS
from payments.models import Payment, SavedPaymentMethod
from payments.queue import receipts_muted
from payments.services import (
    credit_note_issue,
    invoice_issue,
    invoice_void,
    payment_charge,
    payment_record,
)
from payments.services.drift import find_drift

DEMO_ENTITY_NAME = "Settle Demo Coworking"
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin"
MEMBER_USERNAME, MEMBER_PASSWORD = "lena", "lena-demo"
API_KEY_NAME = "Demo key"
ACTOR = Actor.system("seed_demo")


def item(name: str, price: str, quantity: int = 1) -> dict:
    """A line item of the coworking space, with 22 % VAT."""
    return {"name": name, "quantity": quantity, "price": price, "tax_rate": "22"}


HOT_DESK = item("Hot desk — monthly membership", "190.00")
DEDICATED_DESK = item("Dedicated desk — monthly", "320.00")
PRIVATE_OFFICE = item("Private office, 4 desks — monthly", "1200.00")
MEETING_ROOM = item("Meeting room — per hour", "25.00", quantity=6)
DAY_PASS = item("Day pass", "22.00", quantity=5)
LOCKER = item("Locker rental", "15.00")
COFFEE_AND_PRINTING = item("Coffee bar and printing", "18.50")

# What the demo's documents say about the coworking space (a test IBAN and its BIC).
ENTITY_DETAILS = {
    "legal_name": "Settle Demo Coworking S.r.l.",
    "address": "Via Museo 12\n39100 Bolzano BZ\nItaly",
    "vat_id": "IT02845610217",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "invoice_footer": (
        "Settle Demo Coworking S.r.l. · Via Museo 12, 39100 Bolzano, Italy · "
        "VAT IT02845610217 · REA BZ-218734\n"
        "Questions about an invoice? billing@demo-coworking.example"
    ),
    "sender_email": "billing@demo-coworking.example",
    "payment_terms_days": 14,
    "reminder_days": [3, 10, 20],
}

# name, e-mail, the token of a saved sandbox card (see gateways/sandbox.py) or None
CUSTOMERS = {
    "northwind": ("Northwind Design Studio", "accounts@northwind-design.example", "pm_card_visa"),
    "lena": ("Lena Fischer", "lena.fischer@example.com", "pm_card_mastercard"),
    "marco": ("Marco Bianchi", "marco.bianchi@example.com", "pm_card_chargeDeclined"),
    "kite": (
        "Kite & Key Architects",
        "billing@kiteandkey.example",
        "pm_card_authenticationRequired",
    ),
    "ana": ("Ana Novak", "ana.novak@example.com", None),
    "brightwave": ("Brightwave Media", "finance@brightwave.example", None),
}
# address, VAT or tax id, document language (blank: the entity's, English)
CUSTOMER_DETAILS = {
    "northwind": ("Via Dante 8\n39100 Bolzano BZ\nItaly", "IT03156780219", ""),
    "lena": ("Laubengasse 15\n39100 Bozen\nItalien", "", "de"),
    "marco": ("Via della Mostra 3\n38122 Trento TN\nItaly", "", ""),
    "kite": ("Corso della Libertà 21\n39012 Merano BZ\nItaly", "IT02984120218", ""),
    "ana": ("Slovenska cesta 10\n1000 Ljubljana\nSlovenia", "", ""),
    "brightwave": ("Corso Italia 40\n39100 Bolzano BZ\nItaly", "IT02671390215", ""),
}
# token -> (brand, last four digits), from Stripe's published test cards.
CARD_DETAILS = {token: (brand, number[-4:]) for number, (token, brand, _) in TEST_CARDS.items()}


def _serialise_seeding() -> None:
    """Two runs at once must not both create the demo (entity names are not unique).

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a
    transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('settle.seed_demo'))")


class Command(BaseCommand):
    help = "Create a demo coworking space: logins, customers, cards and invoices in every state."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the app is served"
        )

    def handle(self, *args, base_url: str, **options):
        login_url = f"{base_url.rstrip('/')}/admin/"
        with transaction.atomic():
            _serialise_seeding()
            entity = Entity.objects.filter(name=DEMO_ENTITY_NAME).order_by("created_at").first()
            if entity is not None:
                self._print_existing(entity, login_url)
                return
            with receipts_muted():  # demo history: e-mail no one, keep the console readable
                entity, admin_created, raw_key = self._seed()
            drifts = find_drift()
            if drifts:
                listing = "; ".join(str(drift) for drift in drifts[:5])
                raise CommandError(f"Demo data drifts from its rows (rolled back): {listing}")
        self._print_created(entity, login_url, admin_created, raw_key)

    # --- building ---------------------------------------------------------------------------

    def _seed(self) -> tuple[Entity, bool, str]:
        today = timezone.localdate()
        entity = entity_create(name=DEMO_ENTITY_NAME, currency="EUR")
        # Before the first issue: every document keeps a copy of these details.
        entity = entity_settings_update(entity=entity, actor=ACTOR, changes=ENTITY_DETAILS)
        admin_user, admin_created = self._admin_user()
        EntityMembership.objects.get_or_create(entity=entity, user=admin_user)
        member = self._member_user()
        customers = {
            key: customer_create(
                entity=entity,
                name=name,
                email=email,
                address=CUSTOMER_DETAILS[key][0],
                tax_id=CUSTOMER_DETAILS[key][1],
                language=CUSTOMER_DETAILS[key][2],
                user=member if key == "lena" else None,
                actor=ACTOR,
            )
            for key, (name, email, _card) in CUSTOMERS.items()
        }
        cards = {
            key: self._saved_card(customers[key], token, today)
            for key, (_name, _email, token) in CUSTOMERS.items()
            if token
        }

        def issued(key, items, *, days_ago, terms=14, kind=InvoiceKind.INVOICE):
            invoice = invoice_create(
                entity=entity,
                customer=customers[key],
                items=items,
                actor=ACTOR,
                date=today - timedelta(days=days_ago),
                due_date=today - timedelta(days=days_ago - terms),
                kind=kind,
            )
            return invoice_issue(invoice=invoice, actor=ACTOR)

        def record(invoice, amount, type_, *, days_ago=0, reference=None, **documents):
            field = "advance_invoice_id" if invoice.is_advance else "invoice_id"
            return payment_record(
                entity=entity,
                actor=ACTOR,
                amount=Decimal(amount),
                type=type_,
                date=today - timedelta(days=days_ago),
                reference=reference,
                **{field: invoice.pk, **documents},
            )

        # Oldest first, so invoice numbers follow the dates.

        # Uncollectible: part paid, the rest written off.
        invoice = issued("brightwave", [DEDICATED_DESK], days_ago=120)
        record(invoice, "100.00", "cash", days_ago=110)
        invoice_write_off(
            invoice=invoice,
            actor=ACTOR,
            reason="Member left; the rest is written off after three reminders.",
        )

        # Overdue, with a declined charge attempt to retry.
        invoice = issued("marco", [HOT_DESK], days_ago=45)
        payment_charge(
            entity=entity, actor=ACTOR, payment_method_id=cards["marco"].pk, invoice_id=invoice.pk
        )

        # Paid in cash, then an open credit note (nothing applied yet).
        invoice = issued("lena", [HOT_DESK], days_ago=40)
        record(invoice, invoice.total, "cash", days_ago=35)
        credit_note_issue(
            entity=entity,
            invoice_id=invoice.pk,
            actor=ACTOR,
            reason="Heating outage on three days: partial credit.",
            lines=[{"line_id": invoice.lines.get().pk, "amount": "20.00"}],
        )

        # An advance invoice paid up front (applied to the final invoice below).
        advance = issued("northwind", [PRIVATE_OFFICE], days_ago=35, kind=InvoiceKind.ADVANCE)
        record(advance, advance.total, "bank_transfer", days_ago=30, reference="NW-PREPAY-Q3")

        # Overpaid: the bank transfer was rounded up; the excess can go to the balance.
        invoice = issued("kite", [PRIVATE_OFFICE], days_ago=25)
        record(invoice, "1500.00", "bank_transfer", days_ago=18, reference="KK-TRF-0425")

        # Paid by charging the saved Visa through the sandbox gateway; one line is then
        # credited and its money refunded to the card (the invoice stays settled).
        invoice = issued("northwind", [DEDICATED_DESK, COFFEE_AND_PRINTING], days_ago=20)
        charge = payment_charge(
            entity=entity,
            actor=ACTOR,
            payment_method_id=cards["northwind"].pk,
            invoice_id=invoice.pk,
        )
        coffee_line = invoice.lines.get(name=COFFEE_AND_PRINTING["name"])
        credit_note_issue(
            entity=entity,
            invoice_id=invoice.pk,
            actor=ACTOR,
            reason="Coffee machine out of order all month: refunded to the card.",
            lines=[{"line_id": coffee_line.pk, "quantity": 1}],
            allocations=[{"type": "refund", "amount": coffee_line.total, "payment_id": charge.pk}],
        )

        # Void: issued to the wrong customer.
        invoice = issued("ana", [DAY_PASS], days_ago=15)
        invoice_void(invoice=invoice, actor=ACTOR, reason="Issued to the wrong customer.")

        # Partly credited (two meeting-room hours), the rest paid by bank transfer.
        invoice = issued("ana", [DEDICATED_DESK, MEETING_ROOM], days_ago=12)
        meeting_line = invoice.lines.get(name=MEETING_ROOM["name"])
        credit_note = credit_note_issue(
            entity=entity,
            invoice_id=invoice.pk,
            actor=ACTOR,
            reason="Meeting room air conditioning was broken: two hours credited.",
            lines=[{"line_id": meeting_line.pk, "quantity": 2}],
            allocations=[{"type": "invoice", "amount": "61.00"}],
        )
        invoice = credit_note.invoice  # the row the credit was applied to, up to date
        record(invoice, invoice.total_due, "bank_transfer", days_ago=4, reference="SEPA 3107-12")

        # Partially paid by bank transfer.
        invoice = issued("lena", [HOT_DESK, LOCKER], days_ago=10)
        record(invoice, "100.00", "bank_transfer", days_ago=3, reference="SEPA 2291-44")

        # The month's final invoice, settled by applying the advance.
        final = issued("northwind", [PRIVATE_OFFICE], days_ago=5)
        record(final, advance.total, "advance", advance_invoice_id=advance.pk)

        # A charge waiting for the card holder's authentication.
        invoice = issued("kite", [MEETING_ROOM], days_ago=3)
        payment_charge(
            entity=entity, actor=ACTOR, payment_method_id=cards["kite"].pk, invoice_id=invoice.pk
        )

        # Issued, not yet due.
        issued("northwind", [DEDICATED_DESK], days_ago=2)

        # Draft: not numbered yet, still editable.
        invoice_create(entity=entity, customer=customers["lena"], items=[MEETING_ROOM], actor=ACTOR)

        # A positive money balance (after Ana's invoices, so it is not applied to them).
        balance_adjust(
            customer=customers["ana"],
            amount=Decimal("50.00"),
            reason="Referral credit: introduced Kite & Key Architects.",
            actor=ACTOR,
        )

        _key, raw_key = api_key_create(name=API_KEY_NAME, entities=[entity])
        return entity, admin_created, raw_key

    def _admin_user(self):
        user, created = get_user_model().objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@settle.localhost"},
        )
        if created:
            user.set_password(ADMIN_PASSWORD)
            user.save(update_fields=["password"])
        return user, created

    def _member_user(self):
        user, created = get_user_model().objects.get_or_create(
            username=MEMBER_USERNAME,
            defaults={"email": CUSTOMERS["lena"][1], "first_name": "Lena", "last_name": "Fischer"},
        )
        if created:
            user.set_password(MEMBER_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _saved_card(self, customer: Customer, token: str, today) -> SavedPaymentMethod:
        brand, last4 = CARD_DETAILS[token]
        return SavedPaymentMethod.objects.create(
            entity_id=customer.entity_id,
            customer=customer,
            gateway="sandbox",
            gateway_reference=token,
            brand=brand,
            last4=last4,
            exp_month=12,
            exp_year=today.year + 3,
            is_default=True,
        )

    # --- reporting --------------------------------------------------------------------------

    def _print_created(self, entity: Entity, login_url: str, admin_created: bool, raw_key: str):
        out = self.stdout.write
        out(self.style.SUCCESS(f"Seeded {entity.name} ({entity.pk})."))
        self._print_documents(entity)
        self._print_logins(
            login_url, ADMIN_PASSWORD if admin_created else "unchanged (the user existed)"
        )
        out(f"  API key   {raw_key}")
        out("            shown only now: store it (Authorization: Bearer <key>).")
        out(self.style.SUCCESS("check_totals: no drift, every total matches its rows."))

    def _print_existing(self, entity: Entity, login_url: str):
        out = self.stdout.write
        out(f"Demo data already present: {entity.name} ({entity.pk}); nothing created.")
        self._print_logins(login_url, f"{ADMIN_PASSWORD} (as seeded)")
        key = ApiKey.objects.filter(entities=entity, name=API_KEY_NAME).first()
        if key is not None:
            out(f"  API key   {key.prefix}… exists; its secret was shown only when it was created.")
        out(f"            New key: python manage.py create_api_key --entity {entity.pk}")

    def _print_logins(self, login_url: str, admin_password: str):
        out = self.stdout.write
        out(f"  Admin     {login_url}")
        out(f"            user {ADMIN_USERNAME}, password {admin_password}")
        customer = Customer.objects.filter(user__username=MEMBER_USERNAME).first()
        if customer is not None:
            out(
                f"  Member    user {MEMBER_USERNAME}, password {MEMBER_PASSWORD} "
                f"(customer {customer.name}, for the member portal)"
            )

    def _print_documents(self, entity: Entity):
        invoices = Invoice.objects.filter(entity=entity).select_related("customer")
        payments = Payment.objects.filter(entity=entity).count()
        credit_notes = CreditNote.objects.filter(entity=entity).count()
        self.stdout.write(
            f"  {Customer.objects.filter(entity=entity).count()} customers, "
            f"{len(invoices)} invoices, {credit_notes} credit notes, {payments} payments:"
        )
        for invoice in sorted(invoices, key=lambda row: (row.date, row.pk)):
            label = invoice.number or "(draft)"
            self.stdout.write(
                f"    {label:<16} {invoice.display_status.replace('_', ' '):<15} {invoice.total:>9} "
                f"{invoice.currency}  {invoice.customer.name}"
            )
