"""Plain per-field query parameters (`?type=cash&invoice_id=inv_…`) through django-filter."""

from billing.errors import ValidationError


def apply_filterset(filterset_class, queryset, params):
    """Filter with a django-filter FilterSet; invalid values are a 400 naming the parameter."""
    filterset = filterset_class(data=params, queryset=queryset)
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise ValidationError(f"{field}: {' '.join(messages)}", code="invalid_filter", param=field)
    return filterset.qs
