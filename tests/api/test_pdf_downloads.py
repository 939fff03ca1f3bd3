"""`GET /api/v1/{invoices,advance-invoices,credit-notes}/{id}/pdf`: the document as a PDF
attachment, found like the resource's own GET (another entity's is a 404; no key, a 401)."""

import json

import pytest
from django.test import Client

from billing.services import api_key_create
from invoices.models import StoredPdf
from tests.api_client import ApiClient
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    issued_advance,
    issued_credit_note,
    issued_invoice,
)
from tests.payments.pdf_support import pdf_text


@pytest.mark.django_db
def test_an_invoice_downloads_as_a_pdf_attachment_named_after_its_number(api, customer):
    invoice = issued_invoice(customer, total="120.00")

    response = api.get(f"invoices/{invoice.pk}/pdf")

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{invoice.number}.pdf"'
    )
    text = pdf_text(response.body)
    assert invoice.number in text and "Desk rental" in text and "Amount due €120.00" in text
    assert bytes(StoredPdf.objects.get(pk=invoice.pk).content) == response.body


@pytest.mark.django_db
def test_an_advance_invoice_and_a_credit_note_download_as_pdfs(api, customer):
    advance = issued_advance(customer, total="300.00")
    credit_note = issued_credit_note(issued_invoice(customer), "15.00")

    advance_pdf = api.get(f"advance-invoices/{advance.pk}/pdf")
    credit_pdf = api.get(f"credit-notes/{credit_note.pk}/pdf")

    assert advance_pdf.status == credit_pdf.status == 200
    assert f'filename="{advance.number}.pdf"' in advance_pdf.headers["Content-Disposition"]
    assert "Advance invoice" in pdf_text(advance_pdf.body)
    assert f'filename="{credit_note.number}.pdf"' in credit_pdf.headers["Content-Disposition"]
    assert "Credit €15.00" in pdf_text(credit_pdf.body)


@pytest.mark.django_db
def test_an_invoice_is_not_found_as_an_advance_and_a_draft_is_marked(api, customer):
    invoice = draft_invoice(customer)

    as_advance = api.get(f"advance-invoices/{invoice.pk}/pdf")
    draft = api.get(f"invoices/{invoice.pk}/pdf")

    assert as_advance.status == 404 and as_advance.error["code"] == "resource_missing"
    assert draft.status == 200 and "DRAFT" in pdf_text(draft.body)
    assert not StoredPdf.objects.exists()


@pytest.mark.django_db
def test_another_entitys_documents_are_404_in_the_api_error_format(api, entity):
    theirs = CustomerFactory(entity=EntityFactory())
    invoice = issued_invoice(theirs)
    credit_note = issued_credit_note(invoice, "5.00")

    for path in (f"invoices/{invoice.pk}/pdf", f"credit-notes/{credit_note.pk}/pdf"):
        response = api.get(path, headers={"Accept": "application/pdf"})
        assert response.status == 404, path
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.error["type"] == "not_found_error"
    assert not StoredPdf.objects.exists()


@pytest.mark.django_db
def test_without_a_key_the_pdf_is_401(customer):
    invoice = issued_invoice(customer)

    response = ApiClient(None).get(f"invoices/{invoice.pk}/pdf")

    assert response.status == 401
    assert response.error["type"] == "authentication_error"


@pytest.mark.django_db
def test_a_key_of_another_entity_gets_404(customer):
    invoice = issued_invoice(customer)
    _key, raw = api_key_create(name="theirs", entities=[EntityFactory()])

    assert ApiClient(raw).get(f"invoices/{invoice.pk}/pdf").status == 404


@pytest.mark.django_db
def test_the_pdf_operations_are_documented_as_application_pdf():
    schema = json.loads(Client().get("/api/v1/openapi.json").content)

    for path, operation_id in (
        ("/api/v1/invoices/{id}/pdf", "get_invoice_pdf"),
        ("/api/v1/advance-invoices/{id}/pdf", "get_advance_invoice_pdf"),
        ("/api/v1/credit-notes/{id}/pdf", "get_credit_note_pdf"),
    ):
        operation = schema["paths"][path]["get"]
        assert operation["operationId"] == operation_id
        assert "application/pdf" in operation["responses"]["200"]["content"]
        assert "application/json" in operation["responses"]["404"]["content"]
