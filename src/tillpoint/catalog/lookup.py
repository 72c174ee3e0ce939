"""Resolving what other domains name — skus, variant ids, categories — to sellable items.

Inventory and sales call these; they read with Core-style column selects (no ORM objects),
since they sit on hot paths (adjustments, checkout, the scanner).
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category, Product, Variant


@dataclass(frozen=True)
class StockItem:
    """A variant as stock and sales see it."""

    variant_id: str
    product_id: str
    sku: str
    name: str  # "Classic Tee - Blue / M", or the product's name for a simple product
    sold_by: str
    category_id: str | None
    # Archived variants and the parent of a product sold in variants take no new stock.
    stockable: bool

    @property
    def whole_units_only(self) -> bool:
        return self.sold_by == "unit"


def _items() -> Select[*tuple[Any, ...]]:
    return select(
        Variant.id,
        Variant.product_id,
        Variant.sku,
        Product.name,
        Variant.name,
        Product.sold_by,
        Product.category_id,
        Variant.is_default,
        Product.has_variants,
        (Variant.archived_at.is_(None) & Product.archived_at.is_(None)),
    ).join(Product, Product.id == Variant.product_id)


def _item(row: Any) -> StockItem:
    (
        variant_id,
        product_id,
        sku,
        product_name,
        variant_name,
        sold_by,
        category,
        default,
        has,
        live,
    ) = row
    name = f"{product_name} - {variant_name}" if variant_name else product_name
    return StockItem(
        variant_id, product_id, sku, name, sold_by, category, bool(live) and not (default and has)
    )


async def stock_items_by_sku(session: AsyncSession, skus: Collection[str]) -> dict[str, StockItem]:
    if not skus:
        return {}
    rows = await session.execute(_items().where(Variant.sku.in_(set(skus))))
    return {item.sku: item for item in map(_item, rows)}


async def stock_items_by_id(
    session: AsyncSession, variant_ids: Collection[str]
) -> dict[str, StockItem]:
    if not variant_ids:
        return {}
    rows = await session.execute(_items().where(Variant.id.in_(set(variant_ids))))
    return {item.variant_id: item for item in map(_item, rows)}


def variant_ids_matching(text: str) -> Select[Any]:
    """The ids of variants whose SKU, product name or variant name contains ``text`` (any
    case): a subquery, so a list can filter by it in the same statement."""
    return (
        select(Variant.id)
        .join(Product, Product.id == Variant.product_id)
        .where(
            Variant.sku.icontains(text, autoescape=True)
            | Product.name.icontains(text, autoescape=True)
            | Variant.name.icontains(text, autoescape=True)
        )
    )


async def category_subtree(session: AsyncSession, category_id: str) -> set[str]:
    """The category and every category below it (the tree is small: walk it in memory)."""
    rows = await session.execute(select(Category.id, Category.parent_id))
    children: dict[str | None, list[str]] = {}
    for child, parent in rows:
        children.setdefault(parent, []).append(child)
    found, stack = set(), [category_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


async def stockable_items_in(
    session: AsyncSession, category_ids: Collection[str] | None
) -> list[StockItem]:
    """Every stockable item, or those in these categories (a full count's scope)."""
    stmt = _items().where(Variant.archived_at.is_(None), Product.archived_at.is_(None))
    if category_ids is not None:
        stmt = stmt.where(Product.category_id.in_(set(category_ids)))
    items = map(_item, await session.execute(stmt.order_by(Variant.id)))
    return [item for item in items if item.stockable]
