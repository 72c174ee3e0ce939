"""Products: create (with their default variant and option variants), read, list, change,
archive. Variants alone are in ``variants.py``; the scanner's lookup in ``scan.py``."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.categories import find_category, live_category_id, resolve_category
from tillpoint.catalog.checks import (
    Codes,
    check_barcode,
    check_locations,
    check_tax_class,
    flush_codes,
    location_prices_minor,
    optional_minor,
    variant_values,
)
from tillpoint.catalog.costs import costs_of_new, record_costs, record_product_cost_change
from tillpoint.catalog.lookup import category_subtree
from tillpoint.catalog.models import Product, Variant
from tillpoint.catalog.modifiers import live_modifier_group_ids
from tillpoint.catalog.presenters import product_fields_of, product_views, record_product_event
from tillpoint.catalog.schemas import ProductIn, ProductOut, ProductUpdate
from tillpoint.catalog.stock import StockFigures
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import field_error, not_found
from tillpoint.core.ids import new_id
from tillpoint.core.money import minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.stores.service import get_location


async def get_product(session: AsyncSession, product_id: str) -> Product:
    """The product (archived too), or 404."""
    product = await get_by_id(session, Product, "product", product_id)
    if product is None:
        raise not_found("Product")
    return product


async def default_variant(session: AsyncSession, product: Product) -> Variant:
    stmt = select(Variant).where(Variant.product_id == product.id, Variant.is_default.is_(True))
    return (await session.execute(stmt)).scalar_one()


async def list_products(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    stock: StockFigures,
    location_id: str | None = None,
    sku: str | None = None,
    barcode: str | None = None,
    category: str | None = None,
    include_archived: bool = False,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of products with their variants and stock, in a fixed number of queries, as
    ``ProductOut``'s fields (serialised once: ``catalog/ready.py``)."""
    if location_id is not None:
        await get_location(session, principal, location_id)
    stmt = params.filter_updated(select(Product), Product.updated_at)
    if not include_archived:
        stmt = stmt.where(Product.archived_at.is_(None))
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    if q:
        # One search box for a person: the name or any of the product's SKUs (in part), or
        # one of its barcodes (whole, as a scanner types it).
        by_code = select(Variant.product_id).where(
            or_(Variant.sku.icontains(q, autoescape=True), Variant.barcode == q)
        )
        stmt = stmt.where(or_(Product.name.icontains(q, autoescape=True), Product.id.in_(by_code)))
    if sku is not None:
        stmt = stmt.where(Product.id.in_(select(Variant.product_id).where(Variant.sku == sku)))
    if barcode is not None:
        by_code = select(Variant.product_id).where(Variant.barcode == barcode)
        stmt = stmt.where(Product.id.in_(by_code))
    if category is not None:
        category_id = await find_category(session, category)
        if category_id is None:
            return [], 0
        stmt = stmt.where(Product.category_id.in_(await category_subtree(session, category_id)))
    rows, total = await paginate(
        session, stmt, Product.id, offset=params.offset, limit=params.page_size
    )
    fields = await product_fields_of(
        session,
        principal,
        rows,
        stock=stock,
        location_id=location_id,
        include_archived_variants=include_archived,
    )
    return fields, total


async def show_product(
    session: AsyncSession,
    principal: Principal,
    product_id: str,
    *,
    stock: StockFigures,
    location_id: str | None = None,
    include_archived_variants: bool = False,
) -> ProductOut:
    if location_id is not None:
        await get_location(session, principal, location_id)
    product = await get_product(session, product_id)
    views = await product_views(
        session,
        principal,
        [product],
        stock=stock,
        location_id=location_id,
        include_archived_variants=include_archived_variants,
    )
    return views[0]


async def category_id_of(
    session: AsyncSession, principal: Principal, category: str | None, category_id: str | None
) -> str | None:
    if category is not None:
        return await resolve_category(session, principal, category)
    if category_id is not None:
        return await live_category_id(session, category_id, "categoryId")
    return None


@dataclass
class NewProduct:
    """A product built from a request as its columns, with its default and option variants',
    not yet written; ``codes`` are the skus and barcodes it takes (checked valid, not yet
    checked free)."""

    product: dict[str, Any]
    variants: list[dict[str, Any]]
    codes: Codes


def build_product(tenant_id: str, data: ProductIn, exponent: int) -> NewProduct:
    """The rules of a new product that need no database: codes, barcodes, money, variants.
    ``create_product`` and the CSV import (``import_batch``) both build products here."""
    check_barcode(data.barcode, data.barcode_internal, "barcode")
    codes = Codes()
    codes.add(data.sku, data.barcode, "")
    for i, variant in enumerate(data.variants):
        codes.add(variant.sku, variant.barcode, f"variants[{i}].")
    now = utcnow()
    stamps = {"version": 1, "created_at": now, "updated_at": now, "archived_at": None}
    product_id = new_id("product")
    product: dict[str, Any] = {
        "tenant_id": tenant_id,
        "id": product_id,
        "name": data.name,
        "description": data.description,
        "sku": data.sku,
        "barcode": data.barcode,
        "category_id": None,
        "price_minor": minor_units(data.price, exponent, "price"),
        "cost_minor": optional_minor(data.cost, exponent, "cost"),
        "tax_class": data.tax_class,
        "supplier_id": data.supplier_id,
        "active": data.active,
        "in_store_only": data.in_store_only,
        "gift_card": data.gift_card,
        "sold_by": data.sold_by,
        "images": list(data.images),
        "attributes": [a.model_dump() for a in data.attributes],
        "modifier_group_ids": list(data.modifier_group_ids),
        "location_prices": location_prices_minor(data.location_prices, exponent, "locationPrices"),
        "has_variants": bool(data.variants),
        **stamps,
    }
    default = {
        "tenant_id": tenant_id,
        "id": new_id("variant"),
        "product_id": product_id,
        "is_default": True,
        "name": "",
        "option_values": [],
        "sku": data.sku,
        "barcode": data.barcode,
        "barcode_internal": data.barcode_internal,
        "price_minor": None,
        "cost_minor": None,
        "location_prices": {},
        "position": 0,
    }
    variants = [{**default, **stamps}] + [
        {**variant_values(tenant_id, product_id, v, exponent, f"variants[{i}].", i), **stamps}
        for i, v in enumerate(data.variants)
    ]
    return NewProduct(product, variants, codes)


def location_ids_of(data: ProductIn) -> set[str]:
    """The locations a new product's prices name (product and variants)."""
    location_ids = {p.location_id for p in data.location_prices}
    for variant in data.variants:
        location_ids |= {p.location_id for p in variant.location_prices}
    return location_ids


async def create_product(
    session: AsyncSession, principal: Principal, data: ProductIn
) -> ProductOut:
    """A product with its default variant (the product's sku and barcode) and option variants."""
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    new = build_product(principal.tenant_id, data, exponent)
    await check_tax_class(session, data.tax_class)
    product = Product(**new.product)
    product.modifier_group_ids = await live_modifier_group_ids(session, data.modifier_group_ids)
    await check_locations(session, principal, location_ids_of(data), "locationPrices")
    await new.codes.check_free(session)
    product.category_id = await category_id_of(session, principal, data.category, data.category_id)
    session.add(product)
    # The product row first: variants reference it.
    await flush_codes(session)
    session.add_all([Variant(**values) for values in new.variants])
    await flush_codes(session)
    await record_costs(session, principal.tenant_id, costs_of_new(new.product, new.variants))
    # A new product has no stock yet, so the event's view is the whole answer (no second read).
    return await record_product_event(session, "product.created", product)


async def _view(
    session: AsyncSession, principal: Principal, product: Product, stock: StockFigures | None
) -> ProductOut:
    return (await product_views(session, principal, [product], stock=stock))[0]


async def update_product(
    session: AsyncSession,
    principal: Principal,
    product_id: str,
    data: ProductUpdate,
    *,
    stock: StockFigures | None,
) -> ProductOut:
    """Change what the body gives; ``null`` clears barcode, cost, supplierId and category.
    The answer shows stock read through ``stock`` (``None``: without stock).

    Every check that reads the database runs before the first assignment, so no autoflush
    writes half an update (and ``unchanged`` sees the whole change)."""
    product = await get_product(session, product_id)
    check_version(product, data.version)
    given = data.model_fields_set
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    default = await default_variant(session, product)
    changes = _simple_changes(data, exponent)
    if "cost" in given:
        changes["cost_minor"] = optional_minor(data.cost, exponent, "cost")
    if "supplier_id" in given:
        changes["supplier_id"] = data.supplier_id
    if data.tax_class is not None and data.tax_class != product.tax_class:
        changes["tax_class"] = await check_tax_class(session, data.tax_class)
    if (
        data.modifier_group_ids is not None
        and data.modifier_group_ids != product.modifier_group_ids
    ):
        changes["modifier_group_ids"] = await live_modifier_group_ids(
            session, data.modifier_group_ids
        )
    if data.location_prices is not None:
        prices = location_prices_minor(data.location_prices, exponent, "locationPrices")
        if prices != product.location_prices:
            await check_locations(session, principal, prices, "locationPrices")
            changes["location_prices"] = prices
    if data.category is not None and data.category_id is not None:
        raise field_error("category", "give category or categoryId, not both")
    if "category" in given or "category_id" in given:
        category = await category_id_of(session, principal, data.category, data.category_id)
        changes["category_id"] = category
    codes = await _code_changes(session, default, data)
    cost_before = product.cost_minor
    for name, value in changes.items():
        if value != getattr(product, name):
            setattr(product, name, value)
    for name, value in codes.items():
        setattr(default, name, value)
        if name != "barcode_internal":
            setattr(product, name, value)
    event = "product.updated"
    if data.archived is False and product.archived_at is not None:
        product.archived_at = None
    elif data.archived and product.archived_at is None:
        product.archived_at = utcnow()
        event = "product.archived"
    if unchanged(session, product) and unchanged(session, default):
        return await _view(session, principal, product, stock)
    product.updated_at = utcnow()
    await flush_codes(session)
    await record_product_cost_change(
        session,
        principal.tenant_id,
        product.id,
        cost_before,
        product.cost_minor,
        product.updated_at,
    )
    await record_product_event(session, event, product)
    return await _view(session, principal, product, stock)


def _simple_changes(data: ProductUpdate, exponent: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": data.name,
        "description": data.description,
        "active": data.active,
        "in_store_only": data.in_store_only,
        "gift_card": data.gift_card,
        "sold_by": data.sold_by,
        "images": None if data.images is None else list(data.images),
        "attributes": None
        if data.attributes is None
        else [a.model_dump() for a in data.attributes],
        "price_minor": None if data.price is None else minor_units(data.price, exponent, "price"),
    }
    return {name: value for name, value in values.items() if value is not None}


async def _code_changes(
    session: AsyncSession, default: Variant, data: ProductUpdate
) -> dict[str, Any]:
    """The default variant's new sku / barcode (checked valid and free); the product keeps a
    copy of both."""
    codes, changes = Codes(), dict[str, Any]()
    if data.sku is not None and data.sku != default.sku:
        codes.add(data.sku, None, "")
        changes["sku"] = data.sku
    barcode = data.barcode if "barcode" in data.model_fields_set else default.barcode
    internal = default.barcode_internal
    if data.barcode_internal is not None:
        internal = data.barcode_internal
    if barcode != default.barcode or internal != default.barcode_internal:
        check_barcode(barcode, internal, "barcode")
        if barcode != default.barcode:
            codes.add(None, barcode, "")
        changes["barcode"], changes["barcode_internal"] = barcode, internal
    await codes.check_free(session, except_variant=default.id)
    return changes


async def archive_product(
    session: AsyncSession, principal: Principal, product_id: str, *, stock: StockFigures
) -> ProductOut:
    """Archive: hidden from lists and the scanner, still readable by id; its codes stay taken."""
    product = await get_product(session, product_id)
    if product.archived_at is None:
        product.archived_at = utcnow()
        await session.flush()
        await record_product_event(session, "product.archived", product)
    return await _view(session, principal, product, stock)


async def touch_product(session: AsyncSession, product: Product) -> None:
    """After a variant change: recompute ``has_variants`` and bump the product's version."""
    live = select(Variant.id).where(
        Variant.product_id == product.id,
        Variant.is_default.is_(False),
        Variant.archived_at.is_(None),
    )
    product.has_variants = (await session.execute(live.limit(1))).first() is not None
    product.updated_at = utcnow()
    await flush_codes(session)
    await record_product_event(session, "product.updated", product)
