import pytest

from tests.factories import CustomerFactory, EntityFactory


@pytest.fixture
def entity(db):
    return EntityFactory()


@pytest.fixture
def customer(entity):
    return CustomerFactory(entity=entity)


@pytest.fixture
def api_key(entity):
    """A raw API key bound to `entity`."""
    from billing.services import api_key_create

    _key, raw = api_key_create(name="tests", entities=[entity])
    return raw


@pytest.fixture
def api(api_key):
    from tests.api_client import ApiClient

    return ApiClient(api_key)
