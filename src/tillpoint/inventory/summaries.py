"""Stock figures other domains show beside their own data (the catalog's product list)."""

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.inventory.models import StockLevel


@dataclass(frozen=True)
class LevelFigures:
    """One (variant, location) level, in thousandths."""

    variant_id: str
    location_id: str
    on_hand_milli: int
    reserved_milli: int
    reorder_point_milli: int | None


async def levels_of_variants(
    session: AsyncSession,
    variant_ids: Collection[str],
    location_ids: Collection[str] | None = None,
) -> list[LevelFigures]:
    """The levels of these variants (at these locations, or everywhere), in a stable order."""
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
    rows = await session.execute(stmt.order_by(StockLevel.location_id, StockLevel.variant_id))
    return [LevelFigures(*row) for row in rows]
