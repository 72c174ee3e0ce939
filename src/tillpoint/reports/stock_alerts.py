"""Stock that needs a decision: dead stock (on hand, no sale in N days) and low stock
(available at or below the reorder point).

Low stock is not ``GET /v1/inventory/levels?belowReorderPoint=true``: that one compares
``onHand`` with the reorder point, this one ``available`` (onHand − reserved), what can still
be sold; each row is the level as inventory shows it (``inventory.levels.level_out``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import stock_items_by_id
from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.money import from_minor, from_thousandths
from tillpoint.identity.service import get_tenant, tenant_currency_exponent
from tillpoint.inventory.levels import level_out
from tillpoint.inventory.models import StockLevel, StockMovement
from tillpoint.reports.inventory_schemas import (
    DeadStockReportOut,
    DeadStockRowOut,
    DeadStockTotalsOut,
    LowStockReportOut,
    LowStockRowOut,
)
from tillpoint.reports.scope import report_locations
from tillpoint.reports.valuation import costs_at, stock_value


@dataclass(frozen=True)
class DeadStock:
    location_id: str
    variant_id: str
    on_hand_milli: int
    last_sold_at: datetime | None


async def dead_stock(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    days: int,
    now: datetime | None = None,
) -> DeadStockReportOut:
    """Each (location, variant) with stock on hand and no sale there in the last ``days``,
    with its last sale and its value at today's cost, in one query for the stock."""
    locations = await report_locations(session, principal, location_id)
    now = now or utcnow()
    since = now - timedelta(days=days)
    m = StockMovement
    last_sale = (
        select(func.max(m.occurred_at))
        .where(
            m.tenant_id == StockLevel.tenant_id,
            m.variant_id == StockLevel.variant_id,
            m.location_id == StockLevel.location_id,
            m.reason == "sale",
        )
        .correlate(StockLevel)
        .scalar_subquery()
    )
    stmt = (
        select(StockLevel.location_id, StockLevel.variant_id, StockLevel.on_hand_milli, last_sale)
        .where(
            StockLevel.location_id.in_([loc.location_id for loc in locations]),
            StockLevel.on_hand_milli > 0,
            or_(last_sale.is_(None), last_sale < since),
        )
        .order_by(StockLevel.location_id, StockLevel.variant_id)
    )
    found = [DeadStock(*row) for row in await session.execute(stmt)] if locations else []
    variant_ids = {d.variant_id for d in found}
    items = await stock_items_by_id(session, variant_ids)
    costs = await costs_at(session, variant_ids, now)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    currency = (await get_tenant(session, principal.tenant_id)).currency
    rows, on_hand, value = [], 0, 0
    for d in found:
        item = items.get(d.variant_id)
        cost = costs.get(d.variant_id)
        worth = None if cost is None else stock_value(d.on_hand_milli, cost)
        on_hand += d.on_hand_milli
        value += worth or 0
        rows.append(
            DeadStockRowOut(
                location_id=d.location_id,
                variant_id=d.variant_id,
                product_id=item.product_id if item else "",
                sku=item.sku if item else "",
                name=item.name if item else "",
                on_hand=from_thousandths(d.on_hand_milli),
                last_sold_at=d.last_sold_at,
                unit_cost=None if cost is None else from_minor(cost, exponent),
                value=None if worth is None else from_minor(worth, exponent),
            )
        )
    return DeadStockReportOut(
        days=days,
        since=since,
        currency=currency,
        rows=rows,
        totals=DeadStockTotalsOut(
            on_hand=from_thousandths(on_hand), value=from_minor(value, exponent)
        ),
    )


async def low_stock(
    session: AsyncSession, principal: Principal, *, location_id: str | None
) -> LowStockReportOut:
    """The levels whose available quantity is at or below their reorder point."""
    locations = await report_locations(session, principal, location_id)
    if not locations:
        return LowStockReportOut(rows=[])
    available = StockLevel.on_hand_milli - StockLevel.reserved_milli
    stmt = (
        select(StockLevel)
        .where(
            StockLevel.location_id.in_([loc.location_id for loc in locations]),
            StockLevel.reorder_point_milli.is_not(None),
            available <= StockLevel.reorder_point_milli,
        )
        .order_by(StockLevel.location_id, StockLevel.variant_id)
    )
    levels = list((await session.execute(stmt)).scalars())
    items = await stock_items_by_id(session, {lv.variant_id for lv in levels})
    rows = []
    for level in levels:
        shown: dict[str, Any] = level_out(level, items.get(level.variant_id))
        for key in ("updated_at", "as_of"):
            shown.pop(key)
        short: Decimal = shown["reorder_point"] - shown["available"]
        rows.append(LowStockRowOut(**shown, short_by=short))
    return LowStockReportOut(rows=rows)
