"""The brake on password guessing (django-axes), through HTTP on both login pages.

A username is locked out from one client address after `AXES_FAILURE_LIMIT` wrong
passwords; the right password is then refused too, with a page that says why.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ADMIN_LOGIN = "/admin/login/"
PORTAL_LOGIN = "/portal/login/"
LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def _fast_hashing_and_plain_static_files(settings):
    """Dozens of sign-ins per test: a fast hasher keeps them quick (the counting is the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def staff_user():
    return UserFactory(username="ada", is_staff=True)


@pytest.fixture
def member():
    user = UserFactory(username="lena")
    CustomerFactory(user=user)
    return user


def sign_in(client, url, username, password, address="203.0.113.7", **headers):
    return client.post(
        url,
        {"username": username, "password": password, "next": ""},
        REMOTE_ADDR=address,
        headers=headers,
    )


def guess(client, url, username, times=None, **kwargs):
    for _ in range(settings.AXES_FAILURE_LIMIT if times is None else times):
        response = sign_in(client, url, username, "wrong guess", **kwargs)
    return response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_configured_limit_is_what_the_readme_says():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_admin_wrong_passwords_then_the_right_one_is_refused(client, staff_user):
    last_guess = guess(client, ADMIN_LOGIN, "ada")

    response = sign_in(client, ADMIN_LOGIN, "ada", PASSWORD)

    assert last_guess.status_code == 429
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "15 minutes" in page
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still asked to sign in


def test_admin_fewer_wrong_passwords_still_let_the_owner_in(client, staff_user):
    guess(client, ADMIN_LOGIN, "ada", times=settings.AXES_FAILURE_LIMIT - 1)

    response = sign_in(client, ADMIN_LOGIN, "ada", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_portal_wrong_passwords_then_the_right_one_is_refused(client, member):
    guess(client, PORTAL_LOGIN, "lena")

    response = sign_in(client, PORTAL_LOGIN, "lena", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "Sign-in locked" in page
    assert 'href="/portal/password-reset/"' in page
    assert not signed_in(client)


def test_another_account_from_the_same_address_still_signs_in(client, staff_user, member):
    guess(client, ADMIN_LOGIN, "ada")

    response = sign_in(client, PORTAL_LOGIN, "lena", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_account_from_another_address_still_signs_in(client, staff_user):
    guess(client, ADMIN_LOGIN, "ada", address="203.0.113.7")

    response = sign_in(client, ADMIN_LOGIN, "ada", PASSWORD, address="198.51.100.20")

    assert response.status_code == 302
    assert signed_in(client)


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, staff_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, ADMIN_LOGIN, "ada", "wrong", **{"X-Forwarded-For": f"192.0.2.{n}"})

    response = sign_in(client, ADMIN_LOGIN, "ada", PASSWORD, **{"X-Forwarded-For": "192.0.2.99"})

    assert response.status_code == 429
    assert not signed_in(client)


def test_behind_a_trusted_proxy_the_client_address_comes_from_its_header(
    client, staff_user, settings
):
    settings.SETTLE_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The client's own X-Forwarded-For entry (left) is not trusted; the proxy's is.
        sign_in(
            client,
            ADMIN_LOGIN,
            "ada",
            "wrong",
            address=proxy,
            **{"X-Forwarded-For": "1.2.3.4, 203.0.113.7"},
        )

    locked = sign_in(
        client, ADMIN_LOGIN, "ada", PASSWORD, address=proxy, **{"X-Forwarded-For": "203.0.113.7"}
    )
    other_client = sign_in(
        client, ADMIN_LOGIN, "ada", PASSWORD, address=proxy, **{"X-Forwarded-For": "198.51.100.1"}
    )

    assert locked.status_code == 429
    assert other_client.status_code == 302


def test_an_admin_unlocks_the_account_from_the_admin(client, staff_user):
    from axes.models import AccessAttempt

    guess(client, ADMIN_LOGIN, "ada")
    [attempt] = AccessAttempt.objects.filter(username="ada")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    sidebar = client.get("/admin/billing/customer/").content.decode()
    listed = client.get("/admin/axes/accessattempt/").content.decode()
    unlocked = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    client.logout()
    response = sign_in(client, ADMIN_LOGIN, "ada", PASSWORD)

    assert 'href="/admin/axes/accessattempt/"' in sidebar
    assert "ada" in listed
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert response.status_code == 302
    assert signed_in(client)


def test_manage_py_axes_reset_username_unlocks_the_account(client, member):
    guess(client, PORTAL_LOGIN, "lena")
    assert sign_in(client, PORTAL_LOGIN, "lena", PASSWORD).status_code == 429

    call_command("axes_reset_username", "lena", stdout=StringIO())
    response = sign_in(client, PORTAL_LOGIN, "lena", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
