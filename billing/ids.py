"""Prefixed, opaque, time-ordered public ids (`pmt_01jc…`), used as primary keys.

The 26-character tail is a ULID in lowercase Crockford base32: 48 bits of
milliseconds then 80 random bits. Ids therefore sort by creation time, which
keeps B-tree inserts local and gives keyset pagination a natural tiebreak,
while revealing nothing a client could guess or count.
"""

import secrets
import time

from django.db import models
from django.utils.deconstruct import deconstructible

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def ulid() -> str:
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


@deconstructible
class IdFactory:
    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self) -> str:
        return new_id(self.prefix)

    def __eq__(self, other) -> bool:
        return isinstance(other, IdFactory) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


class PublicIdField(models.CharField):
    """A primary key holding `<prefix>_<ulid>`."""

    def __init__(self, prefix: str, *args, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        kwargs["default"] = IdFactory(prefix)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs.pop("max_length", None)
        kwargs.pop("primary_key", None)
        kwargs.pop("editable", None)
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs


def has_prefix(value: object, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(f"{prefix}_") and len(value) <= 40
