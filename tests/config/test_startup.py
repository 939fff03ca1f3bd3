"""A production start fails closed: run `manage.py` (and gunicorn) in a subprocess with a
given environment and read the exit status and what it printed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.startup import startup_warnings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3y-for-the-startup-tests-only-" + "0123456789abcdefghij" * 2
STRIPE = {"STRIPE_SECRET_KEY": "sk_test_startup", "STRIPE_WEBHOOK_SECRET": "whsec_startup"}


def run(args: list[str], env: dict, tmp_path: Path, timeout: float = 60):
    """Run with only `env` (plus PATH and a throwaway SQLite): nothing leaks in from the
    suite's own environment (tests/environment.py)."""
    environment = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": "sqlite://:memory:",
        "SETTLE_VAR_DIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout
    )


def manage(env: dict, tmp_path: Path, *args: str):
    return run([sys.executable, "manage.py", *(args or ("check",))], env, tmp_path)


def assert_refused(result, message: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr == f"Settle refuses to start: {message}\n"


def test_without_a_secret_key_a_production_start_refuses(tmp_path):
    result = manage({"SETTLE_GATEWAY": "sandbox"}, tmp_path)

    assert_refused(
        result,
        "DJANGO_SECRET_KEY is not set (required when DJANGO_DEBUG is off); set it to a long "
        "random value, the same on every web node.",
    )


def test_without_stripe_keys_or_a_gateway_choice_a_production_start_refuses(tmp_path):
    result = manage({"DJANGO_SECRET_KEY": SECRET}, tmp_path)

    assert_refused(
        result,
        "no payment gateway chosen; set STRIPE_SECRET_KEY (and STRIPE_WEBHOOK_SECRET) to charge "
        "through Stripe, or SETTLE_GATEWAY=sandbox for a demo that charges nobody.",
    )


def test_an_unknown_gateway_is_refused(tmp_path):
    result = manage({"DJANGO_SECRET_KEY": SECRET, "SETTLE_GATEWAY": "paypal"}, tmp_path)

    assert_refused(result, "SETTLE_GATEWAY must be 'stripe' or 'sandbox', not 'paypal'.")


def test_choosing_stripe_without_its_key_is_refused(tmp_path):
    result = manage({"DJANGO_SECRET_KEY": SECRET, "SETTLE_GATEWAY": "stripe"}, tmp_path)

    assert_refused(result, "SETTLE_GATEWAY is 'stripe' but STRIPE_SECRET_KEY is not set.")


GATEWAY = [
    "shell",
    "--no-imports",
    "-c",
    "from django.conf import settings; print(settings.SETTLE_DEFAULT_GATEWAY)",
]


@pytest.mark.parametrize(
    ("env", "gateway"),
    [
        ({"DJANGO_SECRET_KEY": SECRET, "SETTLE_GATEWAY": "sandbox"}, "sandbox"),
        ({"DJANGO_SECRET_KEY": SECRET, **STRIPE}, "stripe"),
        ({"DJANGO_SECRET_KEY": SECRET, "SETTLE_GATEWAY": "sandbox", **STRIPE}, "sandbox"),
        ({"DJANGO_DEBUG": "1"}, "sandbox"),  # development: no key, no choice needed
    ],
)
def test_the_gateway_is_the_one_chosen(tmp_path, env, gateway):
    result = manage(env, tmp_path, *GATEWAY)

    assert (result.returncode, result.stdout) == (0, f"{gateway}\n"), result.stderr


@pytest.mark.parametrize("gateway", [STRIPE, {"SETTLE_GATEWAY": "sandbox"}])
def test_the_deploy_check_passes_with_only_a_secret_key_and_a_gateway(tmp_path, gateway):
    result = manage(
        {"DJANGO_SECRET_KEY": SECRET, **gateway},
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # Silenced: the HSTS preload hint, and SQLite's note on covering indexes (once per index).
    assert re.fullmatch(r"System check identified no issues \(\d+ silenced\)\.\n", result.stdout)


def test_allow_http_makes_the_deploy_check_fail(tmp_path):
    """SETTLE_ALLOW_HTTP is for a local run: the deploy check says what it turned off."""
    result = manage(
        {"DJANGO_SECRET_KEY": SECRET, "SETTLE_GATEWAY": "sandbox", "SETTLE_ALLOW_HTTP": "1"},
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_gunicorn_refuses_once_in_the_master_and_stops(tmp_path):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = run(
        [gunicorn, "-c", "config/gunicorn.conf.py", "--bind", "127.0.0.1:0", "--workers", "2"],
        {"SETTLE_GATEWAY": "sandbox"},
        tmp_path,
    )

    assert result.returncode == 1
    assert result.stderr.count("Settle refuses to start: DJANGO_SECRET_KEY is not set") == 1
    assert "Booting worker" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_production_start_warns_about_plain_http_per_process_limits_and_the_sandbox(settings):
    settings.DEBUG = False
    settings.SETTLE_ALLOW_HTTP = True
    settings.SETTLE_SHARED_CACHE_MISSING = True
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.SETTLE_DEFAULT_GATEWAY = "sandbox"

    warnings = startup_warnings(settings)

    assert [warning.split(":")[0] for warning in warnings] == [
        "SETTLE_ALLOW_HTTP is on",
        "SETTLE_REDIS_URL is not set",
        "SETTLE_WEBHOOKS_ALLOW_PRIVATE is on",
        "The sandbox gateway is active (SETTLE_GATEWAY=sandbox)",
    ]


def test_a_start_that_sets_a_retired_retention_is_told_which_setting_replaced_it(settings):
    settings.SETTLE_RETIRED_SETTINGS = ["SETTLE_RETENTION_FORM_TOKENS_DAYS"]
    settings.SETTLE_RETENTION_IDEMPOTENCY_HOURS = 48.0

    assert (
        "SETTLE_RETENTION_FORM_TOKENS_DAYS is no longer read: SETTLE_RETENTION_IDEMPOTENCY_HOURS "
        "(48) keeps the one-time keys of the API, the back office and the portal alike."
    ) in startup_warnings(settings)


def test_a_production_start_with_redis_https_and_stripe_warns_about_nothing(settings):
    settings.DEBUG = False
    settings.SETTLE_ALLOW_HTTP = False
    settings.SETTLE_SHARED_CACHE_MISSING = False
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = False
    settings.SETTLE_DEFAULT_GATEWAY = "stripe"

    assert startup_warnings(settings) == []
