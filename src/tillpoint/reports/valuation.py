"""Inventory valuation as of any moment: the ledger's quantity then, times the cost in force
then (ADR 0016).

The quantity at T is today's ``on_hand`` minus the deltas of the movements that occurred after
T — a read of the levels and of the recent ledger (``ix_stock_movements_location``: tenant,
location, occurred_at), cheaper for recent dates than summing all history; the ledger always
sums to ``on_hand`` (DESIGN §5), so the two are equal (tests/reports prove it against the
levels' own ``asOf``, which sums the deltas up to T). The cost is the catalog's
``variant_costs`` row with the latest ``effective_at`` at or before T. A variant without one
has no value: its quantity is reported as ``unknownCostQuantity``. Negative quantities are
valued as they are (they lower the value), so the total agrees with the ledger.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem, stock_items_by_id
from tillpoint.catalog.models import Category, VariantCost
from tillpoint.core.auth import Principal
from tillpoint.core.db import in_list_chunks, utcnow
from tillpoint.core.money import QUANTITY_SCALE, from_minor, from_thousandths, round_to_minor
from tillpoint.identity.service import get_tenant, tenant_currency_exponent
from tillpoint.inventory.models import StockLevel, StockMovement
from tillpoint.reports.inventory_schemas import (
    ValuationCategoryOut,
    ValuationFiguresOut,
    ValuationGroupBy,
    ValuationLocationOut,
    ValuationReportOut,
    ValuationVariantOut,
)
from tillpoint.reports.scope import ReportLocation, report_locations

Key = tuple[str, str]  # (location id, variant id)


def stock_value(quantity_milli: int, cost_minor: int) -> int:
    """quantity (thousandths) × unit cost (minor units), rounded half-up to the minor unit."""
    return round_to_minor(Decimal(quantity_milli) * cost_minor / QUANTITY_SCALE)


async def quantities_at(
    session: AsyncSession, location_ids: Collection[str], at: datetime
) -> dict[Key, int]:
    """Each (location, variant)'s on hand as of ``at``: today's level less what moved since.
    Zero quantities are left out."""
    if not location_ids:
        return {}
    levels = select(StockLevel.location_id, StockLevel.variant_id, StockLevel.on_hand_milli).where(
        StockLevel.location_id.in_(set(location_ids))
    )
    quantities: dict[Key, int] = {
        (loc, variant): int(on_hand) for loc, variant, on_hand in await session.execute(levels)
    }
    m = StockMovement
    since = (
        select(m.location_id, m.variant_id, func.sum(m.delta_milli))
        .where(m.location_id.in_(set(location_ids)), m.occurred_at > at)
        .group_by(m.location_id, m.variant_id)
    )
    for loc, variant, moved in await session.execute(since):
        key = (loc, variant)
        quantities[key] = quantities.get(key, 0) - int(moved)
    return {key: q for key, q in quantities.items() if q != 0}


async def costs_at(
    session: AsyncSession, variant_ids: Collection[str], at: datetime
) -> dict[str, int | None]:
    """Each variant's cost in force at ``at`` (None: unknown then); variants without a row
    from before ``at`` are left out."""
    found: dict[str, int | None] = {}
    c = VariantCost
    for chunk in in_list_chunks(sorted(variant_ids)):
        latest = (
            select(c.tenant_id, c.variant_id, func.max(c.effective_at).label("at"))
            .where(c.variant_id.in_(chunk), c.effective_at <= at)
            .group_by(c.tenant_id, c.variant_id)
            .subquery()
        )
        stmt = select(c.variant_id, c.cost_minor).join(
            latest,
            and_(
                c.tenant_id == latest.c.tenant_id,
                c.variant_id == latest.c.variant_id,
                c.effective_at == latest.c.at,
            ),
        )
        found.update({row[0]: row[1] for row in await session.execute(stmt)})
    return found


@dataclass(frozen=True)
class ValuedStock:
    location: ReportLocation
    item: StockItem | None  # None: a variant the catalog no longer has
    variant_id: str
    category_name: str | None
    quantity_milli: int
    cost_minor: int | None

    @property
    def value_minor(self) -> int | None:
        if self.cost_minor is None:
            return None
        return stock_value(self.quantity_milli, self.cost_minor)


@dataclass
class ValuationReport:
    as_of: datetime
    currency: str
    exponent: int
    lines: list[ValuedStock]


async def inventory_valuation(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    as_of: datetime | None,
) -> ValuationReport:
    """Every (location, variant) with stock as of ``as_of`` (default now), valued."""
    locations = await report_locations(session, principal, location_id)
    at = as_of or utcnow()
    by_id = {loc.location_id: loc for loc in locations}
    quantities = await quantities_at(session, list(by_id), at)
    variant_ids = {variant for _, variant in quantities}
    costs = await costs_at(session, variant_ids, at)
    items = await stock_items_by_id(session, variant_ids)
    category_ids = {i.category_id for i in items.values() if i.category_id is not None}
    names: dict[str, str] = {}
    if category_ids:
        rows = await session.execute(
            select(Category.id, Category.name).where(Category.id.in_(category_ids))
        )
        names = {row[0]: row[1] for row in rows}
    lines = []
    for (loc, variant), quantity in sorted(quantities.items()):
        item = items.get(variant)
        category = item.category_id if item else None
        lines.append(
            ValuedStock(
                by_id[loc],
                item,
                variant,
                names.get(category) if category else None,
                quantity,
                costs.get(variant),
            )
        )
    tenant = await get_tenant(session, principal.tenant_id)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return ValuationReport(at, tenant.currency, exponent, lines)


# ---- the response ----------------------------------------------------------------------------


@dataclass
class ValuationSum:
    quantity_milli: int = 0
    value_minor: int = 0
    unknown_milli: int = 0

    def add(self, line: ValuedStock) -> None:
        self.quantity_milli += line.quantity_milli
        value = line.value_minor
        if value is None:
            self.unknown_milli += line.quantity_milli
        else:
            self.value_minor += value


def _figures(total: ValuationSum, exponent: int) -> dict[str, Any]:
    return {
        "quantity": from_thousandths(total.quantity_milli),
        "value": from_minor(total.value_minor, exponent),
        "unknown_cost_quantity": from_thousandths(total.unknown_milli),
    }


ROW_MODELS: dict[str, type[ValuationFiguresOut]] = {
    "location": ValuationLocationOut,
    "category": ValuationCategoryOut,
    "variant": ValuationVariantOut,
}


def valuation_out(report: ValuationReport, group_by: ValuationGroupBy) -> ValuationReportOut:
    """Rows per location, per location and category, or per location and variant; totals."""
    x = report.exponent
    total = ValuationSum()
    rows: list[ValuationVariantOut] | list[ValuationCategoryOut] | list[ValuationLocationOut]
    if group_by == "variant":
        variant_rows: list[ValuationVariantOut] = []
        for line in report.lines:
            total.add(line)
            item = line.item
            value = line.value_minor
            variant_rows.append(
                ValuationVariantOut(
                    location_id=line.location.location_id,
                    location_name=line.location.name,
                    category_id=item.category_id if item else None,
                    category_name=line.category_name,
                    product_id=item.product_id if item else "",
                    variant_id=line.variant_id,
                    sku=item.sku if item else "",
                    name=item.name if item else "",
                    unit_cost=None if line.cost_minor is None else from_minor(line.cost_minor, x),
                    quantity=from_thousandths(line.quantity_milli),
                    value=None if value is None else from_minor(value, x),
                    unknown_cost_quantity=from_thousandths(
                        line.quantity_milli if value is None else 0
                    ),
                )
            )
        rows = variant_rows
    else:
        groups: dict[tuple[str, str | None], tuple[ValuedStock, ValuationSum]] = {}
        for line in report.lines:
            total.add(line)
            category = line.item.category_id if line.item else None
            key = (line.location.location_id, category if group_by == "category" else None)
            groups.setdefault(key, (line, ValuationSum()))[1].add(line)
        ordered = sorted(groups.items(), key=lambda g: (g[0][0], g[1][0].category_name or ""))
        if group_by == "category":
            rows = [
                ValuationCategoryOut(
                    location_id=first.location.location_id,
                    location_name=first.location.name,
                    category_id=category,
                    category_name=first.category_name,
                    **_figures(summed, x),
                )
                for (_, category), (first, summed) in ordered
            ]
        else:
            rows = [
                ValuationLocationOut(
                    location_id=first.location.location_id,
                    location_name=first.location.name,
                    **_figures(summed, x),
                )
                for _, (first, summed) in ordered
            ]
    return ValuationReportOut(
        as_of=report.as_of,
        group_by=group_by,
        currency=report.currency,
        rows=rows,
        totals=ValuationFiguresOut(**_figures(total, x)),
    )
