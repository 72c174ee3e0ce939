"""Pricing an order: pure arithmetic over integer minor units, each part rounded once.

In order (DESIGN.md §5):

1. Line gross = round(quantity × max(0, unit price + modifiers)); quantities are thousandths.
2. Line discounts apply in order, each on what remains of the line, capped so a line never goes
   below zero.
3. Order discounts apply in order on what remains of the whole order; each is allocated over
   the lines in proportion to what remains of each line, by largest remainder, so the shares
   sum exactly to the discount and no line goes below zero.
4. Tax per line per rate, rounded per line per rate: additive ``round(net × p / 100)``;
   tax-inclusive ``round(net × p / (100 + Σ p))`` (gross − gross / (1 + rate), split by rate).
5. Service charges: a percentage of the order's net after all discounts, or a fixed amount,
   rounded; taxed per rate like a line when taxable.
6. Totals are sums of the rounded parts, and always
   ``grand = subtotal − discountTotal + taxTotal + tip + serviceChargeTotal``.

Tax-inclusive totals. A line's gross, discount and net keep the tax they include, but the
order's subtotal, discountTotal and serviceChargeTotal are reported net of it, so the identity
above still holds:

- subtotal = Σ per line (gross − the tax that gross would carry undiscounted, per rate, with
  the same per-rate rounding);
- discountTotal = subtotal − Σ (line net − line tax);
- serviceChargeTotal = Σ (charge amount − its tax);
- taxTotal = Σ included taxes; grandTotal = Σ line net + Σ charge amounts + tip.

discountTotal is never negative. With one rate, x − round(x·k) is non-decreasing in x for
k < 1, so the gross keeps at least as much net of tax as the discounted net does. With several
rates each rounded on its own, a one-cent discount can move two roundings at once (the included
tax drops by two cents); in that case the line's subtotal part is taken as its net of tax, i.e.
each line contributes max(gross − tax(gross), net − tax(net)), so that discount counts as zero
net of tax rather than as a negative discount.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tillpoint.core.money import (
    QUANTITY_SCALE,
    RoundingMode,
    allocate_largest_remainder,
    decimal_places,
    round_cash,
    round_to_minor,
)

HUNDRED = Decimal(100)
PERCENT_PLACES = 2


@dataclass(frozen=True)
class DiscountRule:
    kind: Literal["percentage", "fixed"]
    value: Decimal  # percentage: a percent number 0..100; fixed: whole minor units
    reason: str | None = None


@dataclass(frozen=True)
class Rate:
    rate_id: str
    name: str
    percent: Decimal  # 8.875 means 8.875 %


@dataclass(frozen=True)
class LineIn:
    quantity_milli: int
    unit_price_minor: int
    modifiers_minor: int = 0  # per unit; unit price + modifiers is floored at zero
    discounts: tuple[DiscountRule, ...] = ()
    rates: tuple[Rate, ...] = ()  # the rates for (location, product tax class); empty = untaxed
    order_discountable: bool = True  # False: order discounts skip the line (a gift card)


@dataclass(frozen=True)
class ServiceChargeIn:
    name: str
    kind: Literal["percentage", "fixed"]
    value: Decimal  # percent number, or whole minor units
    taxable: bool
    rates: tuple[Rate, ...] = ()  # used only when taxable


@dataclass(frozen=True)
class OrderIn:
    lines: tuple[LineIn, ...]
    discounts: tuple[DiscountRule, ...] = ()  # order-level
    service_charges: tuple[ServiceChargeIn, ...] = ()
    tip_minor: int = 0
    tax_inclusive: bool = False
    rounding: RoundingMode = RoundingMode.HALF_UP


@dataclass(frozen=True)
class TaxPart:
    rate_id: str
    name: str
    percent: Decimal
    amount_minor: int


@dataclass(frozen=True)
class AppliedDiscount:
    rule: DiscountRule
    amount_minor: int


@dataclass(frozen=True)
class PricedLine:
    gross_minor: int
    discounts: tuple[AppliedDiscount, ...]  # this line's own discounts, as applied
    line_discount_minor: int
    order_discount_minor: int  # this line's share of the order-level discounts
    discount_minor: int
    net_minor: int  # gross − discount; tax-inclusive: still includes the tax
    taxes: tuple[TaxPart, ...]  # one per rate
    tax_minor: int
    total_minor: int  # additive: net + tax; tax-inclusive: net


@dataclass(frozen=True)
class PricedServiceCharge:
    charge: ServiceChargeIn
    amount_minor: int
    taxes: tuple[TaxPart, ...]
    tax_minor: int


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    discounts: tuple[AppliedDiscount, ...]  # order-level, as applied
    service_charges: tuple[PricedServiceCharge, ...]
    subtotal_minor: int
    discount_total_minor: int
    tax_total_minor: int
    tip_minor: int
    service_charge_total_minor: int
    grand_total_minor: int
    taxes: tuple[TaxPart, ...]  # per rate_id over lines and service charges, first-seen order
    tax_inclusive: bool


def _check_percent(value: Decimal, what: str) -> Decimal:
    value = Decimal(value)
    if not value.is_finite() or not 0 <= value <= HUNDRED:
        raise ValueError(f"{what} must be a percent number from 0 to 100, got {value}")
    return value


def check_percent(value: Decimal, too_large: str) -> None:
    """A discount or service charge percentage: at most 100, with the decimals the document
    gives every ``value`` (an amount's are its currency's, checked when it is converted)."""
    if value > 100:
        raise ValueError(too_large)
    if decimal_places(value) > PERCENT_PLACES:
        raise ValueError(f"a percentage has at most {PERCENT_PLACES} decimal places")


def _check_fixed(value: Decimal, what: str) -> int:
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise ValueError(f"{what} must be a whole, non-negative number of minor units")
    return int(value)


def _amount(kind: str, value: Decimal, base: int, mode: RoundingMode, what: str) -> int:
    """A percentage of ``base`` rounded once, or a fixed amount."""
    if kind == "percentage":
        return round_to_minor(base * _check_percent(value, what) / HUNDRED, mode)
    if kind == "fixed":
        return _check_fixed(value, what)
    raise ValueError(f"{what} kind must be 'percentage' or 'fixed', got {kind!r}")


def _discount_amount(rule: DiscountRule, remaining: int, mode: RoundingMode) -> int:
    return min(_amount(rule.kind, rule.value, remaining, mode, "discount"), remaining)


def line_gross(line: LineIn, mode: RoundingMode) -> int:
    """round(quantity × max(0, unit + modifiers)), rounded once (sold by weight too)."""
    if line.quantity_milli <= 0:
        raise ValueError("quantity must be positive")
    if line.unit_price_minor < 0:
        raise ValueError("unit price must not be negative")
    unit = max(0, line.unit_price_minor + line.modifiers_minor)
    return round_to_minor(Decimal(line.quantity_milli * unit) / QUANTITY_SCALE, mode)


def apply_line_discounts(
    rules: Iterable[DiscountRule], gross: int, mode: RoundingMode
) -> tuple[tuple[AppliedDiscount, ...], int]:
    """Each discount on what remains of the line, capped there; returns them and what remains."""
    applied = []
    remaining = gross
    for rule in rules:
        amount = _discount_amount(rule, remaining, mode)
        applied.append(AppliedDiscount(rule, amount))
        remaining -= amount
    return tuple(applied), remaining


def allocate_order_discounts(
    rules: Iterable[DiscountRule], line_nets: Sequence[int], mode: RoundingMode
) -> tuple[tuple[AppliedDiscount, ...], list[int]]:
    """Each order discount on what remains of the order, split over the lines by what remains
    of each (largest remainder); returns the discounts and each line's total share."""
    remaining = list(line_nets)
    shares = [0] * len(remaining)
    applied = []
    for rule in rules:
        amount = _discount_amount(rule, sum(remaining), mode)
        applied.append(AppliedDiscount(rule, amount))
        # amount <= Σ remaining, so no part exceeds its line's remaining net.
        for i, part in enumerate(allocate_largest_remainder(amount, remaining)):
            shares[i] += part
            remaining[i] -= part
    return tuple(applied), shares


def tax_parts(
    amount: int, rates: Sequence[Rate], inclusive: bool, mode: RoundingMode
) -> tuple[TaxPart, ...]:
    """The tax on ``amount`` per rate, each rounded on its own."""
    percents = [_check_percent(rate.percent, f"tax rate {rate.rate_id}") for rate in rates]
    divisor = HUNDRED + sum(percents, Decimal(0)) if inclusive else HUNDRED
    return tuple(
        TaxPart(rate.rate_id, rate.name, rate.percent, round_to_minor(amount * p / divisor, mode))
        for rate, p in zip(rates, percents, strict=True)
    )


def _tax_sum(parts: Iterable[TaxPart]) -> int:
    return sum(part.amount_minor for part in parts)


def _sum_by_rate(parts: Iterable[TaxPart]) -> tuple[TaxPart, ...]:
    totals: dict[str, TaxPart] = {}
    for part in parts:
        seen = totals.get(part.rate_id)
        amount = part.amount_minor + (seen.amount_minor if seen else 0)
        first = seen or part
        totals[part.rate_id] = TaxPart(first.rate_id, first.name, first.percent, amount)
    return tuple(totals.values())


def _price_service_charge(
    charge: ServiceChargeIn, base: int, inclusive: bool, mode: RoundingMode
) -> PricedServiceCharge:
    amount = _amount(charge.kind, charge.value, base, mode, f"service charge {charge.name!r}")
    taxes = tax_parts(amount, charge.rates, inclusive, mode) if charge.taxable else ()
    return PricedServiceCharge(charge, amount, taxes, _tax_sum(taxes))


def price_order(order: OrderIn) -> PricedOrder:
    """Price an order: lines, discounts, taxes, service charges and totals (module docstring)."""
    mode, inclusive = order.rounding, order.tax_inclusive
    if order.tip_minor < 0:
        raise ValueError("tip must not be negative")

    grosses = [line_gross(line, mode) for line in order.lines]
    line_discounts = [
        apply_line_discounts(line.discounts, gross, mode)
        for line, gross in zip(order.lines, grosses, strict=True)
    ]
    order_discounts, shares = allocate_order_discounts(
        order.discounts,
        [
            remaining if line.order_discountable else 0
            for line, (_, remaining) in zip(order.lines, line_discounts, strict=True)
        ],
        mode,
    )

    lines = []
    for line, gross, (applied, remaining), share in zip(
        order.lines, grosses, line_discounts, shares, strict=True
    ):
        net = remaining - share
        taxes = tax_parts(net, line.rates, inclusive, mode)
        tax = _tax_sum(taxes)
        line_discount = gross - remaining
        lines.append(
            PricedLine(
                gross_minor=gross,
                discounts=applied,
                line_discount_minor=line_discount,
                order_discount_minor=share,
                discount_minor=line_discount + share,
                net_minor=net,
                taxes=taxes,
                tax_minor=tax,
                total_minor=net if inclusive else net + tax,
            )
        )

    net_total = sum(line.net_minor for line in lines)
    charges = [
        _price_service_charge(charge, net_total, inclusive, mode)
        for charge in order.service_charges
    ]
    tax_total = sum(line.tax_minor for line in lines) + sum(c.tax_minor for c in charges)
    charge_amounts = sum(c.amount_minor for c in charges)

    if inclusive:
        net_of_tax = [line.net_minor - line.tax_minor for line in lines]
        subtotal = sum(
            max(gross - _tax_sum(tax_parts(gross, line_in.rates, True, mode)), net_ex)
            for line_in, gross, net_ex in zip(order.lines, grosses, net_of_tax, strict=True)
        )
        discount_total = subtotal - sum(net_of_tax)
        charge_total = charge_amounts - sum(c.tax_minor for c in charges)
        grand_total = net_total + charge_amounts + order.tip_minor
    else:
        subtotal = sum(grosses)
        discount_total = sum(line.discount_minor for line in lines)
        charge_total = charge_amounts
        grand_total = subtotal - discount_total + tax_total + order.tip_minor + charge_total

    return PricedOrder(
        lines=tuple(lines),
        discounts=order_discounts,
        service_charges=tuple(charges),
        subtotal_minor=subtotal,
        discount_total_minor=discount_total,
        tax_total_minor=tax_total,
        tip_minor=order.tip_minor,
        service_charge_total_minor=charge_total,
        grand_total_minor=grand_total,
        taxes=_sum_by_rate(
            [*(t for ln in lines for t in ln.taxes), *(t for c in charges for t in c.taxes)]
        ),
        tax_inclusive=inclusive,
    )


def discount_needs_approval(
    discount_minor: int, base_minor: int, threshold_percent: Decimal
) -> bool:
    """True when the discount is more than ``threshold_percent`` of the base (manager approval)."""
    threshold = _check_percent(threshold_percent, "approval threshold")
    if discount_minor < 0 or base_minor < 0:
        raise ValueError("discount and base must not be negative")
    return discount_minor * HUNDRED > threshold * base_minor


def cash_due(amount_minor: int, increment: int, rounding: RoundingMode) -> int:
    """What a cash tender must pay for ``amount_minor``, rounded to the cash increment."""
    if increment < 1:
        raise ValueError("cash increment must be at least one minor unit")
    return round_cash(amount_minor, increment, rounding)
