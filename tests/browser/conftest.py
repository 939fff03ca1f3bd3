"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's
live server. Chromium comes from the system (`SETTLE_CHROMIUM`, default /usr/bin/chromium);
Playwright's own browser download is never used."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from billing.models import EntityMembership
from tests.factories import CustomerFactory, EntityFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
SETTLE_APPS = ["billing", "invoices", "payments"]

# Reports every Content Security Policy violation of a page to the console, where
# `watch_csp` collects it. Playwright injects it through DevTools, so the policy allows it.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked `
    + `${event.blockedURI || "inline code"} in ${event.sourceFile || event.documentURI}`
    + `:${event.lineNumber}`);
});
"""


def watch_csp(context) -> list[str]:
    """Collect the CSP violations (and Chromium's own CSP console errors) of every page the
    browser context opens; the fixtures fail a test that caused any."""
    violations = []
    context.add_init_script(CSP_REPORTER)

    def on_console(message):
        if "CSP violation" in message.text or "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url')}: {message.text}")

    context.on("console", on_console)
    return violations


@pytest.fixture(autouse=True)
def production_cookies(settings):
    """The suite runs with SETTLE_ALLOW_HTTP (tests/environment.py); the pages in Chromium
    run with production's Secure session and CSRF cookies, which Chromium keeps on
    http://localhost as on HTTPS. The CSP and the other headers are on already (DEBUG off)."""
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (modules that start their own Playwright can follow)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, "
            "or point SETTLE_CHROMIUM at it).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def office(live_server):
    """An office manager: staff, member of one entity, with every Settle permission."""
    entity = EntityFactory(name="Harbour Coworking")
    user = UserFactory(username="office", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=SETTLE_APPS))
    EntityMembership.objects.create(entity=entity, user=user)
    return user, entity


@pytest.fixture
def customer(office):
    _user, entity = office
    return CustomerFactory(entity=entity, name="Northwind Studio", email="ap@northwind.example")


@pytest.fixture
def page(browser, live_server, office):
    """A signed-in browser page for the office manager."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/admin/login/")
    tab.fill("#id_username", office[0].username)
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url(f"{live_server.url}/admin/")
    yield tab
    context.close()
    assert violations == [], "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def lena(live_server):
    """A member: a user linked to a customer, who signs in to the portal."""
    entity = EntityFactory(name="Harbour Coworking")
    user = UserFactory(username="lena", first_name="Lena", last_name="Fischer")
    return CustomerFactory(entity=entity, name="Lena Fischer", user=user)


@pytest.fixture
def portal(browser, live_server, lena):
    """A browser tab signed in to the portal as the member, through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/portal/login/")
    screenshot(tab, "portal_login")
    tab.fill("#id_username", "lena")
    tab.fill("#id_password", PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{live_server.url}/portal/")
    yield tab
    context.close()
    assert violations == [], "Content Security Policy violations:\n" + "\n".join(violations)


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
