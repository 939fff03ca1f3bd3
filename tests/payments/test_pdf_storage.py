"""An issued document's PDF is rendered once and kept; a draft's never is.

WeasyPrint is replaced by numbered bytes (`fake_renders`) except where the real bytes
matter, so a second render would show as different bytes.
"""

import pytest
from django.utils.module_loading import import_string

from invoices.models import StoredPdf
from payments.documents import document_pdf, document_pdf_render
from payments.tasks import store_document_pdf
from tests.factories import draft_invoice, issued_credit_note, issued_invoice, record_payment
from tests.payments.pdf_support import pdf_text
from tests.threads import run_together

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db
def test_issuing_renders_nothing_in_the_request_with_the_immediate_backend(customer, fake_renders):
    invoice = issued_invoice(customer)
    issued_credit_note(invoice, "5.00")

    assert fake_renders == []
    assert not StoredPdf.objects.exists()


@pytest.mark.django_db
def test_issuing_queues_the_render_with_its_transaction_for_the_worker(
    customer, settings, fake_renders
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE
    invoice = issued_invoice(customer)
    credit_note = issued_credit_note(invoice, "5.00")

    queued = DBTaskResult.objects.filter(task_path="payments.tasks.store_document_pdf")
    assert sorted(task.args_kwargs["args"][0] for task in queued) == sorted(
        [invoice.pk, credit_note.pk]
    )
    assert fake_renders == []  # nothing rendered inside the issue
    for task in queued:  # as the worker runs them
        assert import_string(task.task_path).call(*task.args_kwargs["args"]) is True
    assert set(StoredPdf.objects.values_list("pk", flat=True)) == {invoice.pk, credit_note.pk}


@pytest.mark.django_db
def test_the_first_download_renders_and_keeps_then_every_download_is_the_kept_pdf(
    customer, fake_renders
):
    invoice = issued_invoice(customer)

    first = document_pdf(invoice)
    record_payment(invoice, "30.00")
    invoice.refresh_from_db()
    second = document_pdf(invoice)

    assert first == second == (f"{invoice.number}.pdf", first[1])
    assert fake_renders == [invoice.pk]
    stored = StoredPdf.objects.get(pk=invoice.pk)
    assert (stored.entity_id, stored.filename) == (invoice.entity_id, f"{invoice.number}.pdf")
    assert len(stored.sha256) == 64


@pytest.mark.django_db
def test_the_task_after_a_download_keeps_the_pdf_already_kept(customer, fake_renders):
    invoice = issued_invoice(customer)
    _, downloaded = document_pdf(invoice)

    assert store_document_pdf.call(invoice.pk) is True

    assert bytes(StoredPdf.objects.get(pk=invoice.pk).content) == downloaded
    assert fake_renders == [invoice.pk]


@pytest.mark.django_db
def test_a_draft_is_rendered_every_time_and_never_kept(customer, fake_renders):
    draft = draft_invoice(customer)

    first, second = document_pdf(draft), document_pdf(draft)

    assert first[1] != second[1]
    assert not StoredPdf.objects.exists()
    assert store_document_pdf.call(draft.pk) is False


@pytest.mark.django_db
def test_a_receipt_is_kept_on_first_download(customer, fake_renders):
    payment = record_payment(issued_invoice(customer), "10.00")

    assert document_pdf(payment) == document_pdf(payment)
    assert fake_renders == [payment.pk]
    assert StoredPdf.objects.get(pk=payment.pk).filename == f"receipt-{payment.pk}.pdf"


@pytest.mark.django_db
def test_an_issued_invoice_keeps_its_bytes_after_the_entity_moves(customer):
    entity = customer.entity
    entity.address = "Old Street 1\n10115 Berlin"
    entity.save()
    invoice = issued_invoice(customer)
    _, before = document_pdf(invoice)

    entity.address = "New Avenue 99\n80331 Munich"
    entity.save()
    invoice.refresh_from_db()
    _, after = document_pdf(invoice)

    assert after == before
    assert "Old Street 1" in pdf_text(after)
    # Rendered afresh it would still say the old address: the issuer copy taken at issue.
    fresh = pdf_text(document_pdf_render(invoice))
    assert "Old Street 1" in fresh and "New Avenue" not in fresh


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_downloads_keep_one_pdf_and_both_get_its_bytes(customer, fake_renders):
    invoice = issued_invoice(customer)

    outcomes = run_together([lambda: document_pdf(invoice), lambda: document_pdf(invoice)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert outcomes[0] == outcomes[1]
    assert StoredPdf.objects.filter(pk=invoice.pk).count() == 1
    assert bytes(StoredPdf.objects.get(pk=invoice.pk).content) == outcomes[0][1]
