"""An operator revokes a leaked API key from its page in the back office (Chromium)."""

import pytest
from playwright.sync_api import expect

from billing.services import api_key_create
from tests.api_client import ApiClient
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_an_operator_revokes_a_leaked_key_from_its_page(page, live_server, office):
    _user, entity = office
    key, raw = api_key_create(name="Accounting sync", entities=[entity])
    page.goto(f"{live_server.url}/admin/billing/apikey/")
    page.get_by_role("link", name="Accounting sync").click()
    page.get_by_role("link", name="Revoke key").click()
    expect(page.locator("h1")).to_have_text("Revoke API key")
    page.fill("#id_reason", "Leaked in a public repository")
    screenshot(page, "api_key_revoke")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "api_key_revoke_phone")
    page.set_viewport_size({"width": 1360, "height": 900})

    page.get_by_role("button", name="Revoke key").click()

    expect(page.locator(".messagelist")).to_contain_text("Revoked 1 API key: Accounting sync")
    expect(page.get_by_role("link", name="Revoke key")).to_have_count(0)
    screenshot(page, "api_key_revoked")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert ApiClient(raw).get("payments").status == 401


def test_an_operator_creates_a_restricted_key_and_rolls_it(page, live_server, office):
    _user, _entity = office
    page.goto(f"{live_server.url}/admin/billing/apikey/")
    page.get_by_role("link", name="Add API key").click()
    page.fill("#id_name", "Accounting sync")
    page.locator("tr.field-scope_payments input[value='read']").check()
    page.locator("tr.field-scope_invoices input[value='write']").check()
    screenshot(page, "api_key_create")

    page.get_by_role("button", name="Create key").click()

    secret = page.locator("#api-key-secret").input_value()
    assert secret.startswith("sk_settle_")
    expect(page.locator(".settle-key-facts")).to_contain_text("payments:read, invoices:write")
    screenshot(page, "api_key_created")
    assert ApiClient(secret).get("payments").status == 200
    assert ApiClient(secret).get("refunds").status == 403

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Roll key").click()
    page.get_by_label("1 hour").check()
    page.get_by_role("button", name="Roll key").click()

    rolled = page.locator("#api-key-secret").input_value()
    assert rolled != secret
    expect(page.locator(".settle-key-facts")).to_contain_text("works until")
    assert ApiClient(secret).get("payments").status == 200  # in its grace
    assert ApiClient(rolled).get("payments").status == 200
