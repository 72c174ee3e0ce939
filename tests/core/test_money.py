"""Property tests for money and quantities: exact, and rounded once in the documented way."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tillpoint.core.money import (
    PrecisionError,
    RoundingMode,
    allocate_largest_remainder,
    currency_exponent,
    from_minor,
    from_thousandths,
    round_cash,
    round_to_minor,
    to_minor,
    to_thousandths,
)

weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30)


@given(total=st.integers(min_value=-(10**12), max_value=10**12), weights=weights)
def test_allocation_sums_exactly_and_stays_close_to_the_share(
    total: int, weights: list[int]
) -> None:
    parts = allocate_largest_remainder(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    effective = weights if any(weights) else [1] * len(weights)
    for part, weight in zip(parts, effective, strict=True):
        exact = Decimal(total) * weight / sum(effective)
        assert abs(Decimal(part) - exact) < 1


@given(total=st.integers(min_value=0, max_value=10**9), weights=weights)
def test_allocation_never_goes_negative_or_to_zero_weights(total: int, weights: list[int]) -> None:
    parts = allocate_largest_remainder(total, weights)
    assert all(p >= 0 for p in parts)
    if any(weights):
        assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_allocation_worked_example() -> None:
    # 5.00 over lines of 10.00, 10.00, 10.00: 1.67 + 1.67 + 1.66, the first lines win ties.
    assert allocate_largest_remainder(500, [1000, 1000, 1000]) == [167, 167, 166]
    assert allocate_largest_remainder(1, [1, 1]) == [1, 0]
    with pytest.raises(ValueError, match="no parts"):
        allocate_largest_remainder(5, [])


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15), exponent=st.sampled_from([0, 2, 3])
)
def test_minor_units_round_trip(minor: int, exponent: int) -> None:
    assert to_minor(from_minor(minor, exponent), exponent) == minor


def test_more_precision_than_the_currency_is_rejected() -> None:
    assert to_minor(Decimal("24.10"), 2) == 2410
    assert to_minor(Decimal("24.1000"), 2) == 2410
    with pytest.raises(PrecisionError):
        to_minor(Decimal("24.105"), 2)
    with pytest.raises(PrecisionError):
        to_minor(Decimal("1.5"), 0)
    with pytest.raises(PrecisionError):
        to_minor(Decimal("NaN"), 2)


def test_currency_exponents_come_from_iso_4217() -> None:
    assert (currency_exponent("USD"), currency_exponent("JPY"), currency_exponent("KWD")) == (
        2,
        0,
        3,
    )


def test_rounding_modes() -> None:
    assert round_to_minor(Decimal("2.5"), RoundingMode.HALF_UP) == 3
    assert round_to_minor(Decimal("2.5"), RoundingMode.HALF_EVEN) == 2
    assert round_to_minor(Decimal("3.5"), RoundingMode.HALF_EVEN) == 4
    assert round_to_minor(Decimal("-2.5"), RoundingMode.HALF_UP) == -3
    # 24.00 at 9 %: 216 cents exactly; 10.00 at 8.875 %: 88.75 cents -> 89.
    assert round_to_minor(Decimal(2400) * Decimal("9") / 100) == 216
    assert round_to_minor(Decimal(1000) * Decimal("8.875") / 100) == 89


@given(
    value=st.decimals(min_value=-(10**9), max_value=10**9, places=6),
    mode=st.sampled_from(RoundingMode),
)
def test_rounding_is_within_half_a_unit(value: Decimal, mode: RoundingMode) -> None:
    assert abs(Decimal(round_to_minor(value, mode)) - value) <= Decimal("0.5")


@given(minor=st.integers(min_value=0, max_value=10**9), increment=st.sampled_from([1, 5, 10, 25]))
def test_cash_rounding(minor: int, increment: int) -> None:
    rounded = round_cash(minor, increment)
    assert rounded % increment == 0
    assert abs(rounded - minor) * 2 <= increment


def test_cash_rounding_examples() -> None:
    assert [round_cash(v, 5) for v in (7112, 7113, 7117, 7118)] == [7110, 7115, 7115, 7120]


@given(thousandths=st.integers(min_value=-(10**12), max_value=10**12))
def test_quantities_round_trip(thousandths: int) -> None:
    assert to_thousandths(from_thousandths(thousandths)) == thousandths


def test_quantities_reject_excess_precision_and_unit_fractions() -> None:
    assert to_thousandths(Decimal("1.25")) == 1250
    with pytest.raises(PrecisionError):
        to_thousandths(Decimal("0.0001"))
    with pytest.raises(PrecisionError):
        to_thousandths(Decimal("1.5"), whole_units_only=True)
    assert to_thousandths(Decimal("2"), whole_units_only=True) == 2000
