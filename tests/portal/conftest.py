"""Portal tests: a member (a User linked to a Customer) signed in with Django's test client."""

import pytest

from tests.factories import CustomerFactory, SavedCardFactory, UserFactory, issued_invoice
from tests.stripe_fake import fixtures as stripe_fixtures

_fake_stripe_server = stripe_fixtures._fake_stripe_server
fake_stripe = stripe_fixtures.fake_stripe
PASSWORD = "correct horse battery"


@pytest.fixture
def member(customer):
    user = UserFactory(username="lena", email="lena@example.com")
    customer.user = user
    customer.save(update_fields=["user"])
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="120.00")


@pytest.fixture
def visa(customer):
    return SavedCardFactory(customer=customer, is_default=True)


@pytest.fixture
def stranger_invoice(entity):
    other = CustomerFactory(entity=entity, user=UserFactory(username="otto"))
    return issued_invoice(other, total="55.00")
