"""Fixtures of the portal's browser tests: Debian's Chromium through Playwright, and a member
signed in through the portal's login form (import the names into a test module)."""

import os
from pathlib import Path

import pytest

from tests.factories import CustomerFactory, EntityFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the thread

CHROMIUM = os.environ.get("SETTLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (set SETTLE_CHROMIUM).", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def lena(live_server):
    entity = EntityFactory(name="Harbour Coworking")
    user = UserFactory(username="lena", first_name="Lena", last_name="Fischer")
    customer = CustomerFactory(entity=entity, name="Lena Fischer", user=user)
    return customer


@pytest.fixture
def portal(chromium, live_server, lena):
    """A browser tab signed in to the portal as the member, through the login form."""
    context = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/portal/login/")
    screenshot(tab, "portal_login")
    tab.fill("#id_username", "lena")
    tab.fill("#id_password", PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{live_server.url}/portal/")
    yield tab
    context.close()


def screenshot(tab, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
