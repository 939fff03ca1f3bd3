"""Domain signals of money moving, sent by the service that moved it.

The design card keeps paid totals with signals. A service that changed what a payment
settles or reserves sends one inside its transaction, with the rows it holds locked;
the receivers (`payments.receivers`) recompute exactly those rows: nothing is locked or
read twice, and the rows the service returns are the ones brought up to date. A change
that cannot move a total (a note, a dispute flag, a refund still pending or failed)
sends nothing.
"""

from django.dispatch import Signal

# A payment's settled or reserved money changed: recorded, charged, settled, re-amounted
# or deleted. Arguments: `payment`, and `documents`, the `LockedDocuments` holding its
# documents, locked and freshly read by the sender.
payment_money_changed = Signal()

# A refund of a payment succeeded. Arguments: `refund`, `payment` and `documents`, the
# payment and its documents locked and freshly read by the sender.
payment_refunded = Signal()
