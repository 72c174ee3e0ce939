"""What one sale, refund or void adds to the summaries: pure arithmetic on stored rows.

Every figure comes from what the order stored when it was priced (DESIGN §5): nothing is
recomputed but the cost (quantity × the unit cost the line stored) and, for tax-inclusive
lines, the line's gross net of tax. The parts are exact where the books need them to be:

- a sale's goods net of tax is Σ line net − line tax (tax-inclusive) or Σ line net, which is
  exactly the order's subtotal − discountTotal, gift card lines aside (never taxed or
  discounted, they are liabilities: ``gift_card_sold``), so
  ``tenders = net sales + tax + tips + service charges + gift cards sold + cash rounding``;
- a refund's returns are its amount less its tax and its other part (tips, charges, rounding)
  and less the gift card lines it gives back, so ``refund tenders = returns + tax + other``;
  per line, a return is the line's refunded total less its refunded tax, and those add up to
  the same returns;
- a void of a completed order takes back everything the sale added, on the day of the void.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tillpoint.core.money import RoundingMode, round_to_minor
from tillpoint.reports.models import NONE
from tillpoint.sales import pricing
from tillpoint.sales.models import Order, OrderLine, Payment, Refund

# (location, business day, hour, register, employee, channel, shift)
SalesKey = tuple[str, date, int, str, str, str, str]
ProductKey = tuple[str, date, str]  # (location, business day, variant)


@dataclass
class Deltas:
    """What a batch of events adds to each summary table, keyed by each table's key."""

    sales: dict[SalesKey, dict[str, int]] = field(default_factory=lambda: defaultdict(_zeros))
    # key + (tender type, card brand)
    tenders: dict[tuple[Any, ...], dict[str, int]] = field(
        default_factory=lambda: defaultdict(_zeros)
    )
    # key + (tax rate id,) → amounts; names and rates beside
    taxes: dict[tuple[Any, ...], dict[str, int]] = field(
        default_factory=lambda: defaultdict(_zeros)
    )
    tax_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    products: dict[ProductKey, dict[str, int]] = field(default_factory=lambda: defaultdict(_zeros))
    product_refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # variant → ids


def _zeros() -> dict[str, int]:
    return defaultdict(int)


@dataclass(frozen=True)
class Place:
    """What a contribution needs to know of the order's world."""

    timezone: str
    categories: dict[str, str]  # product id → category id (NONE when it has none)
    rounding: RoundingMode


def sales_key(
    order: Order,
    moment: datetime,
    place: Place,
    register: str | None,
    employee: str | None,
    shift: str | None,
) -> SalesKey:
    """Where a contribution lands: the location's local date and hour of ``moment``."""
    local = moment.astimezone(ZoneInfo(place.timezone))
    return (
        order.location_id,
        local.date(),
        local.hour,
        register or NONE,
        employee or NONE,
        order.source,
        shift or NONE,
    )


def line_cost(line: OrderLine, quantity_milli: int) -> int:
    """The cost of ``quantity_milli`` of the line at the unit cost it stored (0 if unknown)."""
    if line.unit_cost_minor is None:
        return 0
    return round_to_minor(Decimal(line.unit_cost_minor * quantity_milli) / 1000)


def net_of_tax(order: Order, line: OrderLine) -> int:
    return line.net_minor - line.tax_minor if order.tax_inclusive else line.net_minor


def gross_of_tax(order: Order, line: OrderLine, place: Place) -> int:
    """The line's part of the order's subtotal (pricing's rule for tax-inclusive lines)."""
    if not order.tax_inclusive:
        return line.gross_minor
    rates = [pricing.Rate(t["rateId"], t["name"], Decimal(t["rate"])) for t in line.taxes]
    parts = pricing.tax_parts(line.gross_minor, rates, True, place.rounding)
    included = sum(part.amount_minor for part in parts)
    return max(line.gross_minor - included, net_of_tax(order, line))


def add_sale(
    deltas: Deltas, order: Order, lines: list[OrderLine], payments: list[Payment], place: Place
) -> None:
    """A completed order, on the business day and hour it happened."""
    key = sales_key(
        order, order.occurred_at, place, order.register_id, order.employee_id, order.shift_id
    )
    goods = [line for line in lines if not line.gift_card]
    gift = sum(line.total_minor for line in lines if line.gift_card)
    row = deltas.sales[key]
    row["order_count"] += 1
    row["gross_minor"] += order.subtotal_minor - gift
    row["discount_minor"] += order.discount_total_minor
    row["tax_minor"] += order.tax_total_minor
    row["tip_minor"] += order.tip_minor
    row["service_charge_minor"] += order.service_charge_total_minor
    row["gift_card_sold_minor"] += gift
    row["cash_rounding_minor"] += order.cash_rounding_minor
    row["cost_minor"] += sum(line_cost(line, line.quantity_milli) for line in goods)
    row["units_milli"] += sum(line.quantity_milli for line in goods)
    for payment in payments:
        tender = deltas.tenders[(*key, payment.tender_type, payment.card_brand or NONE)]
        tender["payment_count"] += 1
        tender["amount_minor"] += payment.amount_minor
    _add_taxes(deltas, key, order, goods, sign=1)
    day = key[1]
    for line in goods:
        product = _product_row(deltas, order, day, line, place)
        product["units_milli"] += line.quantity_milli
        gross = gross_of_tax(order, line, place)
        net = net_of_tax(order, line)
        product["gross_minor"] += gross
        product["discount_minor"] += gross - net
        product["net_minor"] += net
        product["cost_minor"] += line_cost(line, line.quantity_milli)


def add_refund(
    deltas: Deltas,
    order: Order,
    refund: Refund,
    lines: dict[str, OrderLine],
    brands: dict[str, str],
    place: Place,
) -> None:
    """A refund, on the business day it was made. ``brands``: card brand by payment id."""
    key = sales_key(
        order, refund.created_at, place, refund.register_id, refund.employee_id, refund.shift_id
    )
    gift_back = 0
    returns_cost = 0
    day = key[1]
    for part in refund.lines:
        line = lines[part["lineItemId"]]
        if line.gift_card:
            gift_back += part["totalMinor"]
            continue
        quantity = part["quantityMilli"]
        cost = line_cost(line, quantity) if part.get("restock") else 0
        returns_cost += cost
        product = _product_row(deltas, order, day, line, place)
        product["returned_units_milli"] += quantity
        product["returns_minor"] += part["totalMinor"] - part["taxMinor"]
        product["returns_cost_minor"] += cost
        for rate_id, amount in part.get("taxes") or []:
            deltas.taxes[(*key, rate_id)]["refund_tax_minor"] += amount
            _name_rate(deltas, line, rate_id)
    row = deltas.sales[key]
    row["refund_count"] += 1
    row["returns_minor"] += refund.amount_minor - refund.tax_minor - refund.other_minor - gift_back
    row["refund_tax_minor"] += refund.tax_minor
    row["refund_other_minor"] += refund.other_minor + gift_back
    row["returns_cost_minor"] += returns_cost
    for tender in refund.tenders:
        brand = brands.get(tender.get("paymentId") or "", NONE)
        given = deltas.tenders[(*key, tender["tenderType"], brand)]
        given["refund_count"] += 1
        given["refund_minor"] += tender["amountMinor"]


def add_void(
    deltas: Deltas, order: Order, lines: list[OrderLine], payments: list[Payment], place: Place
) -> None:
    """A voided order, on the business day of the void: a completed one gives back all it
    added; an open one was never a sale and is only counted."""
    assert order.voided_at is not None
    key = sales_key(
        order, order.voided_at, place, order.register_id, order.employee_id, order.shift_id
    )
    row = deltas.sales[key]
    if order.completed_at is None:
        row["open_void_count"] += 1
        row["open_void_minor"] += order.grand_total_minor
        return
    goods = [line for line in lines if not line.gift_card]
    gift = sum(line.total_minor for line in lines if line.gift_card)
    net = sum(net_of_tax(order, line) for line in goods)
    cost = sum(line_cost(line, line.quantity_milli) for line in goods)
    row["void_count"] += 1
    row["void_minor"] += net
    row["void_tax_minor"] += order.tax_total_minor
    other = order.tip_minor + order.service_charge_total_minor + gift + order.cash_rounding_minor
    row["void_other_minor"] += other
    row["void_cost_minor"] += cost
    for payment in payments:
        given = deltas.tenders[(*key, payment.tender_type, payment.card_brand or NONE)]
        given["refund_count"] += 1
        given["refund_minor"] += payment.amount_minor
    _add_taxes(deltas, key, order, goods, sign=-1)
    for line in goods:
        product = _product_row(deltas, order, key[1], line, place)
        product["returned_units_milli"] += line.quantity_milli
        product["returns_minor"] += net_of_tax(order, line)
        product["returns_cost_minor"] += line_cost(line, line.quantity_milli)


def _add_taxes(
    deltas: Deltas,
    key: SalesKey,
    order: Order,
    goods: list[OrderLine],
    *,
    sign: int,
) -> None:
    """The order's tax per rate (lines and service charges); taxable amounts from the goods
    and taxable charges. A void (``sign`` -1) counts the tax as given back."""
    for tax in order.taxes:
        row = deltas.taxes[(*key, tax["rateId"])]
        if sign > 0:
            row["tax_minor"] += tax["amountMinor"]
        else:
            row["refund_tax_minor"] += tax["amountMinor"]
        deltas.tax_names[tax["rateId"]] = (tax.get("name", ""), str(tax.get("rate", "")))
    if sign < 0:
        return
    for line in goods:
        for tax in line.taxes:
            deltas.taxes[(*key, tax["rateId"])]["taxable_minor"] += net_of_tax(order, line)
    for charge in order.service_charges:
        base = charge.get("amountMinor", 0)
        if order.tax_inclusive:
            base -= charge.get("taxMinor", 0)
        for rate in charge.get("rates") or []:
            deltas.taxes[(*key, rate["rateId"])]["taxable_minor"] += base


def _name_rate(deltas: Deltas, line: OrderLine, rate_id: str) -> None:
    for tax in line.taxes:
        if tax["rateId"] == rate_id:
            deltas.tax_names.setdefault(rate_id, (tax.get("name", ""), str(tax.get("rate", ""))))


def _product_row(
    deltas: Deltas, order: Order, day: date, line: OrderLine, place: Place
) -> dict[str, int]:
    deltas.product_refs[line.variant_id] = (
        line.product_id,
        place.categories.get(line.product_id, NONE),
    )
    return deltas.products[(order.location_id, day, line.variant_id)]
