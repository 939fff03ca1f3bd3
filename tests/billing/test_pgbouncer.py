"""Behind PgBouncer in transaction mode (`SETTLE_DB_PGBOUNCER=1`): no startup options, and
the lock timeout set with SET LOCAL inside each money transaction, gone after it, so the
server connection goes back to the pool as it came."""

import pytest
from django.db import connection

from billing.locking import money_transaction
from config.settings import database_config

URL = "postgres://settle@db.internal:6432/settle"


def test_pgbouncer_connections_carry_no_startup_options_nor_hold_cursors(monkeypatch):
    monkeypatch.setenv("SETTLE_DB_PGBOUNCER", "1")
    monkeypatch.setenv("SETTLE_DB_POOL_DISABLED", "1")

    config = database_config(URL)

    assert (config["OPTIONS"], config["DISABLE_SERVER_SIDE_CURSORS"]) == ({}, True)


def test_direct_connections_set_the_lock_timeout_at_startup(monkeypatch):
    monkeypatch.delenv("SETTLE_DB_PGBOUNCER", raising=False)
    monkeypatch.setenv("SETTLE_DB_POOL_DISABLED", "1")

    config = database_config(URL)

    assert config["OPTIONS"] == {"options": "-c lock_timeout=10000"}
    assert config.get("DISABLE_SERVER_SIDE_CURSORS", False) is False


def show_lock_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_money_transaction_sets_its_lock_timeout_locally_behind_pgbouncer(settings, monkeypatch):
    settings.SETTLE_LOCK_TIMEOUT_MS = 10000
    # A server connection as PgBouncer hands it over: no lock timeout from a startup option.
    options = {k: v for k, v in connection.settings_dict["OPTIONS"].items() if k != "options"}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
    try:
        with money_transaction():
            inside = show_lock_timeout()
        after = show_lock_timeout()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")  # back to the connection's startup value

    assert (inside, after) == ("10s", "0")
