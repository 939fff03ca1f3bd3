"""The review page of bank lines: one statement's lines, or the queue of every line still
waiting across the user's entities. Both use one template; each line carries its
suggestions, what it paid once matched, and its forms (confirm, split or choose, ignore,
undo), which post to `bank_line_actions`."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.bank_forms import LineConfirmForm, LineReasonForm, LineRefundForm, LineSplitForm
from backoffice.scoping import member_entity_ids
from banking.models import BankStatement, BankStatementLine, LineStatus
from banking.selectors import (
    advance_invoice_ids,
    line_status_counts,
    live_allocations,
    review_queue,
)
from billing.formats import format_iban
from billing.models import Entity

LINES_PER_PAGE = 100
STATUS_LABELS = {
    LineStatus.UNMATCHED: "Unmatched",
    LineStatus.SUGGESTED: "Suggested",
    LineStatus.MATCHED: "Matched",
    LineStatus.IGNORED: "Ignored",
}
EVIDENCE_LABELS = {
    "number": "number",
    "rf": "RF",
    "iban": "IBAN",
    "amount": "amount",
    "name": "name",
}
RECORD_PERMISSION = "payments.record_payment"
REMOVE_PERMISSION = "payments.remove_payment"


FORMAT_NAMES = {"camt053": "CAMT.053", "mt940": "MT940", "csv": "CSV"}


def account_label(account) -> str:
    """`Main account · DE89 3704 …`, or the IBAN alone for an account named after it."""
    iban = format_iban(account.iban)
    if not iban or account.name == account.iban:
        return iban or account.name
    return f"{account.name} · {iban}"


def user_entity_ids(user):
    """The entities whose bank lines the user works on (every one, for a superuser)."""
    if user.is_superuser:
        return Entity.objects.values("pk")
    return member_entity_ids(user)


def statement_url(statement_id: str) -> str:
    return reverse("admin:banking_bankstatement_change", args=[quote(statement_id)])


def queue_url() -> str:
    return reverse("admin:banking_bankstatement_queue")


def line_action_url(line_id: str, action: str) -> str:
    return reverse(f"admin:banking_bankstatement_line_{action}", args=[quote(line_id)])


def invoice_page_url(invoice_id: str, is_advance: bool) -> str:
    model = "advanceinvoice" if is_advance else "invoice"
    return reverse(f"admin:invoices_{model}_change", args=[quote(invoice_id)])


@dataclass
class LineRow:
    """A line as the page shows it, with its forms."""

    line: BankStatementLine
    suggestions: list = field(default_factory=list)
    allocations: list = field(default_factory=list)
    forms: dict = field(default_factory=dict)
    error: list = field(default_factory=list)
    open_form: str = ""  # the form shown open: the one just refused
    next_id: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.line.status, self.line.status)

    @property
    def iban(self) -> str:
        return format_iban(self.line.counterparty_iban)

    @property
    def is_open(self) -> bool:
        return self.line.status in (LineStatus.UNMATCHED, LineStatus.SUGGESTED)

    @property
    def can_confirm(self) -> bool:
        return self.is_open and any(s.get("proposed") for s in self.line.suggestions)

    @property
    def proposed_rest(self) -> Decimal | None:
        """What a plain confirm sends to the customer's balance (money in beyond the dues)."""
        if not self.can_confirm or self.line.amount < 0:
            return None
        proposed = sum(
            (Decimal(s["amount"]) for s in self.line.suggestions if s.get("proposed")),
            Decimal("0"),
        )
        rest = self.line.amount - proposed
        return rest if rest > 0 else None


def _suggestion_rows(line, advances) -> list[dict]:
    rows = []
    for suggestion in line.suggestions:
        invoice_id = suggestion.get("invoice_id") or ""
        excess = Decimal(suggestion.get("excess") or "0")
        rows.append(
            {
                **suggestion,
                "invoice_url": invoice_page_url(invoice_id, invoice_id in advances)
                if invoice_id
                else "",
                "customer_url": reverse(
                    "admin:billing_customer_change", args=[quote(suggestion["customer_id"])]
                ),
                "evidence_labels": [EVIDENCE_LABELS.get(e, e) for e in suggestion["evidence"]],
                "amount_value": Decimal(suggestion["amount"]),
                "due_value": Decimal(suggestion["due"]) if suggestion.get("due") else None,
                "excess_value": excess if excess > 0 else None,
            }
        )
    return rows


FORM_CLASSES = {"confirm": LineConfirmForm, "ignore": LineReasonForm, "undo": LineReasonForm}


def line_form(name: str, line, data=None, initial=None):
    """One of a line's forms; ids carry the line and the form so a page of lines has no
    two alike."""
    kwargs = {"auto_id": f"id_{line.pk}_{name}_%s", "initial": initial}
    if name == "split":
        form_class = LineSplitForm if line.amount > 0 else LineRefundForm
        return form_class(data, line=line, **kwargs)
    return FORM_CLASSES[name](data, **kwargs)


def line_forms(line, view: str, page: int, next_id: str) -> dict:
    """Fresh forms for a line, each with its own token."""
    where = {"view": view, "page": page, "next": next_id}
    if line.status in (LineStatus.UNMATCHED, LineStatus.SUGGESTED):
        names = ["confirm", "split", "ignore"]
    else:
        names = ["undo"]
    return {name: line_form(name, line, initial=dict(where)) for name in names}


def refusal(name: str, form) -> list[str]:
    """What to say on a line whose form was refused: the service's words, or the form's."""
    if name == "split":
        problems = [str(error) for error in form.non_field_errors()]
        return problems or (["Check the rows below."] if form.errors else [])
    return [str(error) for errors in form.errors.values() for error in errors]


def build_rows(lines, view: str, page: int, refused=None) -> list[LineRow]:
    """The page's rows; `refused` = (line id, form name, bound form) shows a refusal."""
    lines = list(lines)
    invoice_ids = {s.get("invoice_id") for line in lines for s in line.suggestions} - {"", None}
    allocations = live_allocations([line.pk for line in lines])
    invoice_ids |= {a.invoice_id for found in allocations.values() for a in found if a.invoice_id}
    advances = advance_invoice_ids(invoice_ids)
    rows = []
    for position, line in enumerate(lines):
        following = lines[position + 1].pk if position + 1 < len(lines) else line.pk
        row = LineRow(
            line=line,
            suggestions=_suggestion_rows(line, advances),
            allocations=[
                (
                    allocation,
                    invoice_page_url(allocation.invoice_id, allocation.invoice_id in advances)
                    if allocation.invoice_id
                    else "",
                )
                for allocation in allocations.get(line.pk, [])
            ],
            forms=line_forms(line, view, page, following),
            next_id=following,
        )
        if refused and refused[0] == line.pk:
            _, name, form = refused
            row.forms[name] = form
            row.open_form = name
            row.error = refusal(name, form)
        rows.append(row)
    return rows


def review_page(model_admin, request, *, statement: BankStatement | None, refused=None):
    """The statement's lines (or, without one, the queue), a page of them at a time."""
    if statement is not None:
        lines = statement.lines.all()
        view = "statement"
        counts = line_status_counts(statement.lines.all())
    else:
        lines = review_queue(user_entity_ids(request.user))
        view = "queue"
        counts = None
    lines = lines.select_related("bank_account", "statement")
    page_number = request.POST.get("page") or request.GET.get("page") or 1
    page = Paginator(lines, LINES_PER_PAGE).get_page(page_number)
    rows = build_rows(page.object_list, view, page.number, refused)
    if refused and not any(row.line.pk == refused[0] for row in rows):
        # The line left this page (matched by someone else, say): say so above the lines.
        for problem in refusal(refused[1], refused[2]):
            messages.error(request, problem)
    title = f"Statement {statement}" if statement is not None else "Review queue: lines to match"
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "statement": statement,
        "account_label": account_label(statement.bank_account) if statement else "",
        "format_name": FORMAT_NAMES.get(statement.format, statement.format) if statement else "",
        "view": view,
        "rows": rows,
        "page_obj": page,
        "counts": counts,
        "can_act": request.user.has_perm(RECORD_PERMISSION),
        "can_undo_matched": request.user.has_perm(REMOVE_PERMISSION),
        "queue_url": queue_url(),
        "import_url": reverse("admin:banking_bankstatement_import"),
        "list_url": reverse("admin:banking_bankstatement_changelist"),
    }
    return TemplateResponse(request, "admin/settle/bank_review.html", context)
