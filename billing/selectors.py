"""Reads of the shared kernel that several doors make."""

from billing.models import Customer

# The rows that fix a customer's currency: documents and money in it. They live in apps
# above this one, so they are reached through their reverse relations, not imported.
CUSTOMER_MONEY_RELATIONS = ("invoices", "credit_notes", "payments", "balance_transactions")


def customer_has_money_history(customer: Customer) -> bool:
    """Whether any invoice, credit note, payment or balance movement names the customer."""
    if customer._state.adding:
        return False
    return any(
        getattr(customer, relation).exists()
        for relation in CUSTOMER_MONEY_RELATIONS
        if hasattr(customer, relation)
    )
