"""Reservations: stock held for open (parked) orders, so ``available = onHand − reserved``.

A reservation changes only ``stock_levels.reserved_milli``, by an atomic update in the caller's
transaction, in the ledger's lock order (variant id). Channel orders reserve only what is
available; register orders may reserve past it (the goods are in the customer's hands).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.core.db import table_of, utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.money import quantity_json
from tillpoint.inventory.level_rows import ensure_levels, upsert_levels
from tillpoint.inventory.models import StockLevel

LEVELS = table_of(StockLevel)


async def change_reservations(
    session: AsyncSession,
    tenant_id: str,
    location_id: str,
    changes: Sequence[tuple[StockItem, int]],
    *,
    within_available: bool,
    reference_id: str,
) -> None:
    """Add ``delta`` thousandths to what is reserved of each item at the location.

    With ``within_available`` an increase that would reserve more than on hand minus already
    reserved fails the whole call with 409 INSUFFICIENT_STOCK naming every short item.
    """
    merged: dict[str, tuple[StockItem, int]] = {}
    for item, delta in changes:
        seen = merged.get(item.variant_id)
        merged[item.variant_id] = (item, delta + (seen[1] if seen else 0))
    ordered = sorted((pair for pair in merged.values() if pair[1]), key=lambda p: p[0].variant_id)
    if not ordered:
        return
    now = utcnow()
    if within_available and any(delta > 0 for _, delta in ordered):
        levels, short = await _reserve_each(session, tenant_id, location_id, ordered, now)
    else:
        # Nothing to check: every level in one upsert (the register's usual case).
        levels = await upsert_levels(
            session,
            tenant_id,
            [(item.variant_id, location_id, 0, delta) for item, delta in ordered],
            now,
        )
        short = []
    for item, delta in ordered:
        level = levels.get((item.variant_id, location_id))
        if level is None:
            continue
        on_hand, reserved = level
        record_event(
            session,
            "inventory.reservation_changed",
            {
                "variantId": item.variant_id,
                "productId": item.product_id,
                "sku": item.sku,
                "locationId": location_id,
                "onHand": quantity_json(on_hand),
                "reserved": quantity_json(reserved),
                "available": quantity_json(on_hand - reserved),
                "delta": quantity_json(delta),
                "referenceType": "order",
                "referenceId": reference_id,
            },
            subject_id=item.variant_id,
            location_id=location_id,
            tenant_id=tenant_id,
        )
    if short:
        raise AppError("INSUFFICIENT_STOCK", details=short)


async def _reserve_each(
    session: AsyncSession,
    tenant_id: str,
    location_id: str,
    ordered: list[tuple[StockItem, int]],
    now: datetime,
) -> tuple[dict[tuple[str, str], tuple[int, int]], list[dict[str, Any]]]:
    """One update per level, an increase only within what is available: the levels after, and
    the details of every item short."""
    await ensure_levels(session, tenant_id, ((i.variant_id, location_id) for i, _ in ordered))
    levels: dict[tuple[str, str], tuple[int, int]] = {}
    short: list[dict[str, Any]] = []
    for item, delta in ordered:
        stmt = (
            update(LEVELS)
            .where(
                LEVELS.c.tenant_id == tenant_id,
                LEVELS.c.variant_id == item.variant_id,
                LEVELS.c.location_id == location_id,
            )
            .values(reserved_milli=LEVELS.c.reserved_milli + delta, updated_at=now)
            .returning(LEVELS.c.on_hand_milli, LEVELS.c.reserved_milli)
        )
        if delta > 0:
            stmt = stmt.where(LEVELS.c.on_hand_milli - LEVELS.c.reserved_milli >= delta)
        row = (await session.execute(stmt)).one_or_none()
        if row is None:
            short.append(
                {
                    "message": f"not enough of {item.sku} available to reserve",
                    "sku": item.sku,
                    "variantId": item.variant_id,
                    "locationId": location_id,
                    "requested": quantity_json(delta),
                }
            )
        else:
            levels[(item.variant_id, location_id)] = (int(row[0]), int(row[1]))
    return levels, short
