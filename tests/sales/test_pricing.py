"""Worked pricing and refund examples, each exact to the cent."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tillpoint.core.money import RoundingMode
from tillpoint.sales.pricing import (
    DiscountRule,
    LineIn,
    OrderIn,
    PricedOrder,
    Rate,
    ServiceChargeIn,
    TaxPart,
    cash_due,
    discount_needs_approval,
    price_order,
)
from tillpoint.sales.refunds.math import RefundableLine, prorate, refund_line

ONE = 1000  # quantity_milli of one unit
SALES_9 = Rate("tax_sales", "Sales tax", Decimal(9))
STATE_4 = Rate("tax_state", "State", Decimal(4))
CITY_4875 = Rate("tax_city", "City", Decimal("4.875"))


def pct(value: str) -> DiscountRule:
    return DiscountRule("percentage", Decimal(value))


def fixed(minor: int) -> DiscountRule:
    return DiscountRule("fixed", Decimal(minor))


def identity_holds(o: PricedOrder) -> bool:
    return o.grand_total_minor == (
        o.subtotal_minor
        - o.discount_total_minor
        + o.tax_total_minor
        + o.tip_minor
        + o.service_charge_total_minor
    )


def test_reference_order_comes_out_to_the_cent() -> None:
    tee = LineIn(ONE, 2400, rates=(SALES_9,))
    gift_card = LineIn(ONE, 5000, discounts=(fixed(500),))
    priced = price_order(OrderIn(lines=(tee, gift_card)))
    totals = (
        priced.subtotal_minor,
        priced.discount_total_minor,
        priced.tax_total_minor,
        priced.tip_minor,
        priced.grand_total_minor,
    )
    assert totals == (7400, 500, 216, 0, 7116)
    tee_line, card_line = priced.lines
    assert (tee_line.discount_minor, tee_line.tax_minor, tee_line.total_minor) == (0, 216, 2616)
    assert (card_line.discount_minor, card_line.tax_minor, card_line.total_minor) == (500, 0, 4500)
    assert card_line.discounts[0].amount_minor == 500
    assert priced.taxes == (TaxPart("tax_sales", "Sales tax", Decimal(9), 216),)


def test_tax_inclusive_line_reports_totals_net_of_tax() -> None:
    priced = price_order(OrderIn(lines=(LineIn(ONE, 1090, rates=(SALES_9,)),), tax_inclusive=True))
    line = priced.lines[0]
    assert (line.gross_minor, line.net_minor, line.tax_minor, line.total_minor) == (
        1090,
        1090,
        90,
        1090,
    )
    assert (priced.subtotal_minor, priced.discount_total_minor, priced.tax_total_minor) == (
        1000,
        0,
        90,
    )
    assert priced.grand_total_minor == 1090
    assert identity_holds(priced)


def test_tax_inclusive_discount_is_reported_net_of_its_tax() -> None:
    # 10.90 incl. 9 % less 10 %: net 9.81 of which tax 0.81; the discount is 1.09 - 0.09.
    line = LineIn(ONE, 1090, discounts=(pct("10"),), rates=(SALES_9,))
    priced = price_order(OrderIn(lines=(line,), tax_inclusive=True))
    assert (priced.lines[0].net_minor, priced.lines[0].tax_minor) == (981, 81)
    assert (priced.subtotal_minor, priced.discount_total_minor, priced.tax_total_minor) == (
        1000,
        100,
        81,
    )
    assert priced.grand_total_minor == 981
    assert identity_holds(priced)


def test_tax_inclusive_discount_that_moves_two_rate_roundings_counts_as_zero() -> None:
    # 1.23 incl. 4 % + 4.875 %: tax 5 + 6 = 11; at 1.22 it is 4 + 5 = 9, so the one-cent
    # discount would be -1 net of tax; the line's subtotal part is its net of tax instead.
    line = LineIn(ONE, 123, discounts=(fixed(1),), rates=(STATE_4, CITY_4875))
    priced = price_order(OrderIn(lines=(line,), tax_inclusive=True))
    assert (priced.lines[0].net_minor, priced.lines[0].tax_minor) == (122, 9)
    assert (priced.subtotal_minor, priced.discount_total_minor, priced.tax_total_minor) == (
        113,
        0,
        9,
    )
    assert priced.grand_total_minor == 122
    assert identity_holds(priced)


def test_order_discount_is_spread_by_largest_remainder() -> None:
    lines = tuple(LineIn(ONE, 1000) for _ in range(3))
    priced = price_order(OrderIn(lines=lines, discounts=(fixed(500),)))
    assert [line.order_discount_minor for line in priced.lines] == [167, 167, 166]
    assert [line.net_minor for line in priced.lines] == [833, 833, 834]
    assert priced.discounts[0].amount_minor == 500
    assert (priced.discount_total_minor, priced.grand_total_minor) == (500, 2500)


def test_discounts_apply_in_order_on_what_remains() -> None:
    # 20.00: 10 % -> 2.00, then 5.00 fixed -> 13.00 left; order 50 % of 13.00 + 7.00 = 10.00.
    lines = (LineIn(ONE, 2000, discounts=(pct("10"), fixed(500))), LineIn(ONE, 700))
    priced = price_order(OrderIn(lines=lines, discounts=(pct("50"), fixed(100_000))))
    first, second = priced.lines
    assert [d.amount_minor for d in first.discounts] == [200, 500]
    assert [d.amount_minor for d in priced.discounts] == [1000, 1000]  # the fixed one is capped
    assert (first.line_discount_minor, first.order_discount_minor, first.net_minor) == (
        700,
        1300,
        0,
    )
    assert (second.order_discount_minor, second.net_minor) == (700, 0)
    assert priced.grand_total_minor == 0


def test_line_discount_never_takes_a_line_below_zero() -> None:
    priced = price_order(OrderIn(lines=(LineIn(ONE, 300, discounts=(fixed(500), pct("10"))),)))
    line = priced.lines[0]
    assert [d.amount_minor for d in line.discounts] == [300, 0]
    assert (line.net_minor, line.total_minor) == (0, 0)


def test_sold_by_weight_gross_is_rounded_once() -> None:
    # 0.455 kg at 12.99 = 5.91045 -> 5.91.
    priced = price_order(OrderIn(lines=(LineIn(455, 1299),)))
    assert priced.lines[0].gross_minor == 591
    assert priced.grand_total_minor == 591


def test_modifiers_add_to_the_unit_price_and_are_floored_at_zero() -> None:
    priced = price_order(
        OrderIn(lines=(LineIn(2 * ONE, 450, modifiers_minor=75), LineIn(ONE, 200, -300)))
    )
    assert [line.gross_minor for line in priced.lines] == [1050, 0]


def test_multiple_rates_are_rounded_per_line_per_rate() -> None:
    # 12.00 at 4 % + 4.875 %: 48 + 58.5; half-up 48 + 59, half-even 48 + 58 (combined: 106.5).
    line = LineIn(ONE, 1200, rates=(STATE_4, CITY_4875))
    up = price_order(OrderIn(lines=(line,)))
    even = price_order(OrderIn(lines=(line,), rounding=RoundingMode.HALF_EVEN))
    assert [t.amount_minor for t in up.lines[0].taxes] == [48, 59]
    assert [t.amount_minor for t in even.lines[0].taxes] == [48, 58]
    assert (up.tax_total_minor, up.grand_total_minor) == (107, 1307)
    assert (even.tax_total_minor, even.grand_total_minor) == (106, 1306)
    assert [(t.rate_id, t.amount_minor) for t in up.taxes] == [("tax_state", 48), ("tax_city", 59)]


def test_taxes_are_summed_per_rate_over_lines_and_charges() -> None:
    lines = (
        LineIn(ONE, 1000, rates=(STATE_4, CITY_4875)),
        LineIn(ONE, 1000, rates=(SALES_9,)),
        LineIn(ONE, 1000, rates=(STATE_4,)),
    )
    charge = ServiceChargeIn("Delivery", "fixed", Decimal(500), taxable=True, rates=(SALES_9,))
    priced = price_order(OrderIn(lines=lines, service_charges=(charge,)))
    assert [(t.rate_id, t.amount_minor) for t in priced.taxes] == [
        ("tax_state", 80),
        ("tax_city", 49),
        ("tax_sales", 90 + 45),
    ]
    assert priced.tax_total_minor == 80 + 49 + 135


def test_taxable_service_charge_for_a_large_party() -> None:
    # 150.00 of food at 9 %, less 10.00; 18 % service on 140.00 = 25.20, taxed 2.27 (2.268).
    lines = (LineIn(4 * ONE, 2500, rates=(SALES_9,)), LineIn(ONE, 5000, rates=(SALES_9,)))
    charge = ServiceChargeIn("Large party", "percentage", Decimal(18), True, (SALES_9,))
    priced = price_order(
        OrderIn(lines=lines, discounts=(fixed(1000),), service_charges=(charge,), tip_minor=500)
    )
    assert [line.order_discount_minor for line in priced.lines] == [667, 333]
    assert [line.tax_minor for line in priced.lines] == [840, 420]
    (sc,) = priced.service_charges
    assert (sc.amount_minor, sc.tax_minor) == (2520, 227)
    assert (
        priced.subtotal_minor,
        priced.discount_total_minor,
        priced.tax_total_minor,
        priced.service_charge_total_minor,
        priced.tip_minor,
    ) == (15000, 1000, 1487, 2520, 500)
    assert priced.grand_total_minor == 15000 - 1000 + 1487 + 500 + 2520 == 18507


def test_untaxed_service_charge_ignores_rates_and_inclusive_charge_includes_its_tax() -> None:
    lines = (LineIn(ONE, 10900, rates=(SALES_9,)),)
    untaxed = ServiceChargeIn("Service", "percentage", Decimal(10), False, (SALES_9,))
    taxed = ServiceChargeIn("Service", "percentage", Decimal(10), True, (SALES_9,))
    plain = price_order(OrderIn(lines=lines, service_charges=(untaxed,), tax_inclusive=True))
    assert (plain.service_charges[0].tax_minor, plain.service_charge_total_minor) == (0, 1090)
    priced = price_order(OrderIn(lines=lines, service_charges=(taxed,), tax_inclusive=True))
    assert priced.service_charges[0].amount_minor == 1090
    assert priced.service_charges[0].tax_minor == 90
    assert (priced.subtotal_minor, priced.tax_total_minor, priced.service_charge_total_minor) == (
        10000,
        900 + 90,
        1000,
    )
    assert priced.grand_total_minor == 10900 + 1090
    assert identity_holds(priced)


def test_half_even_and_half_up_differ_on_exact_halves() -> None:
    # 1.25 at 10 % is 12.5 cents of tax; half a unit of 0.25 is 12.5 cents of gross.
    taxed = OrderIn(lines=(LineIn(ONE, 125, rates=(Rate("t", "T", Decimal(10)),)),))
    assert price_order(taxed).tax_total_minor == 13
    even = OrderIn(lines=taxed.lines, rounding=RoundingMode.HALF_EVEN)
    assert price_order(even).tax_total_minor == 12
    by_half = (LineIn(500, 25),)
    assert price_order(OrderIn(lines=by_half)).lines[0].gross_minor == 13
    assert price_order(OrderIn(lines=by_half, rounding=RoundingMode.HALF_EVEN)).subtotal_minor == 12


def test_full_discount_leaves_no_tax() -> None:
    line = LineIn(ONE, 1090, discounts=(pct("100"),), rates=(SALES_9,))
    for inclusive in (False, True):
        priced = price_order(OrderIn(lines=(line,), tax_inclusive=inclusive))
        assert (priced.lines[0].net_minor, priced.lines[0].tax_minor) == (0, 0)
        assert (priced.tax_total_minor, priced.grand_total_minor) == (0, 0)
        assert identity_holds(priced)
    whole_order = OrderIn(lines=(LineIn(ONE, 1090, rates=(SALES_9,)),), discounts=(pct("100"),))
    assert price_order(whole_order).tax_total_minor == 0


def test_fractional_percentages() -> None:
    priced = price_order(OrderIn(lines=(LineIn(ONE, 999, discounts=(pct("12.5"),)),)))
    assert priced.lines[0].discount_minor == 125  # 124.875


@pytest.mark.parametrize(
    "order",
    [
        OrderIn(lines=(LineIn(0, 100),)),
        OrderIn(lines=(LineIn(-1000, 100),)),
        OrderIn(lines=(LineIn(ONE, -1),)),
        OrderIn(lines=(LineIn(ONE, 100, discounts=(pct("100.01"),)),)),
        OrderIn(lines=(LineIn(ONE, 100, discounts=(pct("-1"),)),)),
        OrderIn(lines=(LineIn(ONE, 100, discounts=(fixed(-5),)),)),
        OrderIn(lines=(LineIn(ONE, 100, discounts=(DiscountRule("fixed", Decimal("0.5")),)),)),
        OrderIn(lines=(LineIn(ONE, 100, rates=(Rate("t", "T", Decimal(101)),)),)),
        OrderIn(lines=(LineIn(ONE, 100),), discounts=(pct("NaN"),)),
        OrderIn(lines=(LineIn(ONE, 100),), tip_minor=-1),
        OrderIn(
            lines=(LineIn(ONE, 100),),
            service_charges=(ServiceChargeIn("S", "percentage", Decimal(150), False),),
        ),
    ],
)
def test_nonsense_input_raises(order: OrderIn) -> None:
    with pytest.raises(ValueError, match="must"):
        price_order(order)


def test_discount_approval_threshold() -> None:
    assert not discount_needs_approval(1000, 10000, Decimal(10))
    assert discount_needs_approval(1001, 10000, Decimal(10))
    assert not discount_needs_approval(125, 1000, Decimal("12.5"))
    assert discount_needs_approval(126, 1000, Decimal("12.5"))
    assert not discount_needs_approval(10000, 10000, Decimal(100))
    assert discount_needs_approval(10001, 10000, Decimal(100))
    assert not discount_needs_approval(0, 0, Decimal(0))
    assert discount_needs_approval(1, 0, Decimal(50))


def test_cash_due_rounds_to_the_increment() -> None:
    assert [cash_due(v, 5, RoundingMode.HALF_UP) for v in (7112, 7113, 7117, 7118)] == [
        7110,
        7115,
        7115,
        7120,
    ]
    assert cash_due(7116, 1, RoundingMode.HALF_UP) == 7116
    assert cash_due(125, 10, RoundingMode.HALF_UP) == 130
    assert cash_due(125, 10, RoundingMode.HALF_EVEN) == 120
    with pytest.raises(ValueError, match="increment"):
        cash_due(100, 0, RoundingMode.HALF_UP)


def test_refund_in_thirds_sums_to_the_stored_line() -> None:
    line = RefundableLine(
        3 * ONE, 0, net_minor=1000, discount_minor=200, tax_minor=89, total_minor=1089
    )
    pieces = []
    refunded = 0
    for _ in range(3):
        piece = refund_line(
            replace(line, refunded_quantity_milli=refunded), ONE, RoundingMode.HALF_UP
        )
        pieces.append(piece)
        refunded += ONE
    assert [p.net_minor for p in pieces] == [333, 334, 333]
    assert [p.discount_minor for p in pieces] == [67, 66, 67]
    assert [p.tax_minor for p in pieces] == [30, 29, 30]
    assert [p.total_minor for p in pieces] == [363, 363, 363]


def test_full_refund_returns_exactly_the_stored_amounts_per_rate() -> None:
    line = RefundableLine(
        455,
        0,
        net_minor=591,
        discount_minor=0,
        tax_minor=52,
        total_minor=643,
        taxes=(("tax_state", 24), ("tax_city", 28)),
    )
    refund = refund_line(line, 455, RoundingMode.HALF_EVEN)
    assert (refund.net_minor, refund.tax_minor, refund.total_minor) == (591, 52, 643)
    assert refund.taxes == (("tax_state", 24), ("tax_city", 28))


def test_refund_rejects_more_than_remains_or_inconsistent_taxes() -> None:
    line = RefundableLine(
        2 * ONE, ONE, net_minor=200, discount_minor=0, tax_minor=18, total_minor=218
    )
    with pytest.raises(ValueError, match="exceeds"):
        refund_line(line, ONE + 1, RoundingMode.HALF_UP)
    with pytest.raises(ValueError, match="positive"):
        refund_line(line, 0, RoundingMode.HALF_UP)
    bad_taxes = RefundableLine(ONE, 0, 100, 0, 9, 109, taxes=(("t", 8),))
    with pytest.raises(ValueError, match="per-rate"):
        refund_line(bad_taxes, ONE, RoundingMode.HALF_UP)


def test_prorate_is_cumulative() -> None:
    # A 10.00 service charge over an order of 3 units refunded one at a time.
    parts = [
        prorate(1000, ONE, 3 * ONE, before, RoundingMode.HALF_UP) for before in (0, ONE, 2 * ONE)
    ]
    assert parts == [333, 334, 333]
    with pytest.raises(ValueError, match="within"):
        prorate(1000, 2 * ONE, 3 * ONE, 2 * ONE, RoundingMode.HALF_UP)
