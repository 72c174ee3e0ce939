"""Stock as the catalog shows it: the figures in a product's ``inventory`` and the scanner's.

Stock is inventory's, and inventory sits above the catalog (its levels are of catalog variants),
so the catalog never imports it (ADR 0008). Whoever asks the catalog for stock passes a
``StockFigures``: inventory's is ``tillpoint.inventory.summaries.InventoryStockFigures``, which
``create_app`` puts on ``app.state.stock_figures`` for the catalog's routes (the ``Stock``
dependency in ``catalog/deps.py``).
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class LevelFigures:
    """One (variant, location) level, in thousandths."""

    variant_id: str
    location_id: str
    on_hand_milli: int
    reserved_milli: int
    reorder_point_milli: int | None


class StockFigures(Protocol):
    async def levels_of_variants(
        self,
        session: AsyncSession,
        variant_ids: Collection[str],
        location_ids: Collection[str] | None,
    ) -> list[LevelFigures]:
        """The levels of these variants (at these locations, or everywhere), in no particular
        order: one query, whatever the number of variants."""
        ...

    async def stock_at(
        self, session: AsyncSession, location_id: str, variant_id: str
    ) -> tuple[int, int] | None:
        """The variant's (on hand, reserved) thousandths at the location, ``(0, 0)`` when it has
        no level there, ``None`` when the tenant has no such location: one round trip (the
        scanner's hot path)."""
        ...
