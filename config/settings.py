"""Settle settings, read from the environment (see README "Configuration").

SQLite under var/ is the embedded default so `make run` needs no server;
PostgreSQL (DATABASE_URL=postgres://...) is the production database.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from config.log_config import logging_config
from config.startup import refuse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SETTLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# --- Production start: the secret key (fails closed) ------------------------------------
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        refuse(
            "DJANGO_SECRET_KEY is not set (required when DJANGO_DEBUG is off); set it to a "
            "long random value, the same on every web node."
        )
    SECRET_KEY = "insecure-development-key-change-me"
# --- end: the secret key ----------------------------------------------------------------
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "billing",
    "invoices",
    "payments",
    "banking",
    "webhooks",
    "api",
    "backoffice",
    "portal",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",  # /healthz, /readyz: before host checks and redirects
    # Logs: one line per request with its id and latency (see "Logs" below); after the
    # health checks, so load balancers' probes do not flood the log.
    "config.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Money and dates are written one way everywhere: `|money`, `|day`, `|moment`.
            "builtins": ["billing.templatetags.settle_format"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# How long a row lock may be waited for before the operation fails cleanly (PostgreSQL).
SETTLE_LOCK_TIMEOUT_MS = int(os.environ.get("SETTLE_LOCK_TIMEOUT_MS", "10000"))


def database_config(url: str) -> dict:
    """One place that turns a URL into Django's DATABASES entry, with our per-engine options."""
    config = dj_database_url.parse(url)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        # WAL lets readers run beside the single writer; IMMEDIATE makes every
        # transaction take the write lock up front, so writers serialise instead
        # of failing with "database is locked" on upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif "postgresql" in engine:
        config["CONN_MAX_AGE"] = 0  # the pool owns connection reuse
        config["OPTIONS"] = {
            "pool": {
                "min_size": int(os.environ.get("SETTLE_DB_POOL_MIN", "1")),
                "max_size": int(os.environ.get("SETTLE_DB_POOL_MAX", "10")),
                "timeout": 10,
            },
        }
        if env_bool("SETTLE_DB_POOL_DISABLED"):
            config["OPTIONS"] = {}
        # --- PgBouncer in transaction mode ---------------------------------------------------
        # It refuses startup options and lends the server connection to other clients between
        # transactions. So the lock timeout is set with SET LOCAL at the start of each money
        # transaction (billing.locking.lock_timeout), and no cursor may outlive a transaction.
        if env_bool("SETTLE_DB_PGBOUNCER"):
            config["DISABLE_SERVER_SIDE_CURSORS"] = True
        else:
            # Every session waits at most this long for a row lock (billing.locking).
            config["OPTIONS"]["options"] = f"-c lock_timeout={SETTLE_LOCK_TIMEOUT_MS}"
        # --- end: PgBouncer ------------------------------------------------------------------
    return config


VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'settle.sqlite3'}")
DATABASES = {"default": database_config(DATABASE_URL)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Customers read their e-mails and documents in one of these (`locale/`); the pages are English.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's own date output (the admin's read-only fields) as Settle writes dates: 21 Nov 2026.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("SETTLE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or env_bool("SETTLE_SIMPLE_STATIC"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG

LOGIN_URL = "admin:login"

# The brake on password guessing (django-axes), on the admin and portal logins alike:
# a username is locked out from one client address after SETTLE_LOGIN_FAILURE_LIMIT
# wrong passwords, for SETTLE_LOGIN_COOLOFF_MINUTES (0: until an administrator unlocks
# it). The address is REMOTE_ADDR unless SETTLE_TRUSTED_PROXY_COUNT proxies are trusted.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("SETTLE_LOGIN_FAILURE_LIMIT", "5"))
_cool_off_minutes = float(os.environ.get("SETTLE_LOGIN_COOLOFF_MINUTES", "15"))
AXES_COOLOFF_TIME = timedelta(minutes=_cool_off_minutes) if _cool_off_minutes > 0 else None
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.login_lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "config.login_lockout.lockout_response"
SETTLE_TRUSTED_PROXY_COUNT = int(os.environ.get("SETTLE_TRUSTED_PROXY_COUNT", "0"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.framework.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.framework.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["api.framework.renderers.DecimalJSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["api.framework.throttling.ApiKeyRateThrottle"],
    "EXCEPTION_HANDLER": "api.framework.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SETTLE_API_RATE = os.environ.get("SETTLE_API_RATE", "100/s")

SPECTACULAR_SETTINGS = {
    "TITLE": "Settle API",
    "DESCRIPTION": (
        "Record, charge and refund invoice payments; issue credit notes; keep customers' "
        "money balances. Authenticate with `Authorization: Bearer <api key>`; choose the "
        "entity with `x-entity-id`. Amounts are exact JSON numbers in the document's currency."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PaymentTypeEnum": "payments.models.PaymentType",
        "ExternalPaymentTypeEnum": "payments.models.EXTERNAL_TYPES",
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "RefundStatusEnum": "payments.models.RefundStatus",
        "RefundDestinationEnum": "payments.models.RefundDestination",
        "InvoiceStatusEnum": "invoices.models.InvoiceStatus",
        "AllocationTypeEnum": "payments.services.crediting.ALLOCATION_TYPES",
        "BalanceTransactionKindEnum": "billing.models.BalanceTransaction.Kind",
    },
}

# --- Shared cache: several web nodes behave as one ---------------------------------------
# Rate limits and caches (all built on Django's cache) live in Redis when SETTLE_REDIS_URL is
# set; without it each process counts alone, which a production start logs loudly
# (config.startup).
SETTLE_REDIS_URL = os.environ.get("SETTLE_REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SETTLE_REDIS_URL,
        # A cache that does not answer must not hang a request: fail fast.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if SETTLE_REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
SETTLE_SHARED_CACHE_MISSING = not DEBUG and not SETTLE_REDIS_URL
# --- end: shared cache ------------------------------------------------------------------

# --- Production security: HTTPS, cookies, headers, Content Security Policy ---------------
# On by default whenever DEBUG is off. SETTLE_ALLOW_HTTP=1 turns off only the HTTPS-only
# parts (redirect, HSTS, Secure cookies) for a local plain-HTTP run, and the start logs it.
SETTLE_ALLOW_HTTP = env_bool("SETTLE_ALLOW_HTTP")
HTTPS_ONLY = not DEBUG and not SETTLE_ALLOW_HTTP
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SETTLE_HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SETTLE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SETTLE_HSTS_PRELOAD", False)
# Covering indexes (INCLUDE) serve the back office's long lists on PostgreSQL; SQLite, the
# demo's database, builds them without the extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if not SECURE_HSTS_PRELOAD:
    # Preloading is a commitment to browsers' lists that only the domain's owner can make.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# The TLS-terminating proxy's header that says the client spoke HTTPS (empty: no proxy).
# The proxy must set it on every request, overwriting whatever the client sent.
SETTLE_PROXY_SSL_HEADER = os.environ.get("SETTLE_PROXY_SSL_HEADER", "X-Forwarded-Proto").strip()
if SETTLE_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + SETTLE_PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's Content Security Policy: scripts and styles only from our own static files, no
# inline script, style or event handler anywhere in the admin or the portal. `form-action`
# is left open on purpose: paying sends the browser on to Stripe Checkout and the card's
# 3-D Secure page, whose hosts are the bank's.
SECURE_CSP = (
    {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "font-src": [CSP.SELF],
        "connect-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
    }
    if not DEBUG
    else {}
)
# --- end: production security -----------------------------------------------------------

# Background work: Django's task framework on a database-backed queue
# (`manage.py db_worker`). Tests swap in the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SETTLE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- E-mail: printed in development, sent over SMTP in production -----------------------
SETTLE_EMAIL_BACKEND = os.environ.get(
    "SETTLE_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": SETTLE_EMAIL_BACKEND}}
if SETTLE_EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("SETTLE_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("SETTLE_EMAIL_PORT", "25")),
        "username": os.environ.get("SETTLE_EMAIL_USER", ""),
        "password": os.environ.get("SETTLE_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("SETTLE_EMAIL_STARTTLS"),
        "timeout": 10,  # a mail server that hangs must not hold a worker for ever
    }
# A provider's API through django-anymail: SETTLE_EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# and its settings as JSON, e.g. SETTLE_ANYMAIL='{"POSTMARK_SERVER_TOKEN": "..."}'.
ANYMAIL = json.loads(os.environ.get("SETTLE_ANYMAIL") or "{}")
# --- end: e-mail ------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("SETTLE_FROM_EMAIL", "billing@settle.localhost")

# Payment gateways. Without a Stripe secret key the sandbox gateway stands in.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # tests point the SDK at a local server
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
# --- Production start: the gateway is chosen on purpose (fails closed) ------------------
# `SETTLE_GATEWAY` chooses; without it, Stripe keys choose Stripe, and only DEBUG falls back
# to the sandbox. A production start with neither refuses, so it never "charges" for fun.
SETTLE_GATEWAY = os.environ.get("SETTLE_GATEWAY", "").strip().lower()
if SETTLE_GATEWAY not in {"", "sandbox", "stripe"}:
    refuse(f"SETTLE_GATEWAY must be 'stripe' or 'sandbox', not {SETTLE_GATEWAY!r}.")
if SETTLE_GATEWAY == "stripe" and not STRIPE_SECRET_KEY:
    refuse("SETTLE_GATEWAY is 'stripe' but STRIPE_SECRET_KEY is not set.")
if SETTLE_GATEWAY:
    SETTLE_DEFAULT_GATEWAY = SETTLE_GATEWAY
elif STRIPE_SECRET_KEY:
    SETTLE_DEFAULT_GATEWAY = "stripe"
elif DEBUG:
    SETTLE_DEFAULT_GATEWAY = "sandbox"
else:
    refuse(
        "no payment gateway chosen; set STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET) to "
        "charge through Stripe, or SETTLE_GATEWAY=sandbox for a demo that charges nobody."
    )
# --- end: the gateway -------------------------------------------------------------------
# Automatic retries of a failed charge: days after the failure, then after each failed retry.
SETTLE_RETRY_SCHEDULE_DAYS = [float(days) for days in env_list("SETTLE_RETRY_SCHEDULE_DAYS", "3,3")]
# Where members reach Settle, for links in e-mails sent by the worker (no request to ask).
SETTLE_PUBLIC_URL = os.environ.get("SETTLE_PUBLIC_URL", "http://127.0.0.1:8000")
# A charge left waiting for the card holder's authentication is canceled after this long.
SETTLE_AUTHENTICATION_TTL_HOURS = float(os.environ.get("SETTLE_AUTHENTICATION_TTL_HOURS", "24"))

# --- Periodic work and retention (README "Worker", "Configuration") ------------------------
# `manage.py run_scheduler` queues the periodic jobs (each app's schedule.py); the workers run
# them. Rows older than these are pruned (claims still in progress and unprocessed webhook
# events are kept; see billing/retention.py).
# Every door's one-time keys: API Idempotency-Keys, admin and portal form tokens.
SETTLE_RETENTION_IDEMPOTENCY_HOURS = float(
    os.environ.get("SETTLE_RETENTION_IDEMPOTENCY_HOURS", "48")
)
if SETTLE_RETENTION_IDEMPOTENCY_HOURS < 24:
    raise RuntimeError("SETTLE_RETENTION_IDEMPOTENCY_HOURS must be 24 or more (API contract)")
# Retired: SETTLE_RETENTION_IDEMPOTENCY_HOURS covers them; a start that still sets them is warned.
SETTLE_RETIRED_SETTINGS = [
    name
    for name in ("SETTLE_RETENTION_FORM_TOKENS_DAYS", "SETTLE_RETENTION_PORTAL_SUBMISSIONS_DAYS")
    if name in os.environ
]
SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS = float(
    os.environ.get("SETTLE_RETENTION_WEBHOOK_EVENTS_DAYS", "30")
)
# Outbound webhooks may reach private, loopback and plain-HTTP URLs: local development and
# tests only. Off, an endpoint must be public and HTTPS, checked again at every delivery.
SETTLE_WEBHOOKS_ALLOW_PRIVATE = env_bool("SETTLE_WEBHOOKS_ALLOW_PRIVATE")
# Events (GET /api/v1/events, and what their deliveries carry) are kept this long.
SETTLE_RETENTION_EVENTS_DAYS = float(os.environ.get("SETTLE_RETENTION_EVENTS_DAYS", "30"))
SETTLE_RETENTION_TASK_RESULTS_DAYS = float(
    os.environ.get("SETTLE_RETENTION_TASK_RESULTS_DAYS", "14")
)
SETTLE_RETENTION_SIGN_IN_LOGS_DAYS = float(
    os.environ.get("SETTLE_RETENTION_SIGN_IN_LOGS_DAYS", "30")
)
# --- end of periodic work and retention ---------------------------------------------------


# --- Logs and error reporting (README "Configuration", "Logs") -----------------------------
# One line per request with its id and latency (config.request_log); JSON lines in
# production, readable text for people (`make run` sets text).
SETTLE_LOG_FORMAT = os.environ.get("SETTLE_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(
    log_format=SETTLE_LOG_FORMAT, level=os.environ.get("SETTLE_LOG_LEVEL", "INFO")
)
# The optional error reporter, only when a DSN is given (nothing personal is sent).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from config.error_reporting import error_reporter_init

    error_reporter_init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
# --- end of logs and error reporting ------------------------------------------------------
