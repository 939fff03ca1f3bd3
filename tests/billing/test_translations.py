"""The German catalogue: every message translated, and the compiled file in step with it."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES"


def _messages(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(message.id): key(message.string) for message in catalog if message.id}


def test_every_german_message_is_translated_and_none_is_fuzzy():
    with open(LOCALE / "django.po", "rb") as po:
        catalog = read_po(po)

    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.po", "rb") as po, open(LOCALE / "django.mo", "rb") as mo:
        assert _messages(read_mo(mo)) == _messages(read_po(po)), (
            "locale/de/LC_MESSAGES/django.mo is out of date: make messages"
        )
