"""Adjustments, and the sku resolution and checks levels, counts and transfers share.

Manual adjustments obey the location's ``allowNegativeStock``: where negatives are not allowed,
an adjustment that would take a level below zero fails with 409 INSUFFICIENT_STOCK.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from tillpoint.catalog.lookup import StockItem, stock_items_by_sku
from tillpoint.core.auth import Principal
from tillpoint.core.db import get_by_id, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import from_thousandths, thousandths
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.inventory.ledger import (
    MovementLine,
    apply_movements,
)
from tillpoint.inventory.models import Adjustment
from tillpoint.inventory.schemas import AdjustmentIn, AdjustmentOut
from tillpoint.stores.service import get_location

# How far ahead of our clock a device's occurredAt / countedAt may be.
CLOCK_SKEW = timedelta(minutes=5)


def qty(milli: int | None) -> Decimal | None:
    return None if milli is None else from_thousandths(milli)


def not_in_future(value: datetime | None, field: str) -> datetime:
    """The time a change happened: now by default, any past time, never the future."""
    now = utcnow()
    if value is None:
        return now
    if value > now + CLOCK_SKEW:
        raise field_error(field, "must not be in the future")
    return value


async def resolve_skus(
    session: AsyncSession, refs: Sequence[tuple[str, str]]
) -> dict[str, StockItem]:
    """Stock items for (field, sku) pairs; unknown and unstockable skus are a 400 naming each."""
    found = await stock_items_by_sku(session, {sku for _, sku in refs})
    details = []
    for field, sku in refs:
        item = found.get(sku)
        if item is None:
            details.append({"field": field, "message": f"unknown sku {sku}"})
        elif not item.stockable:
            details.append(
                {
                    "field": field,
                    "message": f"{sku} takes no stock (archived or sold only in its variants)",
                }
            )
    if details:
        raise AppError("VALIDATION_ERROR", details=details)
    return found


def location_filter(
    principal: Principal, column: QueryableAttribute[str]
) -> ColumnElement[bool] | None:
    """Limits a list to the principal's locations (None: they see every location)."""
    if principal.location_ids is None:
        return None
    return column.in_(principal.location_ids)


async def scoped_to_location(
    session: AsyncSession,
    principal: Principal,
    stmt: Select[Any],
    column: QueryableAttribute[str],
    location_id: str | None,
) -> Select[Any]:
    if location_id is not None:
        await get_location(session, principal, location_id)
        return stmt.where(column == location_id)
    limit = location_filter(principal, column)
    return stmt if limit is None else stmt.where(limit)


# --- adjustments ---------------------------------------------------------------------------


def adjustment_out(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "adjustment_id": adjustment.id,
        "location_id": adjustment.location_id,
        "reason": adjustment.reason,
        "status": adjustment.status,
        "item_count": adjustment.item_count,
        "items": adjustment.items,
        "notes": adjustment.notes,
        "occurred_at": adjustment.occurred_at,
        "created_at": adjustment.created_at,
        "created_by": adjustment.created_by,
    }


async def post_adjustment(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    reason: str,
    lines: list[MovementLine],
    *,
    notes: str,
    occurred_at: datetime,
    allow_negative: bool,
) -> Adjustment:
    """Record an adjustment and post its lines to the ledger."""
    adjustment = Adjustment(
        tenant_id=principal.tenant_id,
        id=new_id("adjustment"),
        location_id=location_id,
        reason=reason,
        status="posted",
        notes=notes,
        item_count=len(lines),
        items=[
            {
                "variantId": m.item.variant_id,
                "sku": m.item.sku,
                "deltaQuantity": str(from_thousandths(m.delta_milli)),
            }
            for m in lines
        ],
        occurred_at=occurred_at,
        created_at=utcnow(),
        updated_at=utcnow(),
        created_by=principal.id,
    )
    session.add(adjustment)
    await apply_movements(
        session,
        principal.tenant_id,
        lines,
        reason=reason,
        reference_type="adjustment",
        reference_id=adjustment.id,
        occurred_at=occurred_at,
        actor=principal.id,
        allow_negative=allow_negative,
    )
    await session.flush()
    data = AdjustmentOut.model_validate(adjustment_out(adjustment)).model_dump(
        mode="json", by_alias=True
    )
    record_event(
        session,
        "inventory.adjustment_posted",
        data,
        subject_id=adjustment.id,
        location_id=location_id,
    )
    return adjustment


async def create_adjustment(
    session: AsyncSession, principal: Principal, data: AdjustmentIn
) -> Adjustment:
    location = await get_location(session, principal, data.location_id)
    occurred_at = not_in_future(data.occurred_at, "occurredAt")
    items = await resolve_skus(
        session, [(f"items[{i}].sku", line.sku) for i, line in enumerate(data.items)]
    )
    lines = []
    for i, line in enumerate(data.items):
        item = items[line.sku]
        field = f"items[{i}].deltaQuantity"
        delta = thousandths(line.delta_quantity, field, whole_units_only=item.whole_units_only)
        if delta == 0:
            raise field_error(field, "must not be zero")
        lines.append(MovementLine(item, location.id, delta, f"items[{i}]"))
    return await post_adjustment(
        session,
        principal,
        location.id,
        data.reason,
        lines,
        notes=data.notes,
        occurred_at=occurred_at,
        allow_negative=location.allow_negative_stock,
    )


async def list_adjustments(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    location_id: str | None,
    reason: str | None,
) -> tuple[list[Adjustment], int]:
    stmt = params.filter_updated(select(Adjustment), Adjustment.updated_at)
    stmt = await scoped_to_location(session, principal, stmt, Adjustment.location_id, location_id)
    if reason is not None:
        stmt = stmt.where(Adjustment.reason == reason)
    return await paginate(
        session, stmt, Adjustment.id, offset=params.offset, limit=params.page_size
    )


async def get_adjustment(
    session: AsyncSession, principal: Principal, adjustment_id: str
) -> Adjustment:
    adjustment = await get_by_id(session, Adjustment, "adjustment", adjustment_id)
    if adjustment is None or not principal.can_access_location(adjustment.location_id):
        raise not_found("Adjustment")
    return adjustment
