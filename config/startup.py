"""What Settle checks before it serves: refusals that stop a start, and warnings to log.

Settings call `refuse()` when a production start would be unsafe. It raises
`StartupRefused`, a `SystemExit`, so the process ends with one line on stderr and exit
status 1 instead of a traceback (`manage.py`, `db_worker`, gunicorn's master).
"""

import logging
import sys

logger = logging.getLogger("settle.startup")

# Gunicorn halts (instead of respawning forever) when a worker exits with this status.
WORKER_BOOT_ERROR = 3


class StartupRefused(SystemExit):
    """A setting makes this start unsafe; the message says which and how to fix it."""


def refuse(reason: str) -> None:
    raise StartupRefused(f"Settle refuses to start: {reason}")


def exit_refused_worker(refusal: StartupRefused) -> None:
    """End a WSGI worker that can never serve, so that its server stops instead of looping."""
    print(refusal.code, file=sys.stderr, flush=True)
    raise SystemExit(WORKER_BOOT_ERROR) from None


def startup_warnings(settings) -> list[str]:
    """What an operator must know about this configuration (logged when the web app loads)."""
    warnings = []
    if getattr(settings, "SETTLE_ALLOW_HTTP", False) and not settings.DEBUG:
        warnings.append(
            "SETTLE_ALLOW_HTTP is on: HTTPS redirect, HSTS and Secure cookies are OFF. "
            "Use it only for a local plain-HTTP run, never on a public address."
        )
    if getattr(settings, "SETTLE_SHARED_CACHE_MISSING", False):
        warnings.append(
            "SETTLE_REDIS_URL is not set: API rate limits and caches are PER PROCESS, so "
            "each web process (and each node) allows the full rate. Set SETTLE_REDIS_URL "
            "when more than one process serves."
        )
    for name in getattr(settings, "SETTLE_RETIRED_SETTINGS", []):
        warnings.append(
            f"{name} is no longer read: SETTLE_RETENTION_IDEMPOTENCY_HOURS "
            f"({settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS:g}) keeps the one-time keys of "
            "the API, the back office and the portal alike."
        )
    if getattr(settings, "SETTLE_WEBHOOKS_ALLOW_PRIVATE", False) and not settings.DEBUG:
        warnings.append(
            "SETTLE_WEBHOOKS_ALLOW_PRIVATE is on: webhook endpoints may be plain HTTP and "
            "reach this machine and its private network. Use it only for local development."
        )
    if settings.SETTLE_DEFAULT_GATEWAY == "sandbox" and not settings.DEBUG:
        warnings.append(
            "The sandbox gateway is active (SETTLE_GATEWAY=sandbox): no real card is charged."
        )
    return warnings


def log_startup_warnings() -> None:
    from django.conf import settings

    for warning in startup_warnings(settings):
        logger.warning(warning)
