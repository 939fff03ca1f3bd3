"""The demo's bank statement: imported through the real CSV reader, lines of every kind."""

from io import StringIO

import pytest
from django.core.management import call_command

from banking.models import BankAccount, BankStatementLine

pytestmark = pytest.mark.django_db


def test_the_demo_statement_has_lines_of_every_kind_and_is_imported_once():
    call_command("seed_demo", stdout=StringIO())

    call_command("seed_demo_statement", stdout=StringIO())
    call_command("seed_demo_statement", stdout=StringIO())

    statuses = sorted(BankStatementLine.objects.values_list("status", flat=True))
    assert statuses == ["matched", "matched", "suggested", "unmatched", "unmatched"]
    assert BankAccount.objects.get().csv_mapping["date"] == "Buchungstag"
