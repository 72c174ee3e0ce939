"""Stock movement over business days: per variant per location, the quantity at the start of
the first day, what each kind of movement added or took in the days, and the quantity at the
end of the last — ``closing = opening + every movement``, since every change of stock is a
ledger row (DESIGN §5).

Each location's days run between its own local midnights (``local_days.day_window``). The
opening is today's ``on_hand`` less the deltas since the first midnight, as valuation reads a
past quantity (``valuation``); the movements are the ledger's rows in the window, summed by
reason in one grouped query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem, stock_items_by_id
from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.money import from_thousandths
from tillpoint.inventory.models import StockLevel, StockMovement
from tillpoint.reports.inventory_schemas import (
    MovementFiguresOut,
    MovementRowOut,
    StockMovementReportOut,
)
from tillpoint.reports.local_days import day_window, todays
from tillpoint.reports.scope import Period, ReportLocation, period, report_locations

Key = tuple[str, str]  # (location id, variant id)

# Which column each ledger reason counts in (inventory.models ADJUSTMENT_REASONS and
# SYSTEM_REASONS). A cancelled transfer's stock coming back to its source nets its transfer
# out; a reason this table does not know counts as adjusted, so closing always adds up.
COLUMN_OF_REASON = {
    "received": "received",
    "sale": "sold",
    "refund": "returned",
    "void": "returned",
    "return": "returned",
    "stock_count": "counted",
    "transfer_in": "transferred_in",
    "transfer_out": "transferred_out",
    "transfer_cancelled": "transferred_out",
}
MOVEMENT_COLUMNS = (
    "received",
    "sold",
    "returned",
    "adjusted",
    "counted",
    "transferred_in",
    "transferred_out",
)


def column_of(reason: str) -> str:
    return COLUMN_OF_REASON.get(reason, "adjusted")


@dataclass
class Movement:
    """Thousandths: the opening, each column's sum, and the closing they make."""

    opening: int = 0
    moved: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENT_COLUMNS, 0))

    @property
    def closing(self) -> int:
        return self.opening + sum(self.moved.values())

    def add(self, other: "Movement") -> None:
        self.opening += other.opening
        for name, value in other.moved.items():
            self.moved[name] += value


@dataclass
class StockMovementReport:
    period: Period
    rows: dict[Key, Movement]
    items: dict[str, StockItem]


async def stock_movement(
    session: AsyncSession,
    principal: Principal,
    *,
    location_id: str | None,
    first: date | None,
    last: date | None,
    now: datetime | None = None,
) -> StockMovementReport:
    locations = await report_locations(session, principal, location_id)
    low, high = todays([loc.timezone for loc in locations], now or utcnow())
    if first is None and last is None:
        first, last = low, high
    days = period(first, last, today=high)
    rows: dict[Key, Movement] = defaultdict(Movement)
    if locations:
        await _read(session, locations, days, rows)
    kept = {key: row for key, row in rows.items() if row.opening or any(row.moved.values())}
    items = await stock_items_by_id(session, {variant for _, variant in kept})
    return StockMovementReport(days, kept, items)


async def _read(
    session: AsyncSession,
    locations: list[ReportLocation],
    days: Period,
    rows: dict[Key, Movement],
) -> None:
    """Three grouped reads for every location at once: today's levels, the deltas since each
    location's first midnight, and the window's deltas by reason."""
    windows = {
        loc.location_id: day_window(days.first, days.last, loc.timezone) for loc in locations
    }
    m = StockMovement
    since = or_(
        *(and_(m.location_id == loc, m.occurred_at >= start) for loc, (start, _) in windows.items())
    )
    within = or_(
        *(
            and_(m.location_id == loc, m.occurred_at >= start, m.occurred_at < end)
            for loc, (start, end) in windows.items()
        )
    )
    levels = select(StockLevel.location_id, StockLevel.variant_id, StockLevel.on_hand_milli).where(
        StockLevel.location_id.in_(list(windows))
    )
    for loc, variant, on_hand in await session.execute(levels):
        rows[(loc, variant)].opening += int(on_hand)
    later = select(m.location_id, m.variant_id, func.sum(m.delta_milli)).where(since)
    for loc, variant, moved in await session.execute(later.group_by(m.location_id, m.variant_id)):
        rows[(loc, variant)].opening -= int(moved)
    by_reason = (
        select(m.location_id, m.variant_id, m.reason, func.sum(m.delta_milli))
        .where(within)
        .group_by(m.location_id, m.variant_id, m.reason)
    )
    for loc, variant, reason, moved in await session.execute(by_reason):
        rows[(loc, variant)].moved[column_of(reason)] += int(moved)


def _figures(row: Movement) -> dict[str, Any]:
    return {
        "opening": from_thousandths(row.opening),
        **{name: from_thousandths(value) for name, value in row.moved.items()},
        "closing": from_thousandths(row.closing),
    }


def stock_movement_out(report: StockMovementReport) -> StockMovementReportOut:
    total = Movement()
    rows = []
    for (loc, variant), row in sorted(report.rows.items()):
        total.add(row)
        item = report.items.get(variant)
        rows.append(
            MovementRowOut(
                location_id=loc,
                variant_id=variant,
                sku=item.sku if item else "",
                name=item.name if item else "",
                **_figures(row),
            )
        )
    return StockMovementReportOut(
        from_=report.period.first,
        to=report.period.last,
        rows=rows,
        totals=MovementFiguresOut(**_figures(total)),
    )
