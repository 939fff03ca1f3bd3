"""Back office → Exports in Chromium: pick a period, download a kind's CSV, at desktop and
phone width."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.api.export_support import make_book
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1360, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("device", list(WIDTHS))
def test_download_a_months_refunds_from_the_exports_page(page, live_server, office, device):
    _user, entity = office
    book = make_book(entity)
    page.set_viewport_size(WIDTHS[device])

    page.goto(f"{live_server.url}/admin/")
    page.get_by_test_id("exports").click()
    expect(page.get_by_role("button", name="Download CSV")).to_have_count(6)
    page.fill("#id_start", "2024-01-01")
    page.fill("#id_end", "2024-01-31")
    screenshot(page, f"exports_{device}")
    width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= viewport, f"the exports page is {width} px wide in a {viewport} px window"

    with page.expect_download() as download:
        page.get_by_test_id("export-refunds").get_by_role("button").click()

    assert download.value.suggested_filename.startswith("refunds-")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["id"], row["amount"]) for row in rows] == [(book["refund"].pk, "12.50")]
