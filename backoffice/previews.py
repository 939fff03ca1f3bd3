"""The Preview button of a money form: the form's own action, run and rolled back.

`Preview` runs exactly what the final button runs (the same closure, the same service)
through `preview_run`, without claiming the form token, and shows the figures it would
move and the rows it would create; the final button then acts for real, once per token.
Nothing is written, sent or numbered and no gateway is called (see
`payments.services.previewing`).
"""

from dataclasses import dataclass

from backoffice.display import money
from backoffice.flows import add_service_error
from billing.errors import SettleError
from billing.models import Customer
from invoices.models import CreditNote, Invoice
from payments.services.previewing import preview_run

BUTTON = "preview"
FIGURE_LABELS = {
    "total": "Total",
    "total_paid": "Paid",
    "total_credited": "Credited",
    "total_due": "Amount due",
    "total_reserved": "Reserved for card charges in flight",
    "total_applied": "Applied",
    "total_remaining": "Remaining",
    "balance": "Money balance",
    "status": "Status",
}


@dataclass(frozen=True)
class FormPreview:
    """What the template shows: the action's own message and the figures it would move."""

    message: str
    changes: list[dict]  # {"label", "rows": [{"label", "before", "after", "changed"}]}
    creates: list[str]
    gateway_calls: list[str]


def wants_preview(request) -> bool:
    return request.method == "POST" and BUTTON in request.POST


def form_preview(form, action, *, named, currency: str, params=None, refresh=()):
    """Preview `action` (which returns an `Outcome`) for a valid `form`.

    Returns a `FormPreview`, or None with the service's refusal on the form. `refresh`
    are the objects the action may have changed in memory: read again afterwards.
    """
    try:
        preview = preview_run(
            action,
            named=named,
            present=lambda outcome: outcome.message,
            present_row=lambda kind, row: _describe(kind, row, currency),
        )
    except SettleError as error:
        add_service_error(form, error, params)
        return None
    finally:
        for row in refresh:
            row.refresh_from_db()
    return FormPreview(
        message=preview.result,
        changes=[_change(change, currency) for change in preview.changes],
        creates=[text for _kind, text in preview.created],
        gateway_calls=preview.gateway_calls,
    )


def _describe(kind: str, row, currency: str) -> str:
    if kind == "payment":
        kind_of = row.get_type_display().lower()
        return f"A {kind_of} payment of {money(row.amount, currency)} ({row.status})"
    if kind == "refund":
        return (
            f"A refund of {money(row.amount, currency)} "
            f"({row.get_destination_display().lower()}, {row.status})"
        )
    if kind == "credit_note":
        return f"Credit note {row.number} for {money(row.total, currency)}"
    return (
        f"A money balance entry of {money(row.amount, currency)} "
        f"(balance after: {money(row.balance_after, currency)})"
    )


def _label(kind: str, pk: str) -> str:
    if kind == "customer_balance":
        customer = Customer.objects.filter(pk=pk).first()
        return f"{customer.name}'s money balance" if customer else "Money balance"
    model = CreditNote if kind == "credit_note" else Invoice
    document = model.objects.filter(pk=pk).first()
    if document is None:
        return "The new credit note" if kind == "credit_note" else "A new document"
    noun = {"invoice": "Invoice", "advance_invoice": "Advance invoice"}.get(kind, "Credit note")
    return f"{noun} {document.number or document.pk}"


def _shown(name: str, value, currency: str) -> str:
    if value is None:
        return "—"
    return str(value).replace("_", " ") if name == "status" else money(value, currency)


def _change(change: dict, currency: str) -> dict:
    before = change["before"] or {}
    rows = [
        {
            "label": FIGURE_LABELS.get(name, name),
            "before": _shown(name, before.get(name), currency),
            "after": _shown(name, value, currency),
            "changed": before.get(name) != value,
        }
        for name, value in change["after"].items()
    ]
    return {"label": _label(change["object"], change["id"]), "rows": rows}
