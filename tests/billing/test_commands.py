from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing.models import ApiKey, Entity
from billing.services import api_key_digest
from tests.factories import EntityFactory


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_entity_prints_only_the_new_id(db):
    out, _ = run("create_entity", "Harbour Coworking", "--currency", "usd")

    entity_id = out.strip()
    assert out == f"{entity_id}\n"
    assert entity_id.startswith("ent_")
    entity = Entity.objects.get(pk=entity_id)
    assert entity.name == "Harbour Coworking"
    assert entity.default_currency == "USD"


def test_create_entity_defaults_to_euro(db):
    out, _ = run("create_entity", "Atelier Nord")

    assert Entity.objects.get(pk=out.strip()).default_currency == "EUR"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Harbour Coworking", "--currency", "XYZ"], "Unsupported currency"),
        (["   "], "needs a name"),
    ],
)
def test_create_entity_with_bad_input_is_refused_and_creates_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_entity", *args)

    assert not Entity.objects.exists()


def test_create_api_key_prints_only_the_key_and_stores_its_digest(db):
    entity = EntityFactory()

    out, err = run("create_api_key", "--entity", entity.pk, "--name", "Accounting sync")

    raw = out.strip()
    assert out == f"{raw}\n"
    assert raw.startswith("sk_settle_")
    key = ApiKey.objects.get()
    assert key.digest == api_key_digest(raw)
    assert key.name == "Accounting sync"
    assert raw.startswith(key.prefix)
    assert raw not in (key.digest, key.prefix, key.name)
    assert list(key.entities.all()) == [entity]
    assert "not shown again" in err
    assert raw not in err


def test_create_api_key_binds_every_entity_given(db):
    first, second = EntityFactory(), EntityFactory()

    run("create_api_key", "--entity", first.pk, "--entity", second.pk, "--entity", first.pk)

    key = ApiKey.objects.get()
    assert set(key.entities.all()) == {first, second}
    assert key.name == "Command-line key"


def test_create_api_key_for_unknown_entity_is_refused_and_creates_nothing(db):
    entity = EntityFactory()

    with pytest.raises(CommandError, match="No such entity: ent_missing"):
        run("create_api_key", "--entity", entity.pk, "--entity", "ent_missing")

    assert not ApiKey.objects.exists()


def test_create_api_key_needs_an_entity(db):
    with pytest.raises(CommandError, match="--entity"):
        run("create_api_key")

    assert not ApiKey.objects.exists()


def test_create_api_key_refuses_a_name_longer_than_the_column(db):
    entity = EntityFactory()

    with pytest.raises(CommandError, match="1 to 100 characters"):
        run("create_api_key", "--entity", entity.pk, "--name", "x" * 101)

    assert not ApiKey.objects.exists()


def test_keys_created_twice_differ(db):
    entity = EntityFactory()

    first, _ = run("create_api_key", "--entity", entity.pk)
    second, _ = run("create_api_key", "--entity", entity.pk)

    assert first != second
    assert ApiKey.objects.count() == 2
