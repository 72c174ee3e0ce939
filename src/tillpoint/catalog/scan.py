"""The scanner's lookup: a barcode (or sku) to the item, its price here and its stock here.

The register's hot path: one indexed read of the variant with its product (columns only, no
ORM objects), one for the location and its stock level (inventory's ``StockFigures.stock_at``,
passed in: ADR 0008), and — only for the parent code of a product sold in variants — one for
those variants.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.presenters import variant_fields
from tillpoint.catalog.stock import StockFigures
from tillpoint.core.auth import Principal
from tillpoint.core.errors import field_error, not_found
from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.identity.service import tenant_currency_exponent

_COLUMNS = (
    Variant.id,
    Variant.product_id,
    Variant.name,
    Variant.sku,
    Variant.barcode,
    Variant.is_default,
    Variant.price_minor,
    Variant.location_prices,
    Variant.archived_at,
    Product.name,
    Product.price_minor,
    Product.location_prices,
    Product.tax_class,
    Product.sold_by,
    Product.modifier_group_ids,
    Product.active,
    Product.has_variants,
    Product.archived_at,
)


def resolve_price(
    location_id: str | None,
    variant_price: int | None,
    variant_prices: dict[str, Any],
    product_price: int,
    product_prices: dict[str, Any],
) -> int:
    """The price in minor units at a location: the variant's price there, the variant's own
    price, the product's price there, then the product's price."""
    if location_id is not None and location_id in variant_prices:
        return int(variant_prices[location_id])
    if variant_price is not None:
        return variant_price
    if location_id is not None and location_id in product_prices:
        return int(product_prices[location_id])
    return product_price


async def lookup(
    session: AsyncSession,
    principal: Principal,
    *,
    stock: StockFigures,
    barcode: str | None,
    sku: str | None,
    location_id: str | None,
) -> dict[str, Any]:
    """``LookupOut``'s fields (serialised once: ``catalog/ready.py``)."""
    if (barcode is None) == (sku is None):
        raise field_error("barcode", "give exactly one of barcode and sku")
    if location_id is not None and not principal.can_access_location(location_id):
        raise not_found("Location")
    match = Variant.barcode == barcode if barcode is not None else Variant.sku == sku
    stmt = select(*_COLUMNS).join(Product, Product.id == Variant.product_id).where(match)
    row = (await session.execute(stmt)).first()
    if row is None or row[8] is not None or row[17] is not None:
        raise not_found("Item")
    (variant_id, product_id, variant_name, variant_sku, variant_barcode, is_default) = row[:6]
    (variant_price, variant_prices) = row[6:8]
    (product_name, product_price, product_prices, tax_class, sold_by, modifiers) = row[9:15]
    active, has_variants = row[15], row[16]
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    parent_of_variants = bool(is_default and has_variants)
    on_hand = available = None
    if location_id is not None:
        found = await stock.stock_at(session, location_id, variant_id)
        if found is None:
            raise not_found("Location")
        if not parent_of_variants:
            on_hand_milli, reserved_milli = found
            on_hand = from_thousandths(on_hand_milli)
            available = from_thousandths(on_hand_milli - reserved_milli)
    variants = []
    if parent_of_variants:
        options = await session.execute(
            select(Variant)
            .where(
                Variant.product_id == product_id,
                Variant.is_default.is_(False),
                Variant.archived_at.is_(None),
            )
            .order_by(Variant.position, Variant.id)
        )
        variants = [variant_fields(v, exponent) for v in options.scalars()]
    price = resolve_price(location_id, variant_price, variant_prices, product_price, product_prices)
    return {
        "product_id": product_id,
        "variant_id": variant_id,
        "name": f"{product_name} - {variant_name}" if variant_name else product_name,
        "sku": variant_sku,
        "barcode": variant_barcode,
        "price": from_minor(price, exponent),
        "tax_class": tax_class,
        "sold_by": sold_by,
        "modifier_group_ids": modifiers,
        "active": active,
        "location_id": location_id,
        "on_hand": on_hand,
        "available": available,
        "variants": variants,
    }
