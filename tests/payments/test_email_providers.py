"""A provider's API through django-anymail is a setting away: the same e-mail, the same history."""

from decimal import Decimal

import pytest
from django.core import mail

from billing.models import SentEmail
from payments.emails import invoice_send
from tests.factories import CustomerFactory, invoice_with_items

pytestmark = pytest.mark.django_db


def test_an_invoice_goes_out_through_an_anymail_backend(settings):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    settings.ANYMAIL = {"TEST_SAMPLE_SETTING": "x"}
    invoice = invoice_with_items(CustomerFactory(), [{"name": "Desk", "price": Decimal("80")}])

    email = invoice_send(invoice=invoice)

    (message,) = mail.outbox
    assert message.anymail_test_params["subject"] == email.subject
    assert message.anymail_status.status == {"sent"}
    assert SentEmail.objects.get().status == "sent"
