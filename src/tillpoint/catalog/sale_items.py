"""What the register needs to sell a variant: its price at a location, tax class and modifiers.

Sales calls this on its hot path (order creation, adding lines): one Core select for the
variants named, run at the driver level (ADR 0010), and one for their modifier groups.
Archived or inactive items cannot be sold.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.catalog.models import ModifierGroup, Product, Variant
from tillpoint.catalog.scan import resolve_price
from tillpoint.core.db import table_of
from tillpoint.core.driver import DriverStatement, one_of


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
    gift_card: bool = False  # the product is a gift card
    cost_minor: int | None = None  # the variant's unit cost (its own, else its product's)


VARIANTS, PRODUCTS = table_of(Variant), table_of(Product)
_COLUMNS = (
    VARIANTS.c.id,
    VARIANTS.c.product_id,
    VARIANTS.c.sku,
    VARIANTS.c.name,
    VARIANTS.c.is_default,
    VARIANTS.c.price_minor,
    VARIANTS.c.location_prices,
    VARIANTS.c.archived_at,
    PRODUCTS.c.name,
    PRODUCTS.c.price_minor,
    PRODUCTS.c.location_prices,
    PRODUCTS.c.tax_class,
    PRODUCTS.c.sold_by,
    PRODUCTS.c.category_id,
    PRODUCTS.c.modifier_group_ids,
    PRODUCTS.c.active,
    PRODUCTS.c.has_variants,
    PRODUCTS.c.archived_at,
    PRODUCTS.c.gift_card,
    func.coalesce(VARIANTS.c.cost_minor, PRODUCTS.c.cost_minor),
)


_PRODUCT = VARIANTS.c.product_id


def _items_statement(by_id: bool, by_sku: bool) -> DriverStatement:
    conditions = []
    if by_id:
        conditions.append(one_of(VARIANTS.c.id, "ids"))
    if by_sku:
        conditions.append(one_of(VARIANTS.c.sku, "skus"))
    return DriverStatement(
        select(*_COLUMNS)
        .join(
            PRODUCTS, (PRODUCTS.c.tenant_id == VARIANTS.c.tenant_id) & (PRODUCTS.c.id == _PRODUCT)
        )
        .where(VARIANTS.c.tenant_id == bindparam("tenant"), or_(*conditions))
    )


# By id, by sku, or both: built once, run at the driver level (every order and line edit runs
# one).
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
    """The items named by variant id or sku, as (by variant id, by sku), of the session's
    tenant; unknown ones are simply absent."""
    if not variant_ids and not skus:
        return {}, {}
    stmt = _ITEMS[(bool(variant_ids), bool(skus))]
    params = {
        "tenant": session.info["tenant_id"],
        "ids": sorted(set(variant_ids)),
        "skus": sorted(set(skus)),
    }
    rows = await stmt.rows(session, params)
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
        gift_card,
        cost,
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
    return SaleItem(
        stock_item, price, tax_class, sellable, tuple(rules), options, bool(gift_card), cost
    )
