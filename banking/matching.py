"""Suggesting what each bank line pays, ranked by evidence.

Evidence, strongest first: the remittance information names an open invoice's number or
its RF creditor reference (100); the payer's IBAN was seen on a line matched to the
customer before (40); the amount equals what the invoice has due (30); the payer's name is
the customer's, or was seen on a matched line before (20). Lines of money out are offered
against refunds paid back outside the app for the same amount.

`MatchIndex.for_lines` reads everything one statement needs in a handful of queries, sized
by the statement rather than by the entity's ledger, so 10,000 lines against 100,000 open
invoices stay quick. A suggestion is a small dict stored on the line (and shown as is by
the API and the review screen).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower

from banking.models import BankLineAllocation, BankStatementLine
from banking.references import (
    creditor_reference,
    creditor_references_in,
    invoice_number_key,
    number_keys_in,
)
from billing.models import Customer
from invoices.models import Invoice, InvoiceStatus
from payments.models import Refund, RefundStatus

PAYABLE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
SCORE = {"number": 100, "rf": 100, "iban": 40, "amount": 30, "name": 20}
MAX_SUGGESTIONS = 5
# An amount alone that equals the due of more invoices than this says nothing.
MAX_AMOUNT_ONLY = 5


@dataclass(frozen=True)
class OpenInvoice:
    id: str
    number: str
    kind: str
    customer_id: str
    customer_name: str
    currency: str
    due: Decimal  # what can still be paid: due less charges in flight
    due_date: object


def normalised_name(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class MatchIndex:
    by_number: dict
    by_rf: dict
    by_due: dict
    by_customer: dict
    customers_by_iban: dict
    customers_by_name: dict
    refunds_by_amount: dict

    @classmethod
    def for_lines(cls, entity_id: str, lines: list) -> "MatchIndex":
        money_in = [line for line in lines if line.amount > 0]
        money_out = [line for line in lines if line.amount < 0]
        numbers, ibans, names = set(), set(), set()
        for line in money_in:
            text = f"{line.creditor_reference} {line.remittance_info}"
            for key in number_keys_in(text):
                numbers.add(f"{key[0]}-{key[1]}-{key[2]:05d}")
            for reference in creditor_references_in(text):
                key = invoice_number_key(reference[4:])
                if key:
                    numbers.add(f"{key[0]}-{key[1]}-{key[2]:05d}")
            if line.counterparty_iban:
                ibans.add(line.counterparty_iban)
            if line.counterparty_name:
                names.add(normalised_name(line.counterparty_name))
        customers_by_iban = _customers_by_iban(entity_id, ibans)
        customers_by_name = _customers_by_name(entity_id, names)
        known_customers = set().union(*customers_by_iban.values(), *customers_by_name.values())
        amounts = {line.amount for line in money_in}
        invoices = _open_invoices(entity_id, numbers, amounts, known_customers)
        index = cls(
            by_number={},
            by_rf={},
            by_due=defaultdict(list),
            by_customer=defaultdict(list),
            customers_by_iban=customers_by_iban,
            customers_by_name=customers_by_name,
            refunds_by_amount=_outside_refunds(entity_id, {-line.amount for line in money_out}),
        )
        for invoice in invoices:
            key = invoice_number_key(invoice.number)
            if key:
                index.by_number[key] = invoice
            index.by_rf[creditor_reference(invoice.number)] = invoice
            index.by_due[(invoice.currency, invoice.due)].append(invoice)
            index.by_customer[invoice.customer_id].append(invoice)
        return index

    def named_invoices(self, line) -> list[OpenInvoice]:
        """The open invoices of the line's currency its remittance names, by number or RF."""
        text = f"{line.creditor_reference} {line.remittance_info}"
        found = []
        for reference in creditor_references_in(text):
            invoice = self.by_rf.get(reference)
            if invoice and invoice not in found:
                found.append(invoice)
        for key in number_keys_in(text):
            invoice = self.by_number.get(key)
            if invoice and invoice not in found:
                found.append(invoice)
        return [invoice for invoice in found if invoice.currency == line.currency]

    def certain_invoice(self, line) -> OpenInvoice | None:
        """The one open invoice a line of money in names, when it pays no more than its due:
        the only match confirmed without a person looking."""
        if line.amount <= 0:
            return None
        named = self.named_invoices(line)
        if len(named) == 1 and line.amount <= named[0].due:
            return named[0]
        return None

    def suggestions(self, line) -> list[dict]:
        if line.amount < 0:
            return self._refund_suggestions(line)
        evidence: dict[str, set] = defaultdict(set)
        invoices: dict[str, OpenInvoice] = {}
        rfs = set(creditor_references_in(f"{line.creditor_reference} {line.remittance_info}"))
        for invoice in self.named_invoices(line):
            invoices[invoice.id] = invoice
            kind = "rf" if creditor_reference(invoice.number) in rfs else "number"
            evidence[invoice.id].add(kind)
        by_iban = self.customers_by_iban.get(line.counterparty_iban, set())
        by_name = self.customers_by_name.get(normalised_name(line.counterparty_name), set())
        for customer_id in by_iban | by_name:
            for invoice in self.by_customer.get(customer_id, ()):
                if invoice.currency == line.currency:
                    invoices.setdefault(invoice.id, invoice)
        same_amount = self.by_due.get((line.currency, line.amount), [])
        if len(same_amount) <= MAX_AMOUNT_ONLY:
            for invoice in same_amount:
                invoices.setdefault(invoice.id, invoice)
        for invoice in invoices.values():
            if invoice.customer_id in by_iban:
                evidence[invoice.id].add("iban")
            if invoice.customer_id in by_name:
                evidence[invoice.id].add("name")
            if invoice.due == line.amount:
                evidence[invoice.id].add("amount")
        ranked = sorted(
            invoices.values(),
            key=lambda inv: (-sum(SCORE[e] for e in evidence[inv.id]), str(inv.due_date), inv.id),
        )[:MAX_SUGGESTIONS]
        return self._proposed([_invoice_suggestion(inv, line, evidence[inv.id]) for inv in ranked])

    @staticmethod
    def _proposed(suggestions: list[dict]) -> list[dict]:
        """Mark what a plain "confirm" does: every named invoice when their dues together fit
        the line; every open invoice of the one customer the payer is known as when their
        dues add up to the line exactly (two months paid in one transfer); else the best one
        when its evidence is clearly the best."""
        named = [s for s in suggestions if {"number", "rf"} & set(s["evidence"])]
        known = [s for s in suggestions if {"iban", "name"} & set(s["evidence"])]
        line = Decimal(suggestions[0]["line"]) if suggestions else Decimal("0")
        together = None
        if len(named) > 1 and sum(Decimal(s["due"]) for s in named) <= line:
            together = named
        elif (
            not named
            and len(known) > 1
            and len({s["customer_id"] for s in known}) == 1
            and sum(Decimal(s["due"]) for s in known) == line
        ):
            together = known
        if together:
            for suggestion in together:
                suggestion.update(amount=suggestion["due"], excess="0.00", proposed=True)
        elif suggestions and (
            len(suggestions) == 1 or suggestions[0]["score"] > suggestions[1]["score"]
        ):
            suggestions[0]["proposed"] = True
        for suggestion in suggestions:
            suggestion.pop("line")
        return suggestions

    def _refund_suggestions(self, line) -> list[dict]:
        return [
            {
                "kind": "refund",
                "refund_id": refund["id"],
                "payment_id": refund["payment_id"],
                "invoice_id": refund["payment__invoice_id"] or "",
                "invoice_number": refund["payment__invoice__number"] or "",
                "customer_id": refund["payment__customer_id"],
                "customer_name": refund["payment__customer__name"],
                "amount": str(-line.amount),
                "score": SCORE["amount"],
                "evidence": ["amount"],
                "proposed": index == 0,
            }
            for index, refund in enumerate(
                self.refunds_by_amount.get((line.currency, -line.amount), [])[:MAX_SUGGESTIONS]
            )
        ]


def _invoice_suggestion(invoice: OpenInvoice, line, evidence: set) -> dict:
    amount = min(line.amount, invoice.due)
    return {
        "kind": "invoice",
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "customer_id": invoice.customer_id,
        "customer_name": invoice.customer_name,
        "due": str(invoice.due),
        "amount": str(amount),
        "excess": str(line.amount - amount) if line.amount > invoice.due else "0.00",
        "score": sum(SCORE[e] for e in evidence),
        "evidence": sorted(evidence, key=lambda e: -SCORE[e]),
        "proposed": False,
        "line": str(line.amount),
    }


def _open_invoices(entity_id, numbers, amounts, customers) -> list[OpenInvoice]:
    query = Q(number__in=numbers) | Q(customer_id__in=customers)
    if amounts:
        query |= Q(total_due__in=amounts)
    rows = (
        Invoice.objects.filter(query, entity_id=entity_id, status__in=PAYABLE_STATUSES)
        .annotate(payable=F("total_due") - F("total_reserved"))
        .filter(payable__gt=0)
        .values_list(
            "id",
            "number",
            "kind",
            "customer_id",
            "customer__name",
            "currency",
            "payable",
            "due_date",
        )
    )
    return [OpenInvoice(*row) for row in rows]


def _customers_by_iban(entity_id, ibans) -> dict:
    found = defaultdict(set)
    if ibans:
        for iban, customer_id in (
            BankLineAllocation.objects.filter(
                undone_at=None, line__entity_id=entity_id, line__counterparty_iban__in=ibans
            )
            .values_list("line__counterparty_iban", "customer_id")
            .distinct()
        ):
            found[iban].add(customer_id)
    return found


def _customers_by_name(entity_id, names) -> dict:
    found = defaultdict(set)
    if not names:
        return found
    for name, customer_id in (
        Customer.objects.filter(entity_id=entity_id)
        .annotate(lowered=Lower("name"))
        .filter(lowered__in=names)
        .values_list("lowered", "id")
    ):
        found[normalised_name(name)].add(customer_id)
    seen = (
        BankStatementLine.objects.filter(
            entity_id=entity_id, allocations__undone_at=None, allocations__kind="payment"
        )
        .annotate(lowered=Lower("counterparty_name"))
        .filter(lowered__in=names)
        .values_list("lowered", "allocations__customer_id")
        .distinct()
    )
    for name, customer_id in seen:
        if customer_id:
            found[normalised_name(name)].add(customer_id)
    return found


def _outside_refunds(entity_id, amounts) -> dict:
    """Refunds of money received outside the app (paid back outside it too) that no line
    accounts for yet, by (currency, amount)."""
    found = defaultdict(list)
    if not amounts:
        return found
    rows = (
        Refund.objects.filter(
            entity_id=entity_id,
            amount__in=amounts,
            status=RefundStatus.SUCCEEDED,
            destination="original",
            payment__gateway="",
        )
        .exclude(Exists(BankLineAllocation.objects.filter(refund=OuterRef("pk"), undone_at=None)))
        .order_by("created_at", "id")
        .values(
            "id",
            "currency",
            "amount",
            "payment_id",
            "payment__invoice_id",
            "payment__invoice__number",
            "payment__customer_id",
            "payment__customer__name",
        )
    )
    for row in rows:
        found[(row["currency"], row["amount"])].append(row)
    return found
