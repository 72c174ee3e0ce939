"""Order lines from requests, and pricing an order from its stored lines.

A line captures, when it is added, what it is sold at: the unit price (catalog or override),
the chosen modifiers and the tax rates of its class at the location. Repricing (after any edit)
works from those stored inputs with the pure functions of ``pricing``, and writes every
computed amount back onto the lines and the order.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.sale_items import SaleItem, sale_items
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.ids import new_id
from tillpoint.core.money import RoundingMode, minor_units, thousandths
from tillpoint.sales import pricing
from tillpoint.sales.models import Order, OrderLine
from tillpoint.sales.schemas import DiscountIn, LineItemIn, ServiceChargeIn
from tillpoint.stores.taxes import ActiveRate, location_rates


@dataclass(frozen=True)
class PricingContext:
    """What pricing needs to know about the tenant and location, read once per request."""

    tenant_id: str
    location_id: str
    exponent: int
    rounding: RoundingMode
    tax_inclusive: bool
    rates: dict[str, list[ActiveRate]]


async def pricing_context(
    session: AsyncSession,
    tenant_id: str,
    location_id: str,
    *,
    exponent: int,
    rounding: str,
    tax_inclusive: bool,
) -> PricingContext:
    rates = await location_rates(session, tenant_id, location_id)
    return PricingContext(
        tenant_id, location_id, exponent, RoundingMode(rounding), tax_inclusive, rates
    )


def _rates_json(rates: Sequence[ActiveRate]) -> list[dict[str, Any]]:
    return [{"rateId": r.id, "name": r.name, "rate": str(r.rate), "amountMinor": 0} for r in rates]


def discounts_json(discounts: Sequence[DiscountIn], exponent: int, field: str) -> list[Any]:
    """Requested discounts as stored: fixed amounts in minor units, percentages as given."""
    stored = []
    for i, d in enumerate(discounts):
        value = (
            str(d.value)
            if d.type == "percentage"
            else minor_units(d.value, exponent, f"{field}[{i}].value")
        )
        stored.append({"type": d.type, "value": value, "reason": d.reason, "amountMinor": 0})
    return stored


def service_charges_json(
    charges: Sequence[ServiceChargeIn], ctx: PricingContext, field: str
) -> list[dict[str, Any]]:
    stored = []
    for i, c in enumerate(charges):
        value = (
            str(c.value)
            if c.type == "percentage"
            else minor_units(c.value, ctx.exponent, f"{field}[{i}].value")
        )
        rates = ctx.rates.get(c.tax_class, []) if c.taxable else []
        stored.append(
            {
                "name": c.name,
                "type": c.type,
                "value": value,
                "taxable": c.taxable,
                "taxClass": c.tax_class,
                "rates": _rates_json(rates),
                "amountMinor": 0,
                "taxMinor": 0,
            }
        )
    return stored


async def resolve_items(
    session: AsyncSession, location_id: str, requests: Sequence[LineItemIn], field: str
) -> list[SaleItem]:
    """The sellable item each request names, in request order; unknown ones are a 400."""
    by_id, by_sku = await sale_items(
        session,
        location_id,
        variant_ids=[r.variant_id for r in requests if r.variant_id],
        skus=[r.sku for r in requests if r.sku],
    )
    found: list[SaleItem] = []
    errors = []
    for i, request in enumerate(requests):
        item = (
            by_id.get(request.variant_id) if request.variant_id else by_sku.get(request.sku or "")
        )
        if item is None:
            name = "variantId" if request.variant_id else "sku"
            errors.append({"field": f"{field}[{i}].{name}", "message": "no such item"})
        elif not item.sellable:
            errors.append(
                {
                    "field": f"{field}[{i}]",
                    "message": f"{item.item.sku} is archived, inactive or sold in variants",
                }
            )
        else:
            found.append(item)
    if errors:
        raise AppError("VALIDATION_ERROR", details=errors)
    return found


def _modifiers(item: SaleItem, chosen: Sequence[str], field: str) -> list[dict[str, Any]]:
    picked = []
    for option_id in chosen:
        option = item.options.get(option_id)
        if option is None:
            raise field_error(field, f"{option_id} is not an option of {item.item.sku}")
        picked.append(option)
    if len({p.option_id for p in picked}) != len(picked):
        raise field_error(field, "an option is chosen twice")
    for rule in item.rules:
        count = sum(1 for p in picked if p.group_id == rule.group_id)
        if not rule.min_selections <= count <= rule.max_selections:
            raise field_error(
                field,
                f"{rule.name}: choose {rule.min_selections} to {rule.max_selections} options",
            )
    return [
        {
            "id": p.option_id,
            "groupId": p.group_id,
            "name": p.name,
            "priceDeltaMinor": p.price_delta_minor,
        }
        for p in picked
    ]


def new_line(
    order: Order,
    position: int,
    item: SaleItem,
    request: LineItemIn,
    ctx: PricingContext,
    field: str,
) -> OrderLine:
    """A line as it will be stored, before pricing (the amounts are filled by ``reprice``)."""
    quantity = thousandths(
        request.quantity, f"{field}.quantity", whole_units_only=item.item.whole_units_only
    )
    if request.gift_card_code is not None and not item.gift_card:
        raise field_error(f"{field}.giftCardCode", f"{item.item.sku} is not a gift card")
    modifiers = _modifiers(item, request.modifiers, f"{field}.modifiers")
    overridden = None
    unit_price = item.price_minor
    if request.unit_price is not None:
        unit_price = minor_units(request.unit_price, ctx.exponent, f"{field}.unitPrice")
        # A gift card's price is the value the customer asks to load: not an override.
        changed = unit_price != item.price_minor and not item.gift_card
        overridden = item.price_minor if changed else None
    return OrderLine(
        tenant_id=order.tenant_id,
        id=new_id("line_item"),
        order_id=order.id,
        position=position,
        variant_id=item.item.variant_id,
        product_id=item.item.product_id,
        sku=item.item.sku,
        name=item.item.name,
        tax_class=item.tax_class,
        sold_by=item.item.sold_by,
        quantity_milli=quantity,
        unit_price_minor=unit_price,
        catalog_price_minor=overridden,
        modifiers=modifiers,
        modifiers_minor=sum(m["priceDeltaMinor"] for m in modifiers),
        discounts=discounts_json(request.discounts, ctx.exponent, f"{field}.discounts"),
        # A gift card is a liability, not a sale: never taxed.
        taxes=[] if item.gift_card else _rates_json(ctx.rates.get(item.tax_class, [])),
        notes=request.notes,
        gift_card=item.gift_card,
        gift_card_id=None,
        gift_card_load=None,
        unit_cost_minor=item.cost_minor,
        gross_minor=0,
        line_discount_minor=0,
        order_discount_minor=0,
        discount_minor=0,
        net_minor=0,
        tax_minor=0,
        total_minor=0,
        refunded_quantity_milli=0,
        refunded_net_minor=0,
        refunded_discount_minor=0,
        refunded_tax_minor=0,
        refunded_total_minor=0,
        refunded_taxes={},
    )


def _rules(stored: list[dict[str, Any]]) -> tuple[pricing.DiscountRule, ...]:
    return tuple(
        pricing.DiscountRule(d["type"], Decimal(str(d["value"])), d.get("reason")) for d in stored
    )


def _rates(stored: list[dict[str, Any]]) -> tuple[pricing.Rate, ...]:
    return tuple(pricing.Rate(t["rateId"], t["name"], Decimal(t["rate"])) for t in stored)


def _taxes_json(parts: Sequence[pricing.TaxPart]) -> list[dict[str, Any]]:
    return [
        {
            "rateId": p.rate_id,
            "name": p.name,
            "rate": str(p.percent),
            "amountMinor": p.amount_minor,
        }
        for p in parts
    ]


def _with_amounts(
    stored: list[dict[str, Any]], applied: Sequence[pricing.AppliedDiscount]
) -> list[dict[str, Any]]:
    return [{**d, "amountMinor": a.amount_minor} for d, a in zip(stored, applied, strict=True)]


def reprice(order: Order, lines: Sequence[OrderLine], rounding: RoundingMode) -> None:
    """Price the order from its stored inputs and store every computed amount."""
    priced = pricing.price_order(
        pricing.OrderIn(
            lines=tuple(
                pricing.LineIn(
                    quantity_milli=line.quantity_milli,
                    unit_price_minor=line.unit_price_minor,
                    modifiers_minor=line.modifiers_minor,
                    discounts=_rules(line.discounts),
                    rates=_rates(line.taxes),
                    order_discountable=not line.gift_card,
                )
                for line in lines
            ),
            discounts=_rules(order.discounts),
            service_charges=tuple(
                pricing.ServiceChargeIn(
                    c["name"],
                    c["type"],
                    Decimal(str(c["value"])),
                    c["taxable"],
                    _rates(c["rates"]),
                )
                for c in order.service_charges
            ),
            tip_minor=order.tip_minor,
            tax_inclusive=order.tax_inclusive,
            rounding=rounding,
        )
    )
    for line, result in zip(lines, priced.lines, strict=True):
        line.discounts = _with_amounts(line.discounts, result.discounts)
        line.gross_minor = result.gross_minor
        line.line_discount_minor = result.line_discount_minor
        line.order_discount_minor = result.order_discount_minor
        line.discount_minor = result.discount_minor
        line.net_minor = result.net_minor
        line.tax_minor = result.tax_minor
        line.taxes = _taxes_json(result.taxes)
        line.total_minor = result.total_minor
    order.discounts = _with_amounts(order.discounts, priced.discounts)
    order.service_charges = [
        {
            **stored,
            "amountMinor": charge.amount_minor,
            "taxMinor": charge.tax_minor,
            "rates": [
                {**r, "amountMinor": t.amount_minor}
                for r, t in zip(stored["rates"], charge.taxes, strict=False)
            ],
        }
        for stored, charge in zip(order.service_charges, priced.service_charges, strict=True)
    ]
    order.taxes = _taxes_json(priced.taxes)
    order.subtotal_minor = priced.subtotal_minor
    order.discount_total_minor = priced.discount_total_minor
    order.tax_total_minor = priced.tax_total_minor
    order.service_charge_total_minor = priced.service_charge_total_minor
    order.grand_total_minor = priced.grand_total_minor
