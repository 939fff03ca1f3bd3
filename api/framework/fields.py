"""Serializer fields for our formats: exact money, currencies, dates, metadata, timestamps."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.errors import ValidationError
from billing.formats import format_timestamp
from billing.money import CURRENCY_EXPONENTS, round_money
from billing.validation import METADATA_MAX_KEYS, METADATA_MAX_VALUE_LENGTH, clean_metadata


def money_at_precision(value, currency: str | None):
    """An amount as the API shows it: at its currency's precision (EUR 12.50, JPY 1200)."""
    if isinstance(value, Decimal) and currency in CURRENCY_EXPONENTS:
        return round_money(value, currency)
    return value


@extend_schema_field({"type": "number", "example": 1200})
class MoneyField(serializers.Field):
    """A JSON number, read as `Decimal` by our parser. Strings and booleans are refused."""

    default_error_messages = {"invalid_number": "Must be a JSON number, e.g. 12.50."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, Decimal | int):
            self.fail("invalid_number")
        return Decimal(data)

    def get_attribute(self, instance):
        """Render at the currency's precision (EUR 12.50, JPY 1200) when the row has one."""
        return money_at_precision(
            super().get_attribute(instance), getattr(instance, "currency", None)
        )

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "number", "example": 2})
class DecimalNumberField(MoneyField):
    """A quantity, unit price or rate: exact, without trailing zeros (2, 0.5, 22)."""

    def get_attribute(self, instance):
        return serializers.Field.get_attribute(self, instance)

    def to_representation(self, value):
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()


@extend_schema_field({"type": "string", "enum": sorted(CURRENCY_EXPONENTS), "example": "EUR"})
class CurrencyField(serializers.CharField):
    """An ISO 4217 code we support; the service checks it (and accepts lower case)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "date", "example": "2024-01-15"})
class DateTextField(serializers.CharField):
    """A date sent as `YYYY-MM-DD` (the service also takes the timestamps we render, and
    checks it); documented as a date so clients and generated tests send one."""


@extend_schema_field(
    {"type": "string", "format": "date-time", "example": "2024-01-15T10:30:00.000Z"}
)
class TimestampField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return format_timestamp(value)


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": METADATA_MAX_KEYS,
        "additionalProperties": {"type": "string", "maxLength": METADATA_MAX_VALUE_LENGTH},
        "example": {"source": "web_app"},
    }
)
class MetadataField(serializers.JSONField):
    """Custom key-value data: at most 50 keys of at most 40 characters, string values up to 250.

    Checked here for every resource, so a customer's or an invoice's metadata obeys the
    same limits as a payment's; a refusal names the offending key (`param`: metadata.<key>).
    """

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        try:
            metadata = clean_metadata(data)
        except ValidationError as error:
            detail = serializers.ErrorDetail(error.message, code=error.code)
            _, dot, key = (error.param or "").partition(".")
            raise serializers.ValidationError({key: [detail]} if dot else [detail]) from None
        return metadata
