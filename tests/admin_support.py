"""What the back office's view tests share: staff users with chosen permissions, URLs,
and posting money forms with a one-time token the way the page does."""

from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.urls import reverse

from backoffice.flows import form_token_new
from billing.models import EntityMembership
from tests.factories import (
    CustomerFactory,
    SavedCardFactory,
    UserFactory,
    charge_card,
    draft_invoice,
    issued_invoice,
    record_payment,
)

# What every staff member needs to open the pages at all.
VIEW_PERMISSIONS = [
    "invoices.view_invoice",
    "invoices.view_advanceinvoice",
    "invoices.view_creditnote",
    "payments.view_payment",
    "billing.view_customer",
]
MONEY_PERMISSIONS = [
    "payments.record_payment",
    "payments.charge_payment",
    "payments.refund_payment",
    "payments.remove_payment",
    "payments.change_payment",
    "invoices.issue_invoice",
    "invoices.void_invoice",
    "invoices.write_off_invoice",
    "invoices.issue_credit_note",
    "billing.adjust_balance",
]


def permissions(*names: str) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def staff(*entities, grant=MONEY_PERMISSIONS, without=()):
    """A staff member of `entities` with the view permissions and `grant` minus `without`."""
    user = UserFactory(is_staff=True)
    granted = [name for name in [*VIEW_PERMISSIONS, *grant] if name not in without]
    user.user_permissions.set(permissions(*granted))
    for entity in entities:
        EntityMembership.objects.create(entity=entity, user=user)
    return user


def invoice_url(invoice, name: str = "change", *extra) -> str:
    model = "advanceinvoice" if invoice.is_advance else "invoice"
    args = [quote(invoice.pk), *(quote(value) for value in extra)]
    return reverse(f"admin:invoices_{model}_{name}", args=args)


def customer_url(customer, name: str = "change") -> str:
    return reverse(f"admin:billing_customer_{name}", args=[quote(customer.pk)])


def submit(client, url: str, data: dict, token: str | None = None, **kwargs):
    """POST a money form as the page does: with a one-time token (a fresh one by default)."""
    return client.post(url, {"form_token": token or form_token_new(), **data}, **kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@dataclass
class Books:
    """One entity's documents in the states the money flows act on."""

    entity: object
    customer: object
    card: object
    invoice: object  # issued 100.00: a declined charge, then 40.00 in cash
    cash: object
    failed: object
    overpaid: object  # issued 50.00, paid 60.00 by bank transfer
    fresh: object  # issued 70.00, nothing paid
    draft: object  # a draft of 30.00


def books(entity) -> Books:
    customer = CustomerFactory(entity=entity)
    card = SavedCardFactory(customer=customer)
    declined = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_chargeDeclined", last4="0002"
    )
    invoice = issued_invoice(customer, total="100.00")
    failed = charge_card(invoice, card=declined)
    cash = record_payment(invoice, "40.00", reference="CASH-1")
    overpaid = issued_invoice(customer, total="50.00")
    record_payment(overpaid, "60.00", type="bank_transfer")
    return Books(
        entity=entity,
        customer=customer,
        card=card,
        invoice=invoice,
        cash=cash,
        failed=failed,
        overpaid=overpaid,
        fresh=issued_invoice(customer, total="70.00"),
        draft=draft_invoice(customer, total="30.00"),
    )
