"""Pro-rata refund shares of a priced line, rounded cumulatively so the pieces add up.

The share of a stored value V after k of Q thousandths is ``round(V × k / Q)``; refunding q
more after R already refunded gives ``share(V, R + q) − share(V, R)``. The pieces of any
sequence of refunds therefore telescope: together they sum exactly to V, and a full refund
returns exactly the stored amounts. Net, discount, tax (per rate when the line carries its
per-rate taxes) and total are each shared this way on their own, so a partial refund's total may
differ by a cent from its net + tax while the sums over the whole line are exact.
"""

from dataclasses import dataclass
from decimal import Decimal

from tillpoint.core.money import RoundingMode, round_to_minor


@dataclass(frozen=True)
class RefundableLine:
    quantity_milli: int  # sold
    refunded_quantity_milli: int  # already refunded before this refund
    net_minor: int
    discount_minor: int
    tax_minor: int
    total_minor: int
    taxes: tuple[tuple[str, int], ...] = ()  # (rate_id, amount_minor) per rate, optional


@dataclass(frozen=True)
class LineRefund:
    quantity_milli: int
    net_minor: int
    discount_minor: int
    tax_minor: int
    total_minor: int
    taxes: tuple[tuple[str, int], ...]


def _share(value: int, done_milli: int, whole_milli: int, rounding: RoundingMode) -> int:
    return round_to_minor(Decimal(value * done_milli) / whole_milli, rounding)


def prorate(
    value: int, part_milli: int, whole_milli: int, before_milli: int, rounding: RoundingMode
) -> int:
    """The cumulative share of ``value`` for ``part_milli`` of ``whole_milli`` when
    ``before_milli`` was already taken (e.g. an order-level amount such as a service charge)."""
    if whole_milli <= 0:
        raise ValueError("the whole must be positive")
    if part_milli < 0 or before_milli < 0 or before_milli + part_milli > whole_milli:
        raise ValueError("the part must lie within what remains of the whole")
    return _share(value, before_milli + part_milli, whole_milli, rounding) - _share(
        value, before_milli, whole_milli, rounding
    )


def refund_line(line: RefundableLine, quantity_milli: int, rounding: RoundingMode) -> LineRefund:
    """The pro-rata refund of ``quantity_milli`` more of the line."""
    sold, before = line.quantity_milli, line.refunded_quantity_milli
    if sold <= 0 or not 0 <= before <= sold:
        raise ValueError("the line's sold and refunded quantities are inconsistent")
    if quantity_milli <= 0:
        raise ValueError("refund quantity must be positive")
    if quantity_milli > sold - before:
        raise ValueError("refund quantity exceeds what remains to refund on the line")
    if line.taxes and sum(amount for _, amount in line.taxes) != line.tax_minor:
        raise ValueError("the line's per-rate taxes do not sum to its tax")

    def share(value: int) -> int:
        return prorate(value, quantity_milli, sold, before, rounding)

    taxes = tuple((rate_id, share(amount)) for rate_id, amount in line.taxes)
    return LineRefund(
        quantity_milli=quantity_milli,
        net_minor=share(line.net_minor),
        discount_minor=share(line.discount_minor),
        tax_minor=sum(amount for _, amount in taxes) if taxes else share(line.tax_minor),
        total_minor=share(line.total_minor),
        taxes=taxes,
    )
