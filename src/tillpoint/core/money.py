"""Exact money and quantities: integer minor units and thousandths, Decimal arithmetic.

Amounts live as integers in the currency's minor unit (cents). Arithmetic that can produce
fractions (tax, percentage discounts, pro-rata refunds) is done in ``Decimal`` and rounded
once, to the minor unit, with the tenant's rounding mode.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from tillpoint.core.errors import field_error
from tillpoint.core.schemas import json_number

QUANTITY_PLACES = 3
QUANTITY_SCALE = 10**QUANTITY_PLACES


class RoundingMode(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_rounding(self) -> str:
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


class PrecisionError(ValueError):
    """A value carries more decimal places than allowed."""


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (USD 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(currency))


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite decimals only; callers reject NaN and infinity
    return max(0, -exponent)


def to_minor(amount: Decimal, exponent: int) -> int:
    """Exact conversion of a major-unit amount to minor units; more precision is an error."""
    if not amount.is_finite():
        raise PrecisionError("amount must be a finite number")
    if decimal_places(amount) > exponent:
        raise PrecisionError(f"at most {exponent} decimal places are allowed")
    return int(amount.scaleb(exponent))


def from_minor(minor: int, exponent: int) -> Decimal:
    return Decimal(minor).scaleb(-exponent)


def round_to_minor(value: Decimal, mode: RoundingMode = RoundingMode.HALF_UP) -> int:
    """Round a value expressed in minor units (possibly fractional) to a whole minor unit."""
    try:
        return int(value.quantize(Decimal(1), rounding=mode.decimal_rounding))
    except InvalidOperation as exc:
        raise PrecisionError("value out of range") from exc


def round_cash(minor: int, increment: int, mode: RoundingMode = RoundingMode.HALF_UP) -> int:
    """Round an amount to the cash increment (e.g. 5 for 0.05) for cash tenders."""
    if increment <= 1:
        return minor
    return round_to_minor(Decimal(minor) / increment, mode) * increment


def allocate_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally; the parts sum exactly to ``total``.

    Each part gets the floor of its exact share; the units left over go to the parts with the
    largest remainders, ties to the earlier part, so the result is deterministic. When every
    weight is zero the total is split evenly.
    """
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero total over no parts")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    effective = list(weights) if any(weights) else [1] * len(weights)
    weight_sum = sum(effective)
    parts = [magnitude * w // weight_sum for w in effective]
    remainders = [magnitude * w % weight_sum for w in effective]
    leftover = magnitude - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


def to_thousandths(quantity: Decimal, *, whole_units_only: bool = False) -> int:
    """Quantities are stored as integer thousandths; goods sold by the unit reject fractions."""
    if not quantity.is_finite():
        raise PrecisionError("quantity must be a finite number")
    places = decimal_places(quantity)
    if whole_units_only and places > 0:
        raise PrecisionError("this item is sold by the unit; fractions are not allowed")
    if places > QUANTITY_PLACES:
        raise PrecisionError(f"at most {QUANTITY_PLACES} decimal places are allowed")
    return int(quantity.scaleb(QUANTITY_PLACES))


def from_thousandths(value: int) -> Decimal:
    return Decimal(value).scaleb(-QUANTITY_PLACES).normalize()


def quantity_json(value: int | None) -> int | float | None:
    """Thousandths as the JSON number of the quantity (events and error details)."""
    return None if value is None else json_number(from_thousandths(value))


def minor_units(amount: Decimal, exponent: int, field: str) -> int:
    """``to_minor`` for a request field: too many decimal places is a 400 naming the field."""
    try:
        return to_minor(amount, exponent)
    except PrecisionError as exc:
        raise field_error(field, str(exc)) from None


def thousandths(quantity: Decimal, field: str, *, whole_units_only: bool = False) -> int:
    """``to_thousandths`` for a request field: fractions of a unit item are a 400 naming it."""
    try:
        return to_thousandths(quantity, whole_units_only=whole_units_only)
    except PrecisionError as exc:
        raise field_error(field, str(exc)) from None
