"""The dashboard on the admin index and Billing → Payments' CSV export, scoped by entity."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import CHART_DAYS, bar_chart_svg, dashboard_for
from billing.formats import format_day
from tests.admin_support import staff
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    SavedCardFactory,
    charge_card,
    issued_invoice,
    record_payment,
)
from webhooks.models import WebhookEndpoint


@pytest.fixture
def two_entities(db):
    today = timezone.localdate()
    ours, theirs = EntityFactory(name="Harbour"), EntityFactory(name="Rival")
    ada = CustomerFactory(entity=ours, name="Ada")
    bob = CustomerFactory(entity=theirs, name="Bob")
    open_invoice = issued_invoice(ada, total="300.00", due_date=today + timedelta(days=5))
    record_payment(open_invoice, "100.00", type="bank_transfer", reference="SEPA-OURS")
    overdue = issued_invoice(
        ada, total="50.00", date=today - timedelta(days=30), due_date=today - timedelta(days=2)
    )
    declined = SavedCardFactory(customer=ada, gateway_reference="pm_card_chargeDeclined")
    charge_card(overdue, card=declined)
    overpaid = issued_invoice(ada, total="20.00")
    record_payment(overpaid, "25.00", type="cash")
    theirs_invoice = issued_invoice(bob, total="999.00")
    record_payment(theirs_invoice, "500.00", type="bank_transfer", reference="SEPA-THEIRS")
    return ours, theirs


def test_dashboard_figures_are_those_of_the_users_entities(two_entities):
    ours, _theirs = two_entities

    board = dashboard_for(staff(ours))

    assert board.outstanding == [("EUR", Decimal("250.00"), 2)]
    assert board.overdue == [("EUR", Decimal("50.00"), 1)]
    assert board.collected == [("EUR", Decimal("125.00"), Decimal("0"))]
    assert board.failed_count == 1
    assert board.failed_charges[0]["method"] == "Visa •••• 4242"
    assert (board.overpaid_count, board.overpaid_total) == (1, [("EUR", Decimal("5.00"))])
    assert [chart.currency for chart in board.charts] == ["EUR"]
    assert board.charts[0].total == Decimal("125.00")


def test_dashboard_is_the_admin_index(client, two_entities):
    ours, _theirs = two_entities
    client.force_login(staff(ours))

    page = client.get(reverse("admin:index")).content.decode()

    assert "Outstanding receivables" in page
    assert "€250.00" in page
    assert "Failed charges to retry" in page
    assert '<svg class="settle-chart"' in page
    assert "€999.00" not in page
    assert "cdn" not in page.lower()


def test_an_endpoint_the_worker_disabled_is_announced_to_who_manages_webhooks(client, two_entities):
    ours, theirs = two_entities
    reason = "Disabled on 2026-12-01 09:00 UTC: every delivery failed for 3 days."
    for entity in (ours, theirs):
        WebhookEndpoint.objects.create(
            entity=entity,
            url=f"https://{entity.name.lower()}.example/hooks",
            secret="whsec_x",
            enabled=False,
            disabled_reason=reason,
        )
    WebhookEndpoint.objects.create(  # switched off by a person: no notice
        entity=ours, url="https://off.example/hooks", secret="whsec_y", enabled=False
    )
    manager = staff(ours, grant=["webhooks.manage_webhooks"])
    client.force_login(manager)

    page = client.get(reverse("admin:index")).content.decode()

    assert page.count('data-testid="webhook-disabled"') == 1
    assert "https://harbour.example/hooks</a> receives nothing: " + reason in page
    assert 'data-testid="webhooks"' in page
    assert dashboard_for(staff(ours)).disabled_endpoints == []  # not theirs to manage


def test_dashboard_needs_view_permissions(two_entities):
    ours, _theirs = two_entities

    assert dashboard_for(staff(ours, grant=[], without=["payments.view_payment"])) is None


def test_chart_has_one_bar_per_day_with_money_and_labels_every_fortnight():
    today = timezone.localdate()
    points = {today: Decimal("120.00"), today - timedelta(days=3): Decimal("30.00")}

    svg = str(bar_chart_svg(points, "EUR", today))

    assert svg.count("<rect") == 2
    assert f"{format_day(today)}: €120.00" in svg
    assert svg.count("<text") == 3 + len(range(0, CHART_DAYS, 15)) + 1


def test_export_streams_the_filtered_payments_of_the_users_entities(client, two_entities):
    ours, _theirs = two_entities
    client.force_login(staff(ours))

    response = client.get(
        reverse("admin:payments_payment_export"), {"type__exact": "bank_transfer"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["reference"], row["amount"]) for row in rows] == [("SEPA-OURS", "100.00")]


def test_export_follows_the_search(client, two_entities):
    ours, _theirs = two_entities
    client.force_login(staff(ours))

    response = client.get(reverse("admin:payments_payment_export"), {"q": "SEPA"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["reference"] for row in rows] == ["SEPA-OURS"]


def test_payments_list_has_the_export_button_and_hides_deleted(client, two_entities):
    ours, _theirs = two_entities
    client.force_login(staff(ours))

    page = client.get(reverse("admin:payments_payment_changelist"))

    assert "Export CSV" in page.content.decode()
    assert all(not payment.is_deleted for payment in page.context["cl"].result_list)
    assert len(page.context["cl"].result_list) == 3


def test_collected_this_month_links_to_the_money_received_it_counts(client, two_entities):
    ours, _theirs = two_entities
    client.force_login(staff(ours))
    index = client.get(reverse("admin:index")).content.decode()
    month_start = timezone.localdate().replace(day=1)
    link = (
        f"{reverse('admin:payments_payment_changelist')}?date__gte={month_start:%Y-%m-%d}"
        "&kind=money_received&status__exact=succeeded"
    )
    assert link.replace("&", "&amp;") in index

    listed = client.get(link).context["cl"].result_list

    # The declined charge is left out, as the figure leaves it out: €100 + €25.
    assert sorted(payment.amount for payment in listed) == [Decimal("25.00"), Decimal("100.00")]
