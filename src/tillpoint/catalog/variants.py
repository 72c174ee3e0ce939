"""A product's option variants ("Blue / M"). The default variant is not one of them: it is
the product itself (its sku and barcode) and is changed through the product.

Every variant change bumps the product's version and emits ``product.updated`` with the whole
product, so a consumer of product events sees variants change too.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.checks import (
    Codes,
    build_variant,
    check_barcode,
    check_locations,
    flush_codes,
    location_prices_minor,
    optional_minor,
    variant_name,
)
from tillpoint.catalog.costs import (
    CostChange,
    effective_cost,
    record_costs,
    record_variant_cost_change,
)
from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.presenters import variant_out
from tillpoint.catalog.schemas import VariantIn, VariantOut, VariantUpdate
from tillpoint.catalog.service import get_product, touch_product
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import not_found
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.service import tenant_currency_exponent


async def get_variant(
    session: AsyncSession, product_id: str, variant_id: str
) -> tuple[Product, Variant]:
    """The product and one of its option variants (archived too); 404 for the default one."""
    product = await get_product(session, product_id)
    variant = await get_by_id(
        session,
        Variant,
        "variant",
        variant_id,
        Variant.product_id == product.id,
        Variant.is_default.is_(False),
    )
    if variant is None:
        raise not_found("Variant")
    return product, variant


async def show_variant(session: AsyncSession, product_id: str, variant_id: str) -> VariantOut:
    product, variant = await get_variant(session, product_id, variant_id)
    return variant_out(variant, await tenant_currency_exponent(session, product.tenant_id))


async def list_variants(
    session: AsyncSession, product_id: str, params: PageParams, *, include_archived: bool
) -> tuple[list[VariantOut], int]:
    product = await get_product(session, product_id)
    stmt = select(Variant).where(Variant.product_id == product.id, Variant.is_default.is_(False))
    stmt = params.filter_updated(stmt, Variant.updated_at)
    if not include_archived:
        stmt = stmt.where(Variant.archived_at.is_(None))
    rows, total = await paginate(
        session, stmt, Variant.position, Variant.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, product.tenant_id)
    return [variant_out(row, exponent) for row in rows], total


async def create_variant(
    session: AsyncSession, principal: Principal, product_id: str, data: VariantIn
) -> VariantOut:
    product = await get_product(session, product_id)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    codes = Codes()
    codes.add(data.sku, data.barcode, "")
    await check_locations(
        session, principal, [p.location_id for p in data.location_prices], "locationPrices"
    )
    last = select(func.max(Variant.position)).where(
        Variant.product_id == product.id, Variant.is_default.is_(False)
    )
    position = ((await session.execute(last)).scalar() or -1) + 1
    variant = build_variant(product, data, exponent, "", position)
    await codes.check_free(session)
    session.add(variant)
    await flush_codes(session)
    cost = effective_cost(variant.cost_minor, product.cost_minor)
    await record_costs(session, principal.tenant_id, [CostChange(variant.id, cost, utcnow())])
    await touch_product(session, product)
    return variant_out(variant, exponent)


async def update_variant(
    session: AsyncSession,
    principal: Principal,
    product_id: str,
    variant_id: str,
    data: VariantUpdate,
) -> VariantOut:
    """Change what the body gives; ``null`` clears barcode, and price/cost (back to the
    product's)."""
    product, variant = await get_variant(session, product_id, variant_id)
    check_version(variant, data.version)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    given = data.model_fields_set
    # Checks that read the database first: an autoflush must not write half an update.
    codes = Codes()
    if data.sku is not None and data.sku != variant.sku:
        codes.add(data.sku, None, "")
    barcode = data.barcode if "barcode" in given else variant.barcode
    internal = variant.barcode_internal
    if data.barcode_internal is not None:
        internal = data.barcode_internal
    if barcode != variant.barcode:
        codes.add(None, barcode, "")
    if barcode != variant.barcode or internal != variant.barcode_internal:
        check_barcode(barcode, internal, "barcode")
    await codes.check_free(session, except_variant=variant.id)
    prices = None
    if data.location_prices is not None:
        prices = location_prices_minor(data.location_prices, exponent, "locationPrices")
        await check_locations(session, principal, prices, "locationPrices")
    changes: dict[str, Any] = {"barcode": barcode, "barcode_internal": internal}
    if data.sku is not None:
        changes["sku"] = data.sku
    if data.option_values is not None:
        changes["option_values"] = [o.model_dump() for o in data.option_values]
    if data.name is not None or data.option_values is not None:
        changes["name"] = variant_name(
            data.name, changes.get("option_values", variant.option_values)
        )
    if "price" in given:
        changes["price_minor"] = optional_minor(data.price, exponent, "price")
    if "cost" in given:
        changes["cost_minor"] = optional_minor(data.cost, exponent, "cost")
    if prices is not None:
        changes["location_prices"] = prices
    if data.position is not None:
        changes["position"] = data.position
    cost_before = variant.cost_minor
    for name, value in changes.items():
        if value != getattr(variant, name):
            setattr(variant, name, value)
    if data.archived is False:
        variant.archived_at = None
    elif data.archived and variant.archived_at is None:
        variant.archived_at = utcnow()
    if unchanged(session, variant):
        return variant_out(variant, exponent)
    await flush_codes(session)
    await record_variant_cost_change(
        session,
        principal.tenant_id,
        variant.id,
        product.cost_minor,
        cost_before,
        variant.cost_minor,
        utcnow(),
    )
    await touch_product(session, product)
    return variant_out(variant, exponent)


async def archive_variant(
    session: AsyncSession, principal: Principal, product_id: str, variant_id: str
) -> VariantOut:
    """Archive: no longer sold or stocked; its sku and barcode stay taken."""
    product, variant = await get_variant(session, product_id, variant_id)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    if variant.archived_at is None:
        variant.archived_at = utcnow()
        await session.flush()
        await touch_product(session, product)
    return variant_out(variant, exponent)
