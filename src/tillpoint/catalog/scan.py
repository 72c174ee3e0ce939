"""The scanner's lookup: a barcode (or sku) to the item, its price here and its stock here.

The register's hot path: one indexed read of the variant with its product (a Core statement
built once: columns only, no ORM objects), one for the location and its stock level
(inventory's ``StockFigures.stock_at``, passed in: ADR 0008), and — only for the parent code
of a product sold in variants — one for those variants.
"""

from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.presenters import variant_fields
from tillpoint.catalog.stock import StockFigures
from tillpoint.core.auth import Principal
from tillpoint.core.db import table_of
from tillpoint.core.driver import DriverStatement
from tillpoint.core.errors import field_error, not_found
from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.identity.service import tenant_currency_exponent

# Core statements on the tables, built once (no ORM entities to load, nothing to compile per
# request), each naming the tenant itself.
_V, _P = table_of(Variant), table_of(Product)
_FIND = (
    select(
        _V.c.id,
        _V.c.product_id,
        _V.c.name,
        _V.c.sku,
        _V.c.barcode,
        _V.c.is_default,
        _V.c.price_minor,
        _V.c.location_prices,
        _V.c.archived_at,
        _P.c.name,
        _P.c.price_minor,
        _P.c.location_prices,
        _P.c.tax_class,
        _P.c.sold_by,
        _P.c.modifier_group_ids,
        _P.c.active,
        _P.c.has_variants,
        _P.c.archived_at,
    )
    .join_from(_V, _P, and_(_P.c.tenant_id == _V.c.tenant_id, _P.c.id == _V.c.product_id))
    .where(_V.c.tenant_id == bindparam("tenant"))
)
# Run at the driver level (core.driver, ADR 0010).
_BY_BARCODE = DriverStatement(_FIND.where(_V.c.barcode == bindparam("code")))
_BY_SKU = DriverStatement(_FIND.where(_V.c.sku == bindparam("code")))
_OPTIONS = DriverStatement(
    select(_V)
    .where(
        _V.c.tenant_id == bindparam("tenant"),
        _V.c.product_id == bindparam("product"),
        _V.c.is_default.is_(False),
        _V.c.archived_at.is_(None),
    )
    .order_by(_V.c.position, _V.c.id)
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
    find = _BY_BARCODE if barcode is not None else _BY_SKU
    params = {"tenant": principal.tenant_id, "code": barcode if barcode is not None else sku}
    found_rows = await find.rows(session, params)
    row = found_rows[0] if found_rows else None
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
        options = await _OPTIONS.rows(
            session, {"tenant": principal.tenant_id, "product": product_id}
        )
        variants = [variant_fields(v, exponent) for v in options]
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
