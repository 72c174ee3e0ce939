"""Product performance: per variant, product or category over business days, from the
product summaries (ADR 0016) — units sold and returned, net sales, cost, margin, sell-through
against today's stock, and an ABC class by net sales; sorted, top-N."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category, Product, Variant
from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks
from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.inventory.models import StockLevel
from tillpoint.reports.daily_sales import percent, summary_scope
from tillpoint.reports.models import NONE, ProductSummary
from tillpoint.reports.performance_schemas import (
    ProductFigures,
    ProductGrouping,
    ProductSort,
    ProductsOut,
)
from tillpoint.reports.scope import ReportScope, report_scope

SUMMED = (
    "units_milli",
    "gross_minor",
    "net_minor",
    "cost_minor",
    "returned_units_milli",
    "returns_minor",
    "returns_cost_minor",
)
GROUP_COLUMNS = {"variant": "variant_id", "product": "product_id", "category": "category_id"}
A_SHARE, B_SHARE = Decimal(80), Decimal(95)  # cumulative % of net sales


async def product_performance(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    first: date | None,
    last: date | None,
    group_by: ProductGrouping,
    sort: ProductSort,
    descending: bool,
    limit: int | None,
) -> ProductsOut:
    scope = await report_scope(session, principal, location_id, first, last)
    sums = await _sums(session, principal.tenant_id, scope, GROUP_COLUMNS[group_by])
    on_hand = await _on_hand(session, scope.location_ids, group_by)
    labels, skus = await _labels(session, group_by, set(sums))
    rows = [
        _figures(key, labels.get(key, key), skus.get(key), values, on_hand.get(key, 0), scope)
        for key, values in sums.items()
    ]
    rows = _classified(rows)
    rows.sort(key=lambda row: row.key)  # ties in the sort stay in a stable order
    rows.sort(key=lambda row: _sort_value(row, sort), reverse=descending)
    return ProductsOut(
        currency=scope.currency,
        from_=scope.days.first,
        to=scope.days.last,
        group_by=group_by,
        location_ids=scope.location_ids,
        total_rows=len(rows),
        rows=rows[:limit] if limit is not None else rows,
    )


async def _sums(
    session: AsyncSession, tenant_id: str, scope: ReportScope, column: str
) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    if not scope.location_ids:
        return found
    group = getattr(ProductSummary, column)
    stmt = (
        select(group, *(func.sum(getattr(ProductSummary, c)) for c in SUMMED))
        .where(*summary_scope(ProductSummary, tenant_id, scope.location_ids, scope.days))
        .group_by(group)
    )
    for key, *values in await session.execute(stmt):
        found[key] = dict(zip(SUMMED, map(int, values), strict=True))
    return found


async def _on_hand(
    session: AsyncSession, location_ids: Sequence[str], group_by: ProductGrouping
) -> dict[str, int]:
    """Today's on hand (thousandths) per group at the report's locations."""
    if not location_ids:
        return {}
    by = {
        "variant": StockLevel.variant_id,
        "product": Variant.product_id,
        "category": func.coalesce(Product.category_id, NONE),
    }[group_by]
    stmt = (
        select(by, func.sum(StockLevel.on_hand_milli))
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(StockLevel.location_id.in_(location_ids))
        .group_by(by)
    )
    return {row[0]: int(row[1]) for row in await session.execute(stmt)}


async def _labels(
    session: AsyncSession, group_by: ProductGrouping, keys: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Names per key (and SKUs per variant)."""
    labels: dict[str, str] = {NONE: "No category"} if group_by == "category" else {}
    skus: dict[str, str] = {}
    for chunk in in_list_chunks(sorted(keys - {NONE})):
        if group_by == "variant":
            stmt: Any = (
                select(Variant.id, Product.name, Variant.name, Variant.sku)
                .join(Product, Product.id == Variant.product_id)
                .where(Variant.id.in_(chunk))
            )
            for vid, product, variant, sku in await session.execute(stmt):
                labels[vid] = f"{product} - {variant}" if variant else product
                skus[vid] = sku
        else:
            model: Any = Product if group_by == "product" else Category
            stmt = select(model.id, model.name).where(model.id.in_(chunk))
            labels |= {row[0]: row[1] for row in await session.execute(stmt)}
    return labels, skus


def _figures(
    key: str,
    label: str,
    sku: str | None,
    s: dict[str, int],
    on_hand: int,
    scope: ReportScope,
) -> ProductFigures:
    def money(minor: int) -> Decimal:
        return from_minor(minor, scope.exponent)

    net_sales = s["net_minor"] - s["returns_minor"]
    cost = s["cost_minor"] - s["returns_cost_minor"]
    sold = s["units_milli"]
    stocked = sold + max(on_hand, 0)
    return ProductFigures(
        key=key,
        label=label,
        sku=sku,
        units_sold=from_thousandths(sold),
        units_returned=from_thousandths(s["returned_units_milli"]),
        gross_sales=money(s["gross_minor"]),
        discounts=money(s["gross_minor"] - s["net_minor"]),
        returns=money(s["returns_minor"]),
        net_sales=money(net_sales),
        cost_of_goods=money(cost),
        margin=money(net_sales - cost),
        margin_percent=percent(net_sales - cost, net_sales),
        on_hand=from_thousandths(on_hand),
        sell_through=percent(sold, stocked),
        abc_class="C",
    )


def _classified(rows: list[ProductFigures]) -> list[ProductFigures]:
    """A, B or C by each row's place in the cumulative share of positive net sales: a row is
    A while what ranks above it makes less than 80 %, B below 95 %, else C."""
    ranked = sorted(rows, key=lambda row: (-row.net_sales, row.key))
    total = sum((row.net_sales for row in ranked if row.net_sales > 0), Decimal(0))
    above = Decimal(0)
    classes: dict[str, Any] = defaultdict(lambda: "C")
    for row in ranked:
        if row.net_sales <= 0 or total == 0:
            break
        share = above * 100 / total
        classes[row.key] = "A" if share < A_SHARE else "B" if share < B_SHARE else "C"
        above += row.net_sales
    return [row.model_copy(update={"abc_class": classes[row.key]}) for row in rows]


def _sort_value(row: ProductFigures, sort: ProductSort) -> Decimal:
    value = {
        "netSales": row.net_sales,
        "units": row.units_sold,
        "margin": row.margin,
        "marginPercent": row.margin_percent,
        "returns": row.returns,
        "sellThrough": row.sell_through,
    }[sort]
    return value if value is not None else Decimal("-Infinity")
