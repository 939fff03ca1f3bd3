"""Row locks in one global order, so concurrent money operations never deadlock.

Order: invoices, then advance invoices, then credit notes, then customers,
then payments (by id within a kind). Every service that moves money calls
`lock_rows` once, at the start of its transaction, with everything it will
touch; the rows come back freshly read.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction

from billing.errors import Conflict

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


def session_lock_timeout_option(milliseconds: int) -> str:
    """The libpq `options` that give every connection this lock timeout (see config.settings)."""
    return f"-c lock_timeout={int(milliseconds)}"


def lock_timeout() -> None:
    """Bound how long we wait for a row lock (PostgreSQL), so a stuck writer cannot pile up.

    Connections are opened with the configured timeout already set (one statement
    fewer per operation); only a different value, as tests use, or a connection opened
    without it (behind PgBouncer in transaction mode, `SETTLE_DB_PGBOUNCER`, which refuses
    startup options) needs a SET LOCAL, which ends with the transaction.
    """
    if connection.vendor != "postgresql":
        return
    wanted = session_lock_timeout_option(settings.SETTLE_LOCK_TIMEOUT_MS)
    if wanted in connection.settings_dict.get("OPTIONS", {}).get("options", ""):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(settings.SETTLE_LOCK_TIMEOUT_MS)}")


def lock_rows(*groups):
    """Lock `(model, ids)` groups in the order given and return `{id: row}` per group.

    Callers pass groups in the global order above; ids inside a group are sorted
    here. Must run inside `transaction.atomic()`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic()")
    results = []
    for model, ids in groups:
        wanted = sorted({i for i in ids if i})
        rows = (
            model._base_manager.raw(_locking_select(model, len(wanted)), wanted) if wanted else ()
        )
        results.append({row.pk: row for row in rows})
    return results


def _locking_select(model, count: int) -> str:
    """`SELECT * … FOR UPDATE` by primary keys, in key order.

    Written out rather than built by the ORM: every money operation locks its rows,
    and compiling the equivalent queryset cost twice the CPU of running it.
    """
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * count)
    pk = quote(model._meta.pk.column)
    sql = (
        f"SELECT * FROM {quote(model._meta.db_table)} WHERE {pk} IN ({placeholders}) ORDER BY {pk}"
    )
    return f"{sql} FOR UPDATE" if connection.features.has_select_for_update else sql


@contextmanager
def money_transaction(*, savepoint: bool = True):
    """`transaction.atomic()` with a bounded lock wait: the frame of every money service.

    A wait that runs out is someone else's long write on the same rows: after the
    rollback it surfaces as `Conflict` (safe to retry), not as a database error.
    """
    try:
        with transaction.atomic(savepoint=savepoint):
            lock_timeout()
            yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise Conflict(
            "These documents are being changed by another operation; try again in a moment."
        ) from error
