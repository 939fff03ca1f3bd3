"""The lockout pages in Chromium: after too many wrong passwords, the right one is refused
with a page that says why, on the portal (desktop and phone) and in the admin."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser


def sign_in(tab, password):
    tab.fill("#id_username", tab.username)
    tab.fill("#id_password", password)
    tab.locator("button[type=submit], input[type=submit]").first.click()


@pytest.mark.parametrize("width,height", [(1280, 860), (390, 844)])
def test_portal_sign_in_is_locked_after_wrong_passwords(browser, live_server, lena, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    tab = context.new_page()
    tab.username = "lena"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        tab.goto(f"{live_server.url}/portal/login/")
        sign_in(tab, "not my password")
        expect(tab.get_by_role("alert")).to_contain_text("correct username and password")

    tab.goto(f"{live_server.url}/portal/login/")
    sign_in(tab, "not my password")
    expect(tab.locator("h1")).to_have_text("Sign-in locked")
    tab.goto(f"{live_server.url}/portal/login/")
    sign_in(tab, PASSWORD)

    expect(tab.locator("h1")).to_have_text("Sign-in locked")
    expect(tab.get_by_role("alert")).to_contain_text(
        "Too many failed sign-in attempts for “lena” from your address."
    )
    expect(tab.get_by_role("link", name="Forgot your password?")).to_be_visible()
    screenshot(tab, f"portal_login_locked_{width}")
    context.close()


def test_admin_sign_in_is_locked_after_wrong_passwords(browser, live_server, office):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.username = office[0].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        tab.goto(f"{live_server.url}/admin/login/")
        sign_in(tab, "not my password")
    tab.goto(f"{live_server.url}/admin/login/")
    sign_in(tab, PASSWORD)

    expect(tab.locator(".errornote")).to_contain_text(
        "Signing in to this account from here is locked for 15 minutes."
    )
    assert tab.url == f"{live_server.url}/admin/login/"
    screenshot(tab, "admin_login_locked")
    context.close()
