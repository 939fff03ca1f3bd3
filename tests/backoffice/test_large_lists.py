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


def listed_ids(page) -> list[str]:
    return [payment.pk for payment in page.context["cl"].result_list]


def newest_first(queryset) -> list[str]:
    return list(queryset.order_by("-created_at", "-id").values_list("pk", flat=True))


def test_a_short_filtered_list_is_sorted_from_its_matches_in_the_lists_order(
    admin_client, twelve_payments, monkeypatch
):
    monkeypatch.setattr("django.contrib.admin.options.ModelAdmin.list_per_page", 5)
    page = admin_client.get("/admin/payments/payment/", {"type__exact": "cash", "p": 2})
    assert listed_ids(page) == newest_first(twelve_payments)[5:10]
    assert "12 payments" in page.content.decode()


def test_a_date_range_is_sorted_from_its_matches_even_past_the_exact_count(
    admin_client, twelve_payments, monkeypatch
):
    monkeypatch.setattr(LargeTablePaginator, "EXACT_UP_TO", 5)
    today = twelve_payments.first().date.isoformat()
    page = admin_client.get("/admin/payments/payment/", {"date__gte": today})
    assert page.context["cl"].paginator.sort_matches is True
    assert listed_ids(page) == newest_first(twelve_payments)
    page = admin_client.get("/admin/payments/payment/", {"date__gte": "2999-01-01"})
    assert listed_ids(page) == []


def test_sorting_without_an_index_keeps_the_order(twelve_payments):
    from backoffice.pagination import sorted_without_index

    resorted = sorted_without_index(twelve_payments)
    assert "COALESCE" in str(resorted.query)
    assert list(resorted) == list(twelve_payments)


def test_matches_under_a_tenth_of_the_table_are_sorted_the_rest_walked(twelve_payments):
    newest = twelve_payments.first()
    few = LargeTablePaginator(twelve_payments.filter(pk=newest.pk), 5).page(1)
    assert isinstance(few.object_list, list)  # sorted from the matches, then read whole
    assert [payment.pk for payment in few.object_list] == [newest.pk]
    many = LargeTablePaginator(twelve_payments, 5).page(2)
    assert not isinstance(many.object_list, list)  # the list's index, walked
    assert [payment.pk for payment in many.object_list] == newest_first(twelve_payments)[5:10]
