"""Stock levels (current and as of any past time), the absolute set, and the movement list."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import (
    StockItem,
    stock_items_by_id,
    stock_items_by_sku,
    variant_ids_matching,
)
from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, field_error
from tillpoint.core.events import record_event
from tillpoint.core.money import from_thousandths, quantity_json, thousandths
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.inventory.ledger import MovementLine, quantities_as_of
from tillpoint.inventory.level_rows import LEVELS, lock_levels
from tillpoint.inventory.models import StockLevel, StockMovement
from tillpoint.inventory.schemas import LevelSet
from tillpoint.inventory.service import post_adjustment, qty, resolve_skus, scoped_to_location
from tillpoint.stores.service import get_location

# --- levels --------------------------------------------------------------------------------


def level_out(
    level: Any, item: StockItem | None, *, on_hand: int | None = None, as_of: datetime | None = None
) -> dict[str, Any]:
    """A level row (ORM or Core) as the API shows it; ``on_hand`` overrides for an as-of view."""
    on_hand_milli = level.on_hand_milli if on_hand is None else on_hand
    return {
        "variant_id": level.variant_id,
        "product_id": item.product_id if item else "",
        "sku": item.sku if item else "",
        "name": item.name if item else "",
        "location_id": level.location_id,
        "on_hand": qty(on_hand_milli),
        "reserved": qty(level.reserved_milli),
        "available": qty(on_hand_milli - level.reserved_milli),
        "in_transit": qty(level.in_transit_milli),
        "reorder_point": qty(level.reorder_point_milli),
        "reorder_quantity": qty(level.reorder_quantity_milli),
        "updated_at": level.updated_at,
        "as_of": as_of,
    }


async def list_levels(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    location_id: str | None,
    sku: str | None,
    variant_id: str | None,
    below_reorder_point: bool | None,
    as_of: datetime | None,
    text: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Levels in (location, variant) order. With ``as_of``, onHand is the ledger's sum of the
    movements that occurred at or before that time; reserved and inTransit stay current."""
    stmt = params.filter_updated(select(StockLevel), StockLevel.updated_at)
    stmt = await scoped_to_location(session, principal, stmt, StockLevel.location_id, location_id)
    if sku is not None:
        found = await stock_items_by_sku(session, [sku])
        stmt = stmt.where(StockLevel.variant_id == (found[sku].variant_id if found else ""))
    if variant_id is not None:
        stmt = stmt.where(StockLevel.variant_id == variant_id)
    if text is not None:
        stmt = stmt.where(StockLevel.variant_id.in_(variant_ids_matching(text)))
    if below_reorder_point is not None:
        on_hand: Any = StockLevel.on_hand_milli
        if as_of is not None:
            m = StockMovement
            on_hand = (
                select(func.coalesce(func.sum(m.delta_milli), 0))
                .where(
                    m.tenant_id == StockLevel.tenant_id,
                    m.variant_id == StockLevel.variant_id,
                    m.location_id == StockLevel.location_id,
                    m.occurred_at <= as_of,
                )
                .correlate(StockLevel)
                .scalar_subquery()
            )
        below = StockLevel.reorder_point_milli.is_not(None) & (
            on_hand <= StockLevel.reorder_point_milli
        )
        stmt = stmt.where(below if below_reorder_point else ~below)
    levels, total = await paginate(
        session,
        stmt,
        StockLevel.location_id,
        StockLevel.variant_id,
        offset=params.offset,
        limit=params.page_size,
    )
    items = await stock_items_by_id(session, {lv.variant_id for lv in levels})
    if as_of is None:
        return [level_out(lv, items.get(lv.variant_id)) for lv in levels], total
    past = await quantities_as_of(
        session,
        principal.tenant_id,
        {lv.location_id for lv in levels},
        {lv.variant_id for lv in levels},
        as_of,
    )
    return [
        level_out(
            lv,
            items.get(lv.variant_id),
            on_hand=past.get((lv.variant_id, lv.location_id), 0),
            as_of=as_of,
        )
        for lv in levels
    ], total


async def resolve_one(session: AsyncSession, sku: str | None, variant_id: str | None) -> StockItem:
    if sku is not None:
        return (await resolve_skus(session, [("sku", sku)]))[sku]
    item = (await stock_items_by_id(session, [variant_id or ""])).get(variant_id or "")
    if item is None:
        raise field_error("variantId", f"unknown variant {variant_id}")
    if not item.stockable:
        raise field_error("variantId", f"{item.sku} takes no stock")
    return item


async def set_level(session: AsyncSession, principal: Principal, data: LevelSet) -> dict[str, Any]:
    """Set onHand absolutely (posting the difference as an adjustment) and/or the reorder
    settings, with an optional compare-and-set on expectedOnHand."""
    location = await get_location(session, principal, data.location_id)
    item = await resolve_one(session, data.sku, data.variant_id)
    pair = (item.variant_id, location.id)
    # The lock makes read-compare-post one step: no movement of this level commits meanwhile.
    current = (await lock_levels(session, principal.tenant_id, [pair]))[pair]
    if data.expected_on_hand is not None:
        expected = thousandths(data.expected_on_hand, "expectedOnHand")
        if expected != current:
            raise AppError(
                "STOCK_CHANGED",
                details=[
                    {
                        "field": "expectedOnHand",
                        "message": f"onHand is {from_thousandths(current)}",
                        "currentOnHand": quantity_json(current),
                    }
                ],
            )
    if data.on_hand is not None:
        target = thousandths(data.on_hand, "onHand", whole_units_only=item.whole_units_only)
        if target != current:
            line = MovementLine(item, location.id, target - current, "onHand")
            await post_adjustment(
                session,
                principal,
                location.id,
                data.reason,
                [line],
                notes=data.notes,
                occurred_at=utcnow(),
                allow_negative=True,
            )
    settings: dict[str, Any] = {}
    for name in ("reorder_point", "reorder_quantity"):
        if name in data.model_fields_set:
            value = getattr(data, name)
            settings[f"{name}_milli"] = None if value is None else thousandths(value, name)
    if settings:
        await session.execute(
            update(LEVELS)
            .where(
                LEVELS.c.tenant_id == principal.tenant_id,
                LEVELS.c.variant_id == item.variant_id,
                LEVELS.c.location_id == location.id,
            )
            .values(**settings, updated_at=utcnow())
        )
    row = (
        await session.execute(
            select(LEVELS).where(
                LEVELS.c.tenant_id == principal.tenant_id,
                LEVELS.c.variant_id == item.variant_id,
                LEVELS.c.location_id == location.id,
            )
        )
    ).one()
    out = level_out(row, item)
    if settings:
        record_event(
            session,
            "inventory.level_settings_changed",
            {
                "variantId": item.variant_id,
                "sku": item.sku,
                "locationId": location.id,
                "reorderPoint": quantity_json(row.reorder_point_milli),
                "reorderQuantity": quantity_json(row.reorder_quantity_milli),
            },
            subject_id=item.variant_id,
            location_id=location.id,
        )
    return out


# --- movements -----------------------------------------------------------------------------


async def list_movements(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    variant_id: str | None,
    sku: str | None,
    location_id: str | None,
    occurred_from: datetime | None,
    occurred_to: datetime | None,
    reason: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """Movements newest first: by occurredAt descending, then id descending (stable)."""
    stmt = params.filter_updated(select(StockMovement), StockMovement.recorded_at)
    stmt = await scoped_to_location(
        session, principal, stmt, StockMovement.location_id, location_id
    )
    if sku is not None:
        found = await stock_items_by_sku(session, [sku])
        stmt = stmt.where(StockMovement.variant_id == (found[sku].variant_id if found else ""))
    if variant_id is not None:
        stmt = stmt.where(StockMovement.variant_id == variant_id)
    if occurred_from is not None:
        stmt = stmt.where(StockMovement.occurred_at >= occurred_from)
    if occurred_to is not None:
        stmt = stmt.where(StockMovement.occurred_at < occurred_to)
    if reason is not None:
        stmt = stmt.where(StockMovement.reason == reason)
    rows, total = await paginate(
        session,
        stmt,
        StockMovement.occurred_at.desc(),
        StockMovement.id.desc(),
        offset=params.offset,
        limit=params.page_size,
    )
    items = await stock_items_by_id(session, {m.variant_id for m in rows})
    out = []
    for m in rows:
        item = items.get(m.variant_id)
        out.append(
            {
                "id": m.id,
                "variant_id": m.variant_id,
                "product_id": item.product_id if item else None,
                "sku": item.sku if item else None,
                "location_id": m.location_id,
                "delta": qty(m.delta_milli),
                "reason": m.reason,
                "reference_type": m.reference_type,
                "reference_id": m.reference_id,
                "occurred_at": m.occurred_at,
                "recorded_at": m.recorded_at,
                "on_hand_after": qty(m.on_hand_after_milli),
                "actor": m.actor,
            }
        )
    return out, total
