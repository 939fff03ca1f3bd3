import pytest

from tests.factories import CustomerFactory, EntityFactory


@pytest.fixture
def entity(db):
    return EntityFactory()


@pytest.fixture
def customer(entity):
    return CustomerFactory(entity=entity)
