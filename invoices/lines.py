"""Turning requested items into priced lines: the one place line rounding happens."""

from dataclasses import dataclass
from decimal import Decimal

from billing.errors import ValidationError
from billing.money import MAX_AMOUNT, round_money, to_decimal

MAX_LINES = 500


@dataclass(frozen=True)
class PricedLine:
    name: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    amount: Decimal
    tax_amount: Decimal
    total: Decimal
    discount_percent: Decimal = Decimal("0")


def price_line(
    *, name, quantity, unit_price, tax_rate, currency: str, param: str, discount_percent=0
) -> PricedLine:
    """Net = round(quantity × price × (1 − discount / 100)); tax = round(net × rate / 100);
    total = net + tax."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationError("Every item needs a name.", param=f"{param}.name")
    quantity = to_decimal(quantity, f"{param}.quantity")
    unit_price = to_decimal(unit_price, f"{param}.price")
    tax_rate = to_decimal(tax_rate if tax_rate is not None else 0, f"{param}.tax_rate")
    discount = to_decimal(
        discount_percent if discount_percent is not None else 0, f"{param}.discount_percent"
    )
    if (
        quantity <= 0
        or quantity >= Decimal(10) ** 11
        or quantity != quantity.quantize(Decimal("0.0001"))
    ):
        raise ValidationError(
            "quantity must be positive with at most 4 decimals.", param=f"{param}.quantity"
        )
    if (
        unit_price < 0
        or unit_price >= MAX_AMOUNT
        or unit_price != unit_price.quantize(Decimal("0.0001"))
    ):
        raise ValidationError(
            "price must be zero or positive, below 10^13, with at most 4 decimals.",
            param=f"{param}.price",
        )
    if tax_rate < 0 or tax_rate > 100 or tax_rate != tax_rate.quantize(Decimal("0.001")):
        raise ValidationError(
            "tax_rate must be a percentage between 0 and 100.", param=f"{param}.tax_rate"
        )
    if discount < 0 or discount > 100 or discount != discount.quantize(Decimal("0.001")):
        raise ValidationError(
            "discount_percent must be a percentage between 0 and 100.",
            param=f"{param}.discount_percent",
        )
    net_exact = quantity * unit_price * (100 - discount) / 100
    if net_exact >= MAX_AMOUNT:
        raise ValidationError("The line amount is too large.", param=f"{param}.price")
    amount = round_money(net_exact, currency)
    tax_amount = round_money(amount * tax_rate / 100, currency)
    return PricedLine(
        name[:300],
        quantity,
        unit_price,
        tax_rate,
        amount,
        tax_amount,
        amount + tax_amount,
        discount,
    )


def price_items(items, currency: str, param: str = "items") -> list[PricedLine]:
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError("At least one item is required.", param=param)
    if len(items) > MAX_LINES:
        raise ValidationError(f"At most {MAX_LINES} items.", param=param)
    priced = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValidationError("Each item must be an object.", param=f"{param}[{index}]")
        priced.append(
            price_line(
                name=item.get("name"),
                quantity=item.get("quantity", 1),
                unit_price=item.get("price"),
                tax_rate=item.get("tax_rate", 0),
                discount_percent=item.get("discount_percent", 0),
                currency=currency,
                param=f"{param}[{index}]",
            )
        )
    return priced


def document_totals(lines: list[PricedLine]) -> tuple[Decimal, Decimal, Decimal]:
    net = sum((line.amount for line in lines), Decimal("0"))
    tax = sum((line.tax_amount for line in lines), Decimal("0"))
    total = net + tax
    if total >= MAX_AMOUNT:
        raise ValidationError("The document total must be below 10^13.", param="items")
    return net, tax, total


def write_lines(model, parent_field: str, parent, lines: list[PricedLine], extra=None) -> None:
    """Store a document's priced lines in order, in one query."""
    model.objects.bulk_create(
        [
            model(
                **{parent_field: parent},
                position=index,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                discount_percent=line.discount_percent,
                amount=line.amount,
                tax_amount=line.tax_amount,
                total=line.total,
                **((extra or [{}] * len(lines))[index]),
            )
            for index, line in enumerate(lines)
        ]
    )
