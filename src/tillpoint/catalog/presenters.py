"""Catalog rows as the API shows them: products with their variants, stock and category name.

``product_views`` builds a whole page in a fixed number of queries (variants, categories and
stock levels, one query each), whatever the page size. Stock levels are inventory's, read
through the ``StockFigures`` the caller passes (ADR 0008).
"""

from collections.abc import Collection, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category, ModifierGroup, Product, Variant
from tillpoint.catalog.schemas import (
    CategoryOut,
    ModifierGroupOut,
    ModifierOptionOut,
    ProductOut,
    VariantOut,
)
from tillpoint.catalog.stock import LevelFigures, StockFigures
from tillpoint.core.auth import Principal
from tillpoint.core.db import table_of
from tillpoint.core.events import record_event
from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.identity.service import tenant_currency_exponent

# A variant, or a row of all its columns (what a page reads).
VariantLike = TypeVar("VariantLike", Variant, Row[Any])


def location_prices_out(prices: dict[str, Any], exponent: int) -> list[dict[str, Any]]:
    return [
        {"location_id": loc, "price": from_minor(int(minor), exponent)}
        for loc, minor in sorted(prices.items())
    ]


def variant_fields(variant: Variant | Row[Any], exponent: int) -> dict[str, Any]:
    """A variant (or a row of all its columns) as ``VariantOut``'s fields (Python values:
    decimals, datetimes)."""
    return {
        "variant_id": variant.id,
        "product_id": variant.product_id,
        "name": variant.name,
        "option_values": variant.option_values,
        "sku": variant.sku,
        "barcode": variant.barcode,
        "barcode_internal": variant.barcode_internal,
        "price": None if variant.price_minor is None else from_minor(variant.price_minor, exponent),
        "cost": None if variant.cost_minor is None else from_minor(variant.cost_minor, exponent),
        "location_prices": location_prices_out(variant.location_prices, exponent),
        "position": variant.position,
        "archived": variant.archived_at is not None,
        "version": variant.version,
        "created_at": variant.created_at,
        "updated_at": variant.updated_at,
    }


def variant_out(variant: Variant, exponent: int) -> VariantOut:
    return VariantOut.model_validate(variant_fields(variant, exponent))


_VARIANTS = table_of(Variant)


def stockable_variants(product: Product, variants: Sequence[VariantLike]) -> list[VariantLike]:
    """Where a product's stock lives: its live option variants, or its default variant."""
    if product.has_variants:
        return [v for v in variants if not v.is_default and v.archived_at is None]
    return [v for v in variants if v.is_default]


def _inventory(
    variant_ids: Collection[str], levels_by_variant: dict[str, list[LevelFigures]]
) -> list[dict[str, Any]]:
    sums: dict[str, list[Any]] = {}
    for variant_id in variant_ids:
        for level in levels_by_variant.get(variant_id, []):
            entry = sums.setdefault(level.location_id, [0, 0, None])
            entry[0] += level.on_hand_milli
            entry[1] += level.reserved_milli
            if level.reorder_point_milli is not None:
                entry[2] = (entry[2] or 0) + level.reorder_point_milli
    return [
        {
            "location_id": location_id,
            "on_hand": from_thousandths(on_hand),
            "reserved": from_thousandths(reserved),
            "available": from_thousandths(on_hand - reserved),
            "reorder_point": None if reorder is None else from_thousandths(reorder),
        }
        for location_id, (on_hand, reserved, reorder) in sorted(sums.items())
    ]


def visible_locations(principal: Principal | None, location_id: str | None) -> set[str] | None:
    """The locations whose stock may be shown: the one asked for, within the principal's."""
    allowed = None if principal is None else principal.location_ids
    if location_id is not None:
        return {location_id} if allowed is None or location_id in allowed else set()
    return None if allowed is None else set(allowed)


async def product_views(
    session: AsyncSession,
    principal: Principal | None,
    products: Sequence[Product],
    *,
    stock: StockFigures | None,
    location_id: str | None = None,
    include_archived_variants: bool = False,
) -> list[ProductOut]:
    """``ProductOut`` for each product, in order. Stock is limited to ``location_id`` and to the
    principal's locations (``principal=None``: every location, for system callers);
    ``stock=None`` leaves ``inventory`` empty (events, and callers that want no stock)."""
    fields = await product_fields_of(
        session,
        principal,
        products,
        stock=stock,
        location_id=location_id,
        include_archived_variants=include_archived_variants,
    )
    return [ProductOut.model_validate(f) for f in fields]


async def product_fields_of(
    session: AsyncSession,
    principal: Principal | None,
    products: Sequence[Product],
    *,
    stock: StockFigures | None,
    location_id: str | None = None,
    include_archived_variants: bool = False,
) -> list[dict[str, Any]]:
    """``product_views``' fields, not validated into models: what a list page serialises once
    (``catalog/ready.py``)."""
    if not products:
        return []
    tenant_id = products[0].tenant_id
    exponent = await tenant_currency_exponent(session, tenant_id)
    ids = [p.id for p in products]
    # Rows of the variants' columns, not ORM objects: a page has hundreds of them.
    rows = await session.execute(
        select(_VARIANTS)
        .where(_VARIANTS.c.tenant_id == tenant_id, _VARIANTS.c.product_id.in_(ids))
        .order_by(_VARIANTS.c.product_id, _VARIANTS.c.position, _VARIANTS.c.id)
    )
    variants_by_product: dict[str, list[Row[Any]]] = {}
    for variant in rows:
        variants_by_product.setdefault(variant.product_id, []).append(variant)
    category_ids = {p.category_id for p in products if p.category_id}
    names: dict[str, str] = {}
    if category_ids:
        found = await session.execute(
            select(Category.id, Category.name).where(Category.id.in_(category_ids))
        )
        names = dict(found.all())
    stock_ids = {
        p.id: [v.id for v in stockable_variants(p, variants_by_product.get(p.id, []))]
        for p in products
    }
    levels_by_variant: dict[str, list[LevelFigures]] = {}
    locations = visible_locations(principal, location_id)
    if stock is not None and locations != set():
        all_ids = [v for group in stock_ids.values() for v in group]
        for level in await stock.levels_of_variants(session, all_ids, locations):
            levels_by_variant.setdefault(level.variant_id, []).append(level)
    return [
        product_fields(
            product,
            [
                variant_fields(v, exponent)
                for v in variants_by_product.get(product.id, [])
                if not v.is_default and (include_archived_variants or v.archived_at is None)
            ],
            any(
                v.barcode_internal for v in variants_by_product.get(product.id, []) if v.is_default
            ),
            names.get(product.category_id or ""),
            _inventory(stock_ids[product.id], levels_by_variant),
            exponent,
        )
        for product in products
    ]


def product_fields(
    product: Product,
    variants: list[dict[str, Any]],
    barcode_internal: bool,
    category: str | None,
    inventory: list[dict[str, Any]],
    exponent: int,
) -> dict[str, Any]:
    """A product as ``ProductOut``'s fields, with its option variants' (``variant_fields``) and
    its stock summaries already built."""
    return {
        "product_id": product.id,
        "name": product.name,
        "description": product.description,
        "sku": product.sku,
        "barcode": product.barcode,
        "barcode_internal": barcode_internal,
        "category": category,
        "category_id": product.category_id,
        "price": from_minor(product.price_minor, exponent),
        "cost": None if product.cost_minor is None else from_minor(product.cost_minor, exponent),
        "tax_class": product.tax_class,
        "supplier_id": product.supplier_id,
        "active": product.active,
        "in_store_only": product.in_store_only,
        "gift_card": product.gift_card,
        "sold_by": product.sold_by,
        "images": product.images,
        "attributes": product.attributes,
        "modifier_group_ids": product.modifier_group_ids,
        "location_prices": location_prices_out(product.location_prices, exponent),
        "variants": variants,
        "inventory": inventory,
        "archived": product.archived_at is not None,
        "version": product.version,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


class _Written:
    """A row as it was written (its column dict), read by attribute like the row it became."""

    __slots__ = ("_columns",)

    def __init__(self, columns: dict[str, Any]) -> None:
        self._columns = columns

    def __getattr__(self, name: str) -> Any:
        try:
            return self._columns[name]
        except KeyError:
            raise AttributeError(name) from None


def written_product_fields(
    product: dict[str, Any], variants: list[dict[str, Any]], category: str | None, exponent: int
) -> dict[str, Any]:
    """``product_fields`` of a product just written, from the columns it was written with (its
    row and all its variants' rows, the default one included) instead of a read back; no stock.
    The same fields as ``product_fields_of`` gives once the rows are read (a test compares an
    imported product's event with ``GET /v1/catalog/products/{id}``)."""
    options = sorted(
        (v for v in variants if not v["is_default"] and v["archived_at"] is None),
        key=lambda v: (v["position"], v["id"]),
    )
    return product_fields(
        cast(Product, _Written(product)),
        [variant_fields(cast(Row[Any], _Written(v)), exponent) for v in options],
        any(v["barcode_internal"] for v in variants if v["is_default"]),
        category,
        [],
        exponent,
    )


async def record_product_event(
    session: AsyncSession, event_type: str, product: Product
) -> ProductOut:
    """Record ``product.created|updated|archived`` with the product as the API shows it,
    without stock (stock has events of its own). Returns the view."""
    view = (await product_views(session, None, [product], stock=None))[0]
    data = view.model_dump(mode="json", by_alias=True, exclude={"inventory"})
    record_event(session, event_type, data, subject_id=product.id)
    return view


def category_out(category: Category, path: str) -> CategoryOut:
    return CategoryOut.model_validate(
        {
            "category_id": category.id,
            "name": category.name,
            "parent_id": category.parent_id,
            "path": path,
            "position": category.position,
            "archived": category.archived_at is not None,
            "version": category.version,
            "created_at": category.created_at,
            "updated_at": category.updated_at,
        }
    )


def modifier_group_out(group: ModifierGroup, exponent: int) -> ModifierGroupOut:
    return ModifierGroupOut.model_validate(
        {
            "modifier_group_id": group.id,
            "name": group.name,
            "min_selections": group.min_selections,
            "max_selections": group.max_selections,
            "options": [
                ModifierOptionOut(
                    option_id=o["id"],
                    name=o["name"],
                    price_delta=from_minor(int(o["priceDeltaMinor"]), exponent),
                    active=bool(o.get("active", True)),
                )
                for o in group.options
            ],
            "archived": group.archived_at is not None,
            "version": group.version,
            "created_at": group.created_at,
            "updated_at": group.updated_at,
        }
    )
