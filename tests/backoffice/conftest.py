import pytest

from tests.admin_support import staff


@pytest.fixture
def office(client, entity):
    """A staff member of `entity` with the money permissions, signed in to the back office."""
    user = staff(entity)
    client.force_login(user)
    return user
