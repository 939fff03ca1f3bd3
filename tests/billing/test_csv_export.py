"""The CSV machinery every export shares: formula-safe cells, compact JSON, the period on a
date or a timestamp (in the site's time zone), the stream."""

from datetime import date

import pytest
from django.utils import timezone

from billing.csv_export import compact_json, csv_lines, in_period, safe
from billing.models import AuditEvent
from tests.api.export_support import at
from tests.factories import CustomerFactory, give_balance


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+41 22 000", "'+41 22 000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Plain, with a comma", "Plain, with a comma"),
        (None, ""),
        ("", ""),
    ],
)
def test_safe_neutralises_what_a_spreadsheet_would_run(value, cell):
    assert safe(value) == cell


def test_compact_json_has_no_spaces_sorted_keys_and_nothing_for_none():
    assert compact_json({"b": "12.50", "a": ["x", 1]}) == '{"a":["x",1],"b":"12.50"}'
    assert compact_json({"note": "Café"}) == '{"note":"Café"}'
    assert compact_json(None) == ""


def test_csv_lines_yield_the_header_then_one_line_per_row(db):
    customer = CustomerFactory()
    give_balance(customer, "12.50", reason='Said "hi",\nthen left')

    lines = list(
        csv_lines(
            ["action", "reason"],
            AuditEvent.objects.filter(action="balance.adjusted"),
            lambda event: [event.action, event.reason],
        )
    )

    assert lines == ["action,reason\r\n", 'balance.adjusted,"Said ""hi"",\nthen left"\r\n']


def test_a_timestamp_period_takes_whole_days_in_the_sites_time_zone(db, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    customer = CustomerFactory()
    with at("2024-01-15", hour=23):  # 00:00 on the 16th in Berlin
        give_balance(customer, "1.00")
    events = AuditEvent.objects.filter(action="balance.adjusted")

    with timezone.override("Europe/Berlin"):
        on_the_15th = in_period(events, "created_at", date(2024, 1, 15), date(2024, 1, 15))
        on_the_16th = in_period(events, "created_at", date(2024, 1, 16), date(2024, 1, 16))

    assert (on_the_15th.count(), on_the_16th.count()) == (0, 1)


def test_a_date_period_includes_both_days_and_either_bound_may_be_open(db):
    from invoices.models import Invoice
    from tests.factories import draft_invoice

    customer = CustomerFactory()
    for day in (date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1)):
        draft_invoice(customer, date=day)
    invoices = Invoice.objects.all()

    def days(start, end):
        return sorted(i.date.day for i in in_period(invoices, "date", start, end))

    assert days(date(2024, 2, 1), date(2024, 2, 29)) == [1, 29]
    assert days(None, date(2024, 1, 31)) == [31]
    assert days(date(2024, 3, 1), None) == [1]
    assert len(days(None, None)) == 4
