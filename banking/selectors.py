"""Reads of bank statements and lines that the review screen and the lists share."""

from django.db.models import Count, Q, QuerySet

from banking.models import (
    BankAccount,
    BankLineAllocation,
    BankStatement,
    BankStatementLine,
    LineStatus,
)
from invoices.models import Invoice, InvoiceKind

OPEN_STATUSES = (LineStatus.UNMATCHED, LineStatus.SUGGESTED)


def statements_with_counts(queryset: QuerySet | None = None) -> QuerySet:
    """Statements with how many of their lines stand in each status (`n_matched`, …)."""
    queryset = BankStatement.objects.all() if queryset is None else queryset
    return queryset.select_related("bank_account").annotate(
        **{
            f"n_{status}": Count("lines", filter=Q(lines__status=status))
            for status in LineStatus.values
        }
    )


def line_status_counts(lines: QuerySet) -> dict[str, int]:
    """How many of `lines` stand in each status, every status present."""
    counts = dict.fromkeys(LineStatus.values, 0)
    for status, count in lines.order_by().values_list("status").annotate(n=Count("id")):
        counts[status] = count
    return counts


def review_queue(entity_ids) -> QuerySet:
    """Every line of these entities that still waits for a person: unmatched or suggested."""
    return BankStatementLine.objects.filter(
        entity_id__in=entity_ids, status__in=OPEN_STATUSES
    ).order_by("booking_date", "statement_id", "position", "id")


def live_allocations(line_ids) -> dict[str, list[BankLineAllocation]]:
    """What each confirmed line did and still does (undone allocations left out)."""
    found: dict[str, list] = {}
    rows = (
        BankLineAllocation.objects.filter(line_id__in=line_ids, undone_at=None)
        .select_related("invoice", "payment", "refund", "customer")
        .order_by("id")
    )
    for allocation in rows:
        found.setdefault(allocation.line_id, []).append(allocation)
    return found


def advance_invoice_ids(invoice_ids) -> set[str]:
    """Which of these invoices are advance invoices (they have their own admin page)."""
    return set(
        Invoice.objects.filter(pk__in=list(invoice_ids), kind=InvoiceKind.ADVANCE).values_list(
            "pk", flat=True
        )
    )


def invoice_id_for_number(entity_id: str, number: str) -> str | None:
    """The id of the entity's invoice with this number (as typed: case and spaces forgiven)."""
    number = number.strip()
    if not number:
        return None
    return (
        Invoice.objects.filter(entity_id=entity_id, number__iexact=number)
        .values_list("pk", flat=True)
        .first()
    )


def accounts_for(entity_ids) -> QuerySet:
    return BankAccount.objects.filter(entity_id__in=entity_ids).select_related("entity")
