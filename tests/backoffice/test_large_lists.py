"""The Payments list over many rows: an estimated count past a threshold, exact below it."""

import pytest
from django.db import connection

from backoffice.pagination import LargeTablePaginator
from payments.models import Payment
from tests.factories import issued_invoice, record_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def twelve_payments(customer):
    invoice = issued_invoice(customer, total="1200.00")
    for _ in range(12):
        record_payment(invoice, "10.00")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Payment._meta.db_table}")
    return Payment.objects.order_by("-created_at", "-id")


def test_a_short_list_is_counted_exactly(twelve_payments, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "EXACT_UP_TO", 50)
    paginator = LargeTablePaginator(twelve_payments, 5)
    assert paginator.count == 12
    assert paginator.estimated is False


def test_past_the_threshold_the_count_is_the_planners_estimate(twelve_payments, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "EXACT_UP_TO", 5)
    paginator = LargeTablePaginator(twelve_payments, 5)
    assert paginator.count >= 6  # the estimate, never below what was seen to exist
    assert paginator.estimated is True
    assert len(paginator.page(1).object_list) == 5


def test_the_payments_list_says_about_when_it_estimates(admin_client, twelve_payments, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "EXACT_UP_TO", 5)
    page = admin_client.get("/admin/payments/payment/").content.decode()
    assert 'data-testid="estimated-count">about' in page
    monkeypatch.setattr(LargeTablePaginator, "EXACT_UP_TO", 50)
    page = admin_client.get("/admin/payments/payment/").content.decode()
    assert "estimated-count" not in page
    assert "12 payments" in page
