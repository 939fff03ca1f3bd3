"""The member reads an invoice reduced only by credit as credited, not as paid."""

from django.urls import reverse

from tests.factories import issued_credit_note, issued_invoice, record_payment


def test_an_invoice_reduced_only_by_credit_reads_partially_credited(member_client, invoice):
    issued_credit_note(invoice, "20.00", to="invoice")

    home = member_client.get(reverse("portal:home")).content.decode()
    detail = member_client.get(reverse("portal:invoice", args=[invoice.pk])).content.decode()

    for page in (home, detail):
        assert '<span class="badge badge-partially_credited">Partially credited</span>' in page
        assert "Partially paid" not in page


def test_money_after_the_credit_reads_partially_paid(member_client, invoice):
    issued_credit_note(invoice, "20.00", to="invoice")
    record_payment(invoice, "30.00")

    detail = member_client.get(reverse("portal:invoice", args=[invoice.pk])).content.decode()

    assert '<span class="badge badge-partially_paid">Partially paid</span>' in detail


def test_an_invoice_wholly_credited_reads_credited(member_client, customer):
    invoice = issued_invoice(customer, total="45.00")
    issued_credit_note(invoice, "45.00", to="invoice")

    detail = member_client.get(reverse("portal:invoice", args=[invoice.pk])).content.decode()

    assert '<span class="badge badge-credited">Credited</span>' in detail
    assert "Nothing left to pay" in detail
    assert "Paid in full" not in detail
