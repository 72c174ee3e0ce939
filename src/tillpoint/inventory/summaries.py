"""Stock figures the catalog shows beside its own data (a product's ``inventory``, the
scanner's stock here): inventory's side of ``catalog.stock.StockFigures`` (ADR 0008)."""

from collections.abc import Collection

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.stock import LevelFigures
from tillpoint.core.db import table_of
from tillpoint.core.driver import DriverStatement
from tillpoint.inventory.models import StockLevel
from tillpoint.stores.models import Location


class InventoryStockFigures:
    """Reads ``stock_levels``; holds no state, so one serves every request."""

    async def levels_of_variants(
        self,
        session: AsyncSession,
        variant_ids: Collection[str],
        location_ids: Collection[str] | None,
    ) -> list[LevelFigures]:
        if not variant_ids:
            return []
        stmt = select(
            StockLevel.variant_id,
            StockLevel.location_id,
            StockLevel.on_hand_milli,
            StockLevel.reserved_milli,
            StockLevel.reorder_point_milli,
        ).where(StockLevel.variant_id.in_(set(variant_ids)))
        if location_ids is not None:
            stmt = stmt.where(StockLevel.location_id.in_(set(location_ids)))
        # No ORDER BY: the one caller sums per location and sorts the sums itself.
        rows = await session.execute(stmt)
        return [LevelFigures(*row) for row in rows]

    async def stock_at(
        self, session: AsyncSession, location_id: str, variant_id: str
    ) -> tuple[int, int] | None:
        params = {"tenant": session.info["tenant_id"], "location": location_id}
        rows = await _STOCK_AT.rows(session, {**params, "variant": variant_id})
        if not rows:
            return None
        found = rows[0]
        return found[1] or 0, found[2] or 0


# The location and its level in one query, a Core statement built once (the scanner's hot
# path): the location row answers "does it exist", the outer join the level (none yet is zero).
_LOCATIONS, _LEVELS = table_of(Location), table_of(StockLevel)
_STOCK_AT = DriverStatement(
    select(_LOCATIONS.c.id, _LEVELS.c.on_hand_milli, _LEVELS.c.reserved_milli)
    .outerjoin(
        _LEVELS,
        and_(
            _LEVELS.c.tenant_id == _LOCATIONS.c.tenant_id,
            _LEVELS.c.location_id == _LOCATIONS.c.id,
            _LEVELS.c.variant_id == bindparam("variant"),
        ),
    )
    .where(_LOCATIONS.c.tenant_id == bindparam("tenant"), _LOCATIONS.c.id == bindparam("location"))
)
