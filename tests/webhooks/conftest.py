import pytest

from tests.factories import SYSTEM
from tests.webhooks.receiver import receiver_start
from webhooks.services import webhook_endpoint_create


@pytest.fixture
def receiver(settings):
    settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE = True
    receiver, server = receiver_start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(entity, receiver):
    return webhook_endpoint_create(
        entity=entity, url=receiver.url, enabled_events=["*"], actor=SYSTEM
    )
