"""What the register needs to sell a variant: its price at a location, tax class and modifiers.

Sales calls this on its hot path (order creation, adding lines): one column select for the
variants named, one for their modifier groups. Archived or inactive items cannot be sold.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.catalog.models import ModifierGroup, Product, Variant
from tillpoint.catalog.scan import resolve_price


@dataclass(frozen=True)
class ModifierChoice:
    option_id: str
    group_id: str
    group_name: str
    name: str
    price_delta_minor: int


@dataclass(frozen=True)
class ModifierRule:
    group_id: str
    name: str
    min_selections: int
    max_selections: int


@dataclass(frozen=True)
class SaleItem:
    item: StockItem
    price_minor: int  # at the location asked for
    tax_class: str
    sellable: bool  # active, not archived, and not the parent of a product sold in variants
    # The product's modifier groups, and every active option of them by option id.
    rules: tuple[ModifierRule, ...]
    options: dict[str, ModifierChoice]


_COLUMNS = (
    Variant.id,
    Variant.product_id,
    Variant.sku,
    Variant.name,
    Variant.is_default,
    Variant.price_minor,
    Variant.location_prices,
    Variant.archived_at,
    Product.name,
    Product.price_minor,
    Product.location_prices,
    Product.tax_class,
    Product.sold_by,
    Product.category_id,
    Product.modifier_group_ids,
    Product.active,
    Product.has_variants,
    Product.archived_at,
)


def _items_statement(by_id: bool, by_sku: bool) -> Any:
    conditions = []
    if by_id:
        conditions.append(Variant.id.in_(bindparam("ids", expanding=True)))
    if by_sku:
        conditions.append(Variant.sku.in_(bindparam("skus", expanding=True)))
    return select(*_COLUMNS).join(Product, Product.id == Variant.product_id).where(or_(*conditions))


# By id, by sku, or both: built once (every order and line edit runs one).
_ITEMS = {
    (by_id, by_sku): _items_statement(by_id, by_sku)
    for by_id, by_sku in ((True, False), (False, True), (True, True))
}


async def sale_items(
    session: AsyncSession,
    location_id: str,
    *,
    variant_ids: Collection[str] = (),
    skus: Collection[str] = (),
) -> tuple[dict[str, SaleItem], dict[str, SaleItem]]:
    """The items named by variant id or sku, as (by variant id, by sku); unknown ones are
    simply absent."""
    if not variant_ids and not skus:
        return {}, {}
    stmt = _ITEMS[(bool(variant_ids), bool(skus))]
    params = {"ids": list(set(variant_ids)), "skus": list(set(skus))}
    rows = (await session.execute(stmt, params)).all()
    group_ids = {g for row in rows for g in (row[14] or [])}
    groups = await _modifier_groups(session, group_ids)
    by_id: dict[str, SaleItem] = {}
    for row in rows:
        item = _sale_item(row, location_id, groups)
        by_id[item.item.variant_id] = item
    return by_id, {s.item.sku: s for s in by_id.values()}


async def _modifier_groups(session: AsyncSession, group_ids: set[str]) -> dict[str, ModifierGroup]:
    if not group_ids:
        return {}
    found = await session.execute(
        select(ModifierGroup).where(
            ModifierGroup.id.in_(group_ids), ModifierGroup.archived_at.is_(None)
        )
    )
    return {g.id: g for g in found.scalars()}


def _sale_item(row: Any, location_id: str, groups: dict[str, ModifierGroup]) -> SaleItem:
    (
        variant_id,
        product_id,
        sku,
        variant_name,
        is_default,
        variant_price,
        variant_prices,
        variant_archived,
        product_name,
        product_price,
        product_prices,
        tax_class,
        sold_by,
        category_id,
        group_ids,
        active,
        has_variants,
        product_archived,
    ) = row
    live = variant_archived is None and product_archived is None
    sellable = live and bool(active) and not (is_default and has_variants)
    name = f"{product_name} - {variant_name}" if variant_name else product_name
    stock_item = StockItem(variant_id, product_id, sku, name, sold_by, category_id, sellable)
    rules: list[ModifierRule] = []
    options: dict[str, ModifierChoice] = {}
    for group_id in group_ids or []:
        group = groups.get(group_id)
        if group is None:
            continue
        rules.append(ModifierRule(group.id, group.name, group.min_selections, group.max_selections))
        for option in group.options:
            if option.get("active", True):
                options[option["id"]] = ModifierChoice(
                    option["id"],
                    group.id,
                    group.name,
                    option["name"],
                    int(option.get("priceDeltaMinor", 0)),
                )
    price = resolve_price(
        location_id, variant_price, variant_prices or {}, product_price, product_prices or {}
    )
    return SaleItem(stock_item, price, tax_class, sellable, tuple(rules), options)
