"""What a person does to one bank line from the review page: confirm, split or choose,
ignore, undo. Each POST checks the user's entities and permission, calls one service once
per form token, and goes back to the page it came from; a refusal is shown on the line."""

from decimal import Decimal

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed

from backoffice.bank_review import (
    RECORD_PERMISSION,
    REMOVE_PERMISSION,
    line_form,
    queue_url,
    review_page,
    statement_url,
    user_entity_ids,
)
from backoffice.display import money
from backoffice.flow_base import admin_actor, require
from backoffice.flows import Outcome, run_once
from banking.models import BankStatementLine, LineStatus
from banking.selectors import live_allocations
from banking.services.reconciling import bank_line_confirm, bank_line_ignore, bank_line_undo
from billing.errors import InvalidState


def _line_for(request, line_id: str) -> BankStatementLine:
    """The line, if it is in one of the user's entities; another entity's is a 404."""
    line = (
        BankStatementLine.objects.select_related("entity", "statement")
        .filter(pk=unquote(line_id), entity_id__in=user_entity_ids(request.user))
        .first()
    )
    if line is None:
        raise Http404("No such bank line.")
    return line


def _back_url(line, data, anchor_on_next: bool) -> str:
    """The page the form was sent from, at the line to look at next."""
    queue = data.get("view") == "queue"
    url = queue_url() if queue else statement_url(line.statement_id)
    page = data.get("page")
    if page and page > 1:
        url += f"?page={page}"
    anchor = (data.get("next") or line.pk) if anchor_on_next else line.pk
    return f"{url}#line-{anchor}"


def _who(line) -> str:
    return line.counterparty_name or "an unnamed payer"


def _matched_message(line, rest: Decimal) -> str:
    parts = []
    for allocation in live_allocations([line.pk]).get(line.pk, []):
        if allocation.refund_id:
            parts.append(f"the refund to {allocation.customer.name}")
        elif allocation.invoice is not None:
            parts.append(allocation.invoice.number)
    text = f"Matched {money(line.amount, line.currency)} from {_who(line)} to {', '.join(parts)}"
    if rest > 0:
        text += f"; {money(rest, line.currency)} went to the customer's balance"
    return text + "."


def _act(model_admin, request, line_id, name, action, anchor_on_next=True, permissions=()):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    line = _line_for(request, line_id)
    require(request, RECORD_PERMISSION, *permissions)
    form = line_form(name, line, data=request.POST)
    if form.is_valid():
        back = _back_url(line, form.cleaned_data, anchor_on_next)
        response = run_once(
            request,
            form,
            purpose=f"bank_line.{name} {line.pk}",
            action=lambda: Outcome(back, action(line, form)),
            back_url=back,
        )
        if response is not None:
            return response
    statement = None if request.POST.get("view") == "queue" else line.statement
    line.refresh_from_db()
    return review_page(model_admin, request, statement=statement, refused=(line.pk, name, form))


def _proposed_remainder(line) -> Decimal:
    proposed = sum(
        (Decimal(s["amount"]) for s in line.suggestions if s.get("proposed")), Decimal("0")
    )
    return line.amount - proposed if line.amount > 0 else Decimal("0")


def line_confirm_view(model_admin, request, line_id):
    """Confirm what the line's proposed suggestions say; a proposed rest goes to the balance
    (the suggestion says so beside the button)."""

    def confirm(line, form) -> str:
        remainder = _proposed_remainder(line)
        bank_line_confirm(
            entity=line.entity,
            actor=admin_actor(request),
            line_id=line.pk,
            remainder_to_balance=remainder > 0,
        )
        return _matched_message(line, remainder)

    return _act(model_admin, request, line_id, "confirm", confirm)


def line_split_view(model_admin, request, line_id):
    """Money in: the invoices and amounts given; money out: the refund chosen."""

    def split(line, form) -> str:
        if line.amount > 0:
            allocations = form.cleaned_data["allocations"]
            to_balance = form.cleaned_data["remainder_to_balance"]
            remainder = line.amount - sum((a["amount"] for a in allocations), Decimal("0"))
        else:
            allocations, to_balance, remainder = form.allocations(), False, Decimal("0")
        bank_line_confirm(
            entity=line.entity,
            actor=admin_actor(request),
            line_id=line.pk,
            allocations=[
                {**a, "amount": str(a["amount"])} if "amount" in a else a for a in allocations
            ],
            remainder_to_balance=to_balance,
        )
        return _matched_message(line, remainder if to_balance else Decimal("0"))

    return _act(model_admin, request, line_id, "split", split)


def line_ignore_view(model_admin, request, line_id):
    def ignore(line, form) -> str:
        bank_line_ignore(
            entity=line.entity,
            actor=admin_actor(request),
            line_id=line.pk,
            reason=form.cleaned_data["reason"],
        )
        return f"Ignored the line of {money(line.amount, line.currency)} from {_who(line)}."

    return _act(model_admin, request, line_id, "ignore", ignore)


def line_undo_view(model_admin, request, line_id):
    """Undoing a match deletes the payments it recorded: that needs the delete permission
    too."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    line = _line_for(request, line_id)
    extra = (REMOVE_PERMISSION,) if line.status == LineStatus.MATCHED else ()

    def undo(line, form) -> str:
        was = line.status
        try:
            undone = bank_line_undo(
                entity=line.entity,
                actor=admin_actor(request),
                line_id=line.pk,
                reason=form.cleaned_data["reason"],
            )
        except InvalidState as error:
            if error.code != "payment_has_refunds":
                raise
            raise InvalidState(
                "This match cannot be undone: part of the line went to the customer's "
                "balance as a refund of its payment, and a payment with refunds cannot be "
                "deleted.",
                code=error.code,
            ) from None
        what = "match" if was == LineStatus.MATCHED else "ignore"
        return (
            f"Undid the {what} of the line of {money(line.amount, line.currency)} from "
            f"{_who(line)}: it is {undone.status} again"
            + (", and the payments it recorded are deleted." if what == "match" else ".")
        )

    return _act(model_admin, request, line_id, "undo", undo, False, extra)


LINE_VIEWS = [
    ("confirm", line_confirm_view),
    ("split", line_split_view),
    ("ignore", line_ignore_view),
    ("undo", line_undo_view),
]
