"""The stock ledger: every change of stock goes through ``apply_movements``.

A movement is one row in ``stock_movements``; the level it changes (``stock_levels.on_hand``)
moves by the same delta in the same transaction, by an atomic ``UPDATE … SET on_hand = on_hand
+ d``, never load-modify-save. So under any concurrency the ledger sums to ``on_hand``. Sales,
counts, transfers and adjustments all call this module; it uses Core statements (hot path).
The level rows themselves (created, locked, read, upserted) are in ``inventory/level_rows.py``.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.core.db import table_of, utcnow
from tillpoint.core.driver import DriverStatement
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import quantity_json
from tillpoint.inventory.level_rows import (
    LEVELS,
    Shortage,
    ensure_levels,
    insufficient_stock,
    on_hand_of,
    upsert_levels,
)
from tillpoint.inventory.models import StockMovement

MOVEMENTS = table_of(StockMovement)
_INSERT_MOVEMENTS = DriverStatement(MOVEMENTS.insert())


@dataclass(frozen=True)
class MovementLine:
    """One requested change: ``delta_milli`` thousandths of ``item`` at ``location_id``."""

    item: StockItem
    location_id: str
    delta_milli: int
    # Where the line came from in the request ("items[2]"), for INSUFFICIENT_STOCK details.
    field: str = ""
    # Overrides the call's occurred_at (a count without countedAt: each line at its own time).
    occurred_at: datetime | None = None
    # Changes what is reserved in the same update (a sale releases its order's reservation).
    reserved_delta_milli: int = 0


@dataclass(frozen=True)
class AppliedMovement:
    movement_id: str
    item: StockItem
    location_id: str
    delta_milli: int
    on_hand_after_milli: int
    occurred_at: datetime

    @property
    def on_hand_before_milli(self) -> int:
        return self.on_hand_after_milli - self.delta_milli


def merge_lines(lines: Iterable[MovementLine]) -> list[MovementLine]:
    """Duplicates of one (variant, location, time) summed; sorted by (variant, location) — the
    lock order every writer uses, so two transactions never wait on each other in a cycle."""
    merged: dict[tuple[str, str, datetime | None], MovementLine] = {}
    for line in lines:
        key = (line.item.variant_id, line.location_id, line.occurred_at)
        seen = merged.get(key)
        if seen is None:
            merged[key] = line
        else:
            merged[key] = MovementLine(
                seen.item,
                seen.location_id,
                seen.delta_milli + line.delta_milli,
                seen.field,
                seen.occurred_at,
                seen.reserved_delta_milli + line.reserved_delta_milli,
            )
    return sorted(
        (line for line in merged.values() if line.delta_milli or line.reserved_delta_milli),
        key=lambda m: (m.item.variant_id, m.location_id),
    )


async def apply_movements(
    session: AsyncSession,
    tenant_id: str,
    lines: Sequence[MovementLine],
    *,
    reason: str,
    reference_type: str,
    reference_id: str | None,
    occurred_at: datetime,
    actor: str | None,
    allow_negative: bool | Mapping[str, bool] = True,
) -> list[AppliedMovement]:
    """Post movements to the ledger and their levels, atomically, in one transaction.

    ``allow_negative`` is one policy for all, or per location id (``Location.allow_negative_
    stock``). A decrement that would take a level below zero where that is not allowed makes
    the whole call fail with 409 INSUFFICIENT_STOCK naming every short line; the caller's
    transaction must then be rolled back (the request pipeline does so).
    """
    merged = merge_lines(lines)
    if not merged:
        return []
    now = utcnow()
    pairs = {(m.item.variant_id, m.location_id) for m in merged}
    checked = any(
        m.delta_milli < 0 and not _negative_allowed(allow_negative, m.location_id) for m in merged
    )
    # One level per line and nothing to check (the usual sale): one upsert for all of them.
    if checked or len(pairs) < len(merged):
        after = await _update_each(session, tenant_id, merged, allow_negative, now)
    else:
        levels = await upsert_levels(
            session,
            tenant_id,
            [
                (m.item.variant_id, m.location_id, m.delta_milli, m.reserved_delta_milli)
                for m in merged
            ],
            now,
        )
        after = [levels[(m.item.variant_id, m.location_id)][0] for m in merged]
    applied = [
        AppliedMovement(
            new_id("movement"),
            line.item,
            line.location_id,
            line.delta_milli,
            on_hand,
            line.occurred_at or occurred_at,
        )
        for line, on_hand in zip(merged, after, strict=True)
        if line.delta_milli
    ]
    await _INSERT_MOVEMENTS.insert_rows(
        session,
        [
            {
                "tenant_id": tenant_id,
                "id": m.movement_id,
                "variant_id": m.item.variant_id,
                "location_id": m.location_id,
                "delta_milli": m.delta_milli,
                "reason": reason,
                "reference_type": reference_type,
                "reference_id": reference_id,
                "occurred_at": m.occurred_at,
                "recorded_at": now,
                "on_hand_after_milli": m.on_hand_after_milli,
                "actor": actor,
            }
            for m in applied
        ],
    )
    for m in applied:
        record_event(
            session,
            "inventory.level_changed",
            {
                "variantId": m.item.variant_id,
                "productId": m.item.product_id,
                "sku": m.item.sku,
                "locationId": m.location_id,
                "oldOnHand": quantity_json(m.on_hand_before_milli),
                "newOnHand": quantity_json(m.on_hand_after_milli),
                "delta": quantity_json(m.delta_milli),
                "reason": reason,
                "referenceType": reference_type,
                "referenceId": reference_id,
                "movementId": m.movement_id,
                "occurredAt": m.occurred_at.isoformat().replace("+00:00", "Z"),
            },
            subject_id=m.item.variant_id,
            location_id=m.location_id,
            tenant_id=tenant_id,
        )
    return applied


async def _update_each(
    session: AsyncSession,
    tenant_id: str,
    merged: list[MovementLine],
    allow_negative: bool | Mapping[str, bool],
    now: datetime,
) -> list[int]:
    """on_hand after each line, by one update per line (conditional where the level may not go
    below zero); 409 INSUFFICIENT_STOCK naming every short line."""
    await ensure_levels(session, tenant_id, ((m.item.variant_id, m.location_id) for m in merged))
    after: list[int] = []
    short: list[MovementLine] = []
    for line in merged:
        stmt = (
            update(LEVELS)
            .where(
                LEVELS.c.tenant_id == tenant_id,
                LEVELS.c.variant_id == line.item.variant_id,
                LEVELS.c.location_id == line.location_id,
            )
            .values(on_hand_milli=LEVELS.c.on_hand_milli + line.delta_milli, updated_at=now)
            .returning(LEVELS.c.on_hand_milli)
        )
        if line.reserved_delta_milli:
            stmt = stmt.values(reserved_milli=LEVELS.c.reserved_milli + line.reserved_delta_milli)
        if line.delta_milli < 0 and not _negative_allowed(allow_negative, line.location_id):
            stmt = stmt.where(LEVELS.c.on_hand_milli + line.delta_milli >= 0)
        value = (await session.execute(stmt)).scalar_one_or_none()
        if value is None:
            short.append(line)
        else:
            after.append(int(value))
    if short:
        await _raise_insufficient(session, tenant_id, short)
    return after


def _negative_allowed(policy: bool | Mapping[str, bool], location_id: str) -> bool:
    if isinstance(policy, bool):
        return policy
    return policy.get(location_id, True)


async def _raise_insufficient(
    session: AsyncSession, tenant_id: str, short: list[MovementLine]
) -> None:
    current = await on_hand_of(
        session, tenant_id, [(m.item.variant_id, m.location_id) for m in short]
    )
    raise insufficient_stock(
        (
            Shortage(
                m.item,
                m.location_id,
                m.field,
                -m.delta_milli,
                current.get((m.item.variant_id, m.location_id), 0),
            )
            for m in short
        ),
        "on hand",
    )


async def quantities_as_of(
    session: AsyncSession,
    tenant_id: str,
    location_ids: Collection[str],
    variant_ids: Collection[str] | None,
    at: datetime,
    *,
    excluding_reference: str | None = None,
) -> dict[tuple[str, str], int]:
    """Stock as of ``at`` from the ledger: the sum of deltas that occurred at or before it,
    per (variant, location), in one grouped query. ``excluding_reference`` leaves out one
    reference's movements (a committed count's own corrections, to show what was expected)."""
    m = MOVEMENTS.c
    stmt = select(m.variant_id, m.location_id, func.coalesce(func.sum(m.delta_milli), 0)).where(
        m.tenant_id == tenant_id, m.location_id.in_(set(location_ids)), m.occurred_at <= at
    )
    if variant_ids is not None:
        if not variant_ids:
            return {}
        stmt = stmt.where(m.variant_id.in_(set(variant_ids)))
    if excluding_reference is not None:
        stmt = stmt.where((m.reference_id.is_(None)) | (m.reference_id != excluding_reference))
    stmt = stmt.group_by(m.variant_id, m.location_id)
    return {(v, loc): int(q) for v, loc, q in (await session.execute(stmt))}
