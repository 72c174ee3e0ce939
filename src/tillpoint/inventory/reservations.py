"""Reservations: stock held for open (parked) orders, so ``available = onHand − reserved``.

A reservation changes only ``stock_levels.reserved_milli``, by an atomic update in the caller's
transaction, in the ledger's lock order (variant id). Channel orders, and every order at a
location that allows no negative stock, reserve only what is available — a conditional update
(``on_hand − reserved >= requested``), never a read then a write — so the payment of such an
order cannot fail for stock; register orders elsewhere may reserve past it (the goods are in the
customer's hands).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError
from tillpoint.core.events import record_event
from tillpoint.core.money import quantity_json
from tillpoint.inventory.level_rows import (
    LEVELS,
    Shortage,
    available_of,
    ensure_levels,
    insufficient_stock,
    upsert_levels,
)


class Reservation(NamedTuple):
    """A change of what is reserved of one item: ``delta`` thousandths (signed), and where the
    line came from in the request (``lineItems[0].quantity``) to name it when it is short."""

    item: StockItem
    delta: int
    field: str = ""


async def change_reservations(
    session: AsyncSession,
    tenant_id: str,
    location_id: str,
    changes: Sequence[Reservation],
    *,
    within_available: bool,
    reference_id: str,
) -> None:
    """Add ``delta`` thousandths to what is reserved of each item at the location.

    With ``within_available`` an increase that would reserve more than on hand minus already
    reserved fails the whole call with 409 INSUFFICIENT_STOCK naming every short item.
    """
    merged: dict[str, Reservation] = {}
    for change in changes:
        seen = merged.get(change.item.variant_id)
        if seen is not None:  # one level, one update: named by its first line
            change = seen._replace(delta=seen.delta + change.delta)
        merged[change.item.variant_id] = change
    ordered = sorted((c for c in merged.values() if c.delta), key=lambda c: c.item.variant_id)
    if not ordered:
        return
    now = utcnow()
    if within_available and any(c.delta > 0 for c in ordered):
        levels, refusal = await _reserve_each(session, tenant_id, location_id, ordered, now)
    else:
        # Nothing to check: every level in one upsert (the register's usual case).
        levels = await upsert_levels(
            session,
            tenant_id,
            [(c.item.variant_id, location_id, 0, c.delta) for c in ordered],
            now,
        )
        refusal = None
    if refusal is not None:
        # Nothing is recorded: the caller's transaction is rolled back with the error.
        raise refusal
    for item, delta, _ in ordered:
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


async def _reserve_each(
    session: AsyncSession,
    tenant_id: str,
    location_id: str,
    ordered: list[Reservation],
    now: datetime,
) -> tuple[dict[tuple[str, str], tuple[int, int]], AppError | None]:
    """One update per level, an increase only within what is available: the levels after, and
    the 409 naming every item short (None when none is)."""
    await ensure_levels(session, tenant_id, ((c.item.variant_id, location_id) for c in ordered))
    levels: dict[tuple[str, str], tuple[int, int]] = {}
    short: list[Reservation] = []
    for item, delta, field in ordered:
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
            short.append(Reservation(item, delta, field))
        else:
            levels[(item.variant_id, location_id)] = (int(row[0]), int(row[1]))
    if not short:
        return levels, None
    available = await available_of(
        session, tenant_id, [(c.item.variant_id, location_id) for c in short]
    )
    shortages = (
        Shortage(
            c.item,
            location_id,
            c.field,
            c.delta,
            available.get((c.item.variant_id, location_id), 0),
        )
        for c in short
    )
    return levels, insufficient_stock(shortages, "available")
