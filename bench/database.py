"""The benchmark databases: created when missing, so a first run needs no manual step."""

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def prepare_database(url: str, *, fresh: bool = False) -> None:
    """Create the database `url` names if it does not exist; `fresh` drops it first.

    The write benchmark starts from an empty database each time, so a run's figures
    do not depend on how many payments earlier runs left on its invoices.
    """
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"The benchmarks need PostgreSQL, not {parts.scheme or url!r}")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if fresh:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
