"""Serializer fields for our formats: exact money, and the reference's timestamps."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "number", "example": 1200})
class MoneyField(serializers.Field):
    """A JSON number, read as `Decimal` by our parser. Strings and booleans are refused."""

    default_error_messages = {"invalid": "Must be a JSON number, e.g. 12.50."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, Decimal | int):
            self.fail("invalid")
        return Decimal(data)

    def to_representation(self, value):
        return value


def format_timestamp(value: datetime | date | None) -> str | None:
    """`2024-01-15T10:30:00.000Z`: UTC with milliseconds, as the reference renders it."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@extend_schema_field(
    {"type": "string", "format": "date-time", "example": "2024-01-15T10:30:00.000Z"}
)
class TimestampField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return format_timestamp(value)


@extend_schema_field(OpenApiTypes.OBJECT)
class MetadataField(serializers.JSONField):
    """Custom key-value data: at most 50 keys, string values up to 250 characters."""
