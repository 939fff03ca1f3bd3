"""The environment the test suite runs in, set before Django reads its settings.

Loaded as a pytest plugin (`-p tests.environment` in pyproject.toml), so that a plain
`pytest` and `make test` agree. The suite runs with DEBUG off, as production does, and
so must make the choices a production start refuses to guess: a secret key, the sandbox
gateway, and plain HTTP (Django's test client and the live servers speak HTTP; the
browser tests turn the Secure cookies back on, see tests/browser/conftest.py).
Values already in the environment win.
"""

import os

TEST_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "settle-tests-only-not-a-secret-" + "x" * 40,
    "SETTLE_GATEWAY": "sandbox",
    "SETTLE_ALLOW_HTTP": "1",
    # pytest-django swaps in its outbox; the live servers the suite starts print instead.
    "SETTLE_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
}

for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)
