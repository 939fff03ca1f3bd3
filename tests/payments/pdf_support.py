"""Reading PDFs in tests, and a stand-in renderer for the tests about storing and serving."""

import io
from itertools import count

import pytest
from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All the text of a PDF, pages joined, whitespace runs folded to one space."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def fake_renders(monkeypatch):
    """Replace WeasyPrint by numbered bytes: a second render would show as different bytes.

    Returns the list of the documents rendered, in order.
    """
    rendered = []
    numbers = count(1)

    def render(document):
        rendered.append(document.pk)
        return f"%PDF-1.7 fake render {next(numbers)} of {document.pk}".encode()

    monkeypatch.setattr("payments.documents.pdf.document_pdf_render", render)
    return rendered
