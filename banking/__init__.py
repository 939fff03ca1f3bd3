"""Bank statements: import (CAMT.053, MT940, CSV), matching lines to invoices, reconciliation.

Sits above `payments` in the domain: a confirmed line becomes `bank_transfer` payments
recorded through the same service as every other payment.
"""
