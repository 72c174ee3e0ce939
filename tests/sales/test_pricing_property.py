"""Property tests for pricing and refunds: totals add up, shares sum exactly, nothing negative."""

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from tillpoint.core.money import RoundingMode, round_to_minor
from tillpoint.sales.pricing import (
    DiscountRule,
    LineIn,
    OrderIn,
    PricedLine,
    Rate,
    ServiceChargeIn,
    price_order,
)
from tillpoint.sales.refunds.math import RefundableLine, refund_line

FULL = DiscountRule("percentage", Decimal(100))
KINDS: list[Literal["percentage", "fixed"]] = ["percentage", "fixed"]

percents = st.one_of(
    st.sampled_from([Decimal(0), Decimal(10), Decimal("12.5"), Decimal(100)]),
    st.decimals(min_value=0, max_value=100, places=2),
)
discounts = st.one_of(
    st.builds(DiscountRule, st.just("percentage"), percents),
    st.builds(DiscountRule, st.just("fixed"), st.integers(0, 20_000).map(Decimal)),
)
rate_pool = st.lists(st.decimals(min_value=0, max_value=100, places=3), min_size=3, max_size=3).map(
    lambda ps: [Rate(f"tax_{i}", f"Rate {i}", p) for i, p in enumerate(ps)]
)
quantities = st.one_of(
    st.integers(1, 20).map(lambda units: units * 1000),  # sold by the unit
    st.integers(1, 50_000),  # sold by weight or length
)
rate_choices = st.lists(st.integers(0, 2), max_size=3, unique=True)


@st.composite
def orders(draw: st.DrawFn) -> OrderIn:
    pool = draw(rate_pool)

    def rates() -> tuple[Rate, ...]:
        return tuple(pool[i] for i in draw(rate_choices))

    lines = tuple(
        LineIn(
            quantity_milli=draw(quantities),
            unit_price_minor=draw(st.integers(0, 100_000)),
            modifiers_minor=draw(st.integers(-2_000, 5_000)),
            discounts=tuple(draw(st.lists(discounts, max_size=3))),
            rates=rates(),
        )
        for _ in range(draw(st.integers(1, 8)))
    )
    charges = tuple(
        ServiceChargeIn(
            name="Service",
            kind=kind,
            value=draw(percents if kind == "percentage" else st.integers(0, 5_000).map(Decimal)),
            taxable=draw(st.booleans()),
            rates=rates(),
        )
        for kind in draw(st.lists(st.sampled_from(KINDS), max_size=2))
    )
    return OrderIn(
        lines=lines,
        discounts=tuple(draw(st.lists(discounts, max_size=2))),
        service_charges=charges,
        tip_minor=draw(st.integers(0, 5_000)),
        tax_inclusive=draw(st.booleans()),
        rounding=draw(st.sampled_from(RoundingMode)),
    )


@settings(max_examples=200)
@given(order=orders())
def test_totals_are_sums_of_the_rounded_parts(order: OrderIn) -> None:
    priced = price_order(order)
    assert priced.grand_total_minor == (
        priced.subtotal_minor
        - priced.discount_total_minor
        + priced.tax_total_minor
        + priced.tip_minor
        + priced.service_charge_total_minor
    )
    assert priced.grand_total_minor == (
        sum(line.total_minor for line in priced.lines)
        + sum(c.amount_minor for c in priced.service_charges)
        + (0 if order.tax_inclusive else sum(c.tax_minor for c in priced.service_charges))
        + order.tip_minor
    )
    assert sum(t.amount_minor for t in priced.taxes) == priced.tax_total_minor
    assert len({t.rate_id for t in priced.taxes}) == len(priced.taxes)
    assert priced.discount_total_minor >= 0
    if not order.tax_inclusive:
        assert priced.subtotal_minor == sum(line.gross_minor for line in priced.lines)
        assert priced.discount_total_minor == sum(line.discount_minor for line in priced.lines)


@settings(max_examples=200)
@given(order=orders())
def test_order_discounts_are_shared_exactly_and_no_line_goes_negative(order: OrderIn) -> None:
    priced = price_order(order)
    shares = sum(line.order_discount_minor for line in priced.lines)
    assert shares == sum(d.amount_minor for d in priced.discounts)
    for line in priced.lines:
        assert min(line.net_minor, line.tax_minor, line.total_minor, line.order_discount_minor) >= 0
        assert line.line_discount_minor == sum(d.amount_minor for d in line.discounts)
        assert line.discount_minor == line.line_discount_minor + line.order_discount_minor
        assert line.net_minor == line.gross_minor - line.discount_minor
        assert line.tax_minor == sum(t.amount_minor for t in line.taxes)
        expected_total = line.net_minor if order.tax_inclusive else line.net_minor + line.tax_minor
        assert line.total_minor == expected_total


@settings(max_examples=200)
@given(order=orders(), which=st.integers(0, 7), whole_order=st.booleans())
def test_full_discount_leaves_no_tax(order: OrderIn, which: int, whole_order: bool) -> None:
    if whole_order:
        priced = price_order(replace(order, discounts=(*order.discounts, FULL)))
        affected: list[PricedLine] = list(priced.lines)
    else:
        i = which % len(order.lines)
        target = order.lines[i]
        discounted = replace(target, discounts=(*target.discounts, FULL))
        lines = (*order.lines[:i], discounted, *order.lines[i + 1 :])
        priced = price_order(replace(order, lines=lines))
        affected = [priced.lines[i]]
    for line in affected:
        assert (line.net_minor, line.tax_minor, line.total_minor) == (0, 0, 0)
        assert all(t.amount_minor == 0 for t in line.taxes)


@settings(max_examples=200)
@given(
    quantity=quantities,
    price=st.integers(0, 100_000),
    modifiers=st.integers(-2_000, 5_000),
    rounding=st.sampled_from(RoundingMode),
)
def test_gross_is_quantity_times_price_rounded_once(
    quantity: int, price: int, modifiers: int, rounding: RoundingMode
) -> None:
    priced = price_order(OrderIn(lines=(LineIn(quantity, price, modifiers),), rounding=rounding))
    unit = max(0, price + modifiers)
    assert priced.lines[0].gross_minor == round_to_minor(Decimal(quantity) * unit / 1000, rounding)


@settings(max_examples=200)
@given(order=orders(), cuts=st.lists(st.integers(1, 49_999), max_size=6))
def test_refunds_in_pieces_sum_to_the_stored_line(order: OrderIn, cuts: list[int]) -> None:
    priced = price_order(order)
    for line_in, line in zip(order.lines, priced.lines, strict=True):
        sold = line_in.quantity_milli
        points = sorted({c for c in cuts if c < sold} | {sold})
        stored = RefundableLine(
            quantity_milli=sold,
            refunded_quantity_milli=0,
            net_minor=line.net_minor,
            discount_minor=line.discount_minor,
            tax_minor=line.tax_minor,
            total_minor=line.total_minor,
            taxes=tuple((t.rate_id, t.amount_minor) for t in line.taxes),
        )
        refunded, sums = 0, [0, 0, 0, 0]
        per_rate = [0] * len(stored.taxes)
        for point in points:
            piece = refund_line(
                replace(stored, refunded_quantity_milli=refunded), point - refunded, order.rounding
            )
            parts = [piece.net_minor, piece.discount_minor, piece.tax_minor, piece.total_minor]
            assert min(parts) >= 0
            assert piece.tax_minor == sum(amount for _, amount in piece.taxes)
            sums = [s + p for s, p in zip(sums, parts, strict=True)]
            per_rate = [s + a for s, (_, a) in zip(per_rate, piece.taxes, strict=True)]
            refunded = point
        assert sums == [line.net_minor, line.discount_minor, line.tax_minor, line.total_minor]
        assert per_rate == [t.amount_minor for t in line.taxes]
