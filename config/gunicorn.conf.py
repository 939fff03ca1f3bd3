"""Gunicorn for Settle in production: `gunicorn -c config/gunicorn.conf.py`.

Threaded workers, because a request may wait on Stripe (up to STRIPE_TIMEOUT_SECONDS per
call, and a portal payment can make three calls); the timeouts sit above that, so neither a
slow Stripe answer nor a deploy's graceful stop kills a charge half-way (a charge killed
anyway is repaired by the reconcile task, but is not a thing to provoke). Every value can
be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("SETTLE_BIND", "0.0.0.0:8000")

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
# Keep SETTLE_DB_POOL_MAX at least this high: each thread may hold a connection.
threads = int(os.environ.get("SETTLE_WEB_THREADS", "4"))

_stripe_timeout = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
# Above the longest request: three Stripe calls back to back, plus the database's share.
timeout = int(3 * _stripe_timeout + 15)
graceful_timeout = timeout
# Longer than the load balancer's idle timeout (60 s on most), so that it, not gunicorn,
# closes idle connections and never sends a request down a socket being closed.
keepalive = 75
# Recycle workers now and then, staggered, so slow leaks never pile up.
max_requests = 5000
max_requests_jitter = 500

# No access log: the app logs one line per request itself, with its request id and
# latency (config.request_log), in the configured format.
accesslog = None
errorlog = "-"


def on_starting(server):
    """Load the settings once in the master: an unsafe configuration refuses with its one
    line before any worker forks, instead of every worker failing in turn."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    settings.SECRET_KEY  # noqa: B018 - importing the settings is the check
