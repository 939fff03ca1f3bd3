"""An office manager creates a customer and fills in the entity's settings (IBAN, logo),
on a desktop (1360 px) and on a phone (390 px), where nothing may scroll sideways."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from billing.models import Customer, Entity
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1360, "height": 900}, "phone": {"width": 390, "height": 844}}


def logo_png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (360, 120), (255, 255, 255))
    image.paste((65, 118, 144), (0, 0, 120, 120))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def assert_fits(page, name: str) -> None:
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport, f"{name} is {width} px wide in a {viewport} px window"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_create_a_customer_then_fill_in_the_entity_settings(page, live_server, office, device):
    _user, entity = office
    page.set_viewport_size(WIDTHS[device])

    page.goto(f"{live_server.url}/admin/billing/customer/add/")
    expect(page.locator("#id_payment_terms_days_helptext")).to_contain_text(
        "Entity default: 14 days"
    )
    page.fill("#id_name", "Northwind Studio")
    page.fill("#id_email", "ap@northwind.example")
    page.fill("#id_cc_emails", "boss@northwind.example,\nbooks@northwind.example")
    page.fill("#id_address", "1 Quay Street\n20457 Hamburg")
    page.fill("#id_tax_id", "DE123456789")
    page.select_option("#id_language", "de")
    assert_fits(page, "the new customer form")
    screenshot(page, f"customer_add_{device}")
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    customer = Customer.objects.get(name="Northwind Studio")
    assert customer.cc_emails == ["boss@northwind.example", "books@northwind.example"]
    assert customer.currency == "EUR"
    assert_fits(page, "the customer page")
    screenshot(page, f"customer_page_{device}")

    page.get_by_test_id("customer-archive").click()
    page.get_by_role("button", name="Archive customer").click()
    expect(page.get_by_test_id("customer-archived")).to_contain_text("Archived on")
    expect(page.get_by_test_id("customer-restore")).to_be_visible()
    assert_fits(page, "the archived customer's page")
    screenshot(page, f"customer_archived_{device}")
    page.goto(f"{live_server.url}/admin/billing/customer/")
    expect(page.get_by_role("link", name="Northwind Studio")).to_have_count(0)
    page.get_by_role("link", name="Archived", exact=True).click()
    expect(page.get_by_role("link", name="Northwind Studio")).to_have_count(1)
    screenshot(page, f"customer_list_archived_{device}")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_test_id("entity-settings").click()
    page.get_by_role("link", name=entity.name).click()
    page.fill("#id_legal_name", "Harbour Coworking GmbH")
    page.fill("#id_iban", "de89370400440532013000")
    page.fill("#id_bic", "BNPAFRPP")
    page.locator("#id_logo_file").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}]
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_contain_text("The BIC is of a bank in FR")
    assert_fits(page, "the settings page with an error")
    screenshot(page, f"entity_settings_error_{device}")

    page.fill("#id_bic", "COBADEFFXXX")
    page.locator("#id_logo_file").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}]
    )
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#id_iban")).to_have_value("DE89 3704 0044 0532 0130 00")
    preview = page.get_by_test_id("logo-preview")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.naturalWidth") == 360
    assert_fits(page, "the settings page")
    screenshot(page, f"entity_settings_{device}")
    entity = Entity.objects.get(pk=entity.pk)
    assert (entity.iban, entity.bic, entity.logo_content_type) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
        "image/png",
    )
