"""The stock level rows (``stock_levels``): created when missing, locked in lock order, read,
and changed by atomic SQL — never load-modify-save. The ledger (``inventory/ledger.py``)
changes ``on_hand`` here in the transaction that records the movement; reservations change
``reserved`` and transfers ``in_transit``. Core statements: these run with every sale.
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.core.db import dialect_insert, table_of, utcnow
from tillpoint.core.driver import DriverStatement
from tillpoint.core.errors import AppError
from tillpoint.core.money import quantity_json
from tillpoint.inventory.models import StockLevel

LEVELS = table_of(StockLevel)


async def ensure_levels(
    session: AsyncSession, tenant_id: str, pairs: Iterable[tuple[str, str]]
) -> None:
    """Create missing level rows for (variant, location) pairs, in lock order, in one statement."""
    wanted = sorted(set(pairs))
    if not wanted:
        return
    # Read first: an INSERT … ON CONFLICT on a row another transaction holds waits for that
    # transaction, so only rows that are really missing are inserted (usually none).
    existing = await session.execute(
        select(LEVELS.c.variant_id, LEVELS.c.location_id).where(
            LEVELS.c.tenant_id == tenant_id,
            LEVELS.c.variant_id.in_({v for v, _ in wanted}),
            LEVELS.c.location_id.in_({loc for _, loc in wanted}),
        )
    )
    wanted = sorted(set(wanted) - {(v, loc) for v, loc in existing})
    if not wanted:
        return
    now = utcnow()
    rows = [
        {
            "tenant_id": tenant_id,
            "variant_id": variant_id,
            "location_id": location_id,
            "on_hand_milli": 0,
            "reserved_milli": 0,
            "in_transit_milli": 0,
            "updated_at": now,
        }
        for variant_id, location_id in wanted
    ]
    await session.execute(dialect_insert(session)(LEVELS).values(rows).on_conflict_do_nothing())


async def upsert_levels(
    session: AsyncSession,
    tenant_id: str,
    changes: Sequence[tuple[str, str, int, int]],
    now: datetime,
) -> dict[tuple[str, str], tuple[int, int]]:
    """Add (on_hand, reserved) deltas to the levels of (variant, location, Δon_hand, Δreserved)
    — distinct pairs, sorted: the lock order — creating missing rows, in one statement, for
    changes that need no check. Returns (on_hand, reserved) after, per pair.

    ``INSERT … ON CONFLICT DO UPDATE`` takes each row's lock in the order of its VALUES, so
    this is the same lock order as one update per row, in one round trip instead of a read
    (``ensure_levels``) and one update per row. It runs at the driver level
    (``core.driver``).
    """
    levels: dict[tuple[str, str], tuple[int, int]] = {}
    for start in range(0, len(changes), UPSERT_ROWS):
        chunk = changes[start : start + UPSERT_ROWS]
        params: dict[str, Any] = {"tenant": tenant_id, "now": now}
        for i, (variant_id, location_id, on_hand, reserved) in enumerate(chunk):
            params |= {
                f"v{i}": variant_id,
                f"l{i}": location_id,
                f"q{i}": on_hand,
                f"r{i}": reserved,
            }
        # The rows come back in no particular order, hence keyed by level.
        for v, loc, q, r in await _upsert_statement(session, len(chunk)).rows(session, params):
            levels[(v, loc)] = (int(q), int(r))
    return levels


# Levels per statement: a sale's lines in one; a longer list in statements of this many, in
# order (the lock order holds across them).
UPSERT_ROWS = 32


def _upsert_statement(session: AsyncSession, count: int) -> DriverStatement:
    """The upsert of ``count`` levels, built once per dialect and count: it runs with every
    sale, and building it (``excluded`` above all) costs more than executing it."""
    dialect = session.get_bind().dialect.name
    stmt = _upserts.get((dialect, count))
    if stmt is None:
        values = [
            {
                "tenant_id": bindparam("tenant"),
                "variant_id": bindparam(f"v{i}"),
                "location_id": bindparam(f"l{i}"),
                "on_hand_milli": bindparam(f"q{i}", type_=BigInteger),
                "reserved_milli": bindparam(f"r{i}", type_=BigInteger),
                "in_transit_milli": 0,
                "updated_at": bindparam("now", type_=LEVELS.c.updated_at.type),
            }
            for i in range(count)
        ]
        insert = dialect_insert(session)(LEVELS).values(values)
        new = insert.excluded
        upsert = insert.on_conflict_do_update(
            index_elements=[LEVELS.c.tenant_id, LEVELS.c.variant_id, LEVELS.c.location_id],
            set_={
                "on_hand_milli": LEVELS.c.on_hand_milli + new.on_hand_milli,
                "reserved_milli": LEVELS.c.reserved_milli + new.reserved_milli,
                "updated_at": new.updated_at,
            },
        ).returning(
            LEVELS.c.variant_id,
            LEVELS.c.location_id,
            LEVELS.c.on_hand_milli,
            LEVELS.c.reserved_milli,
        )
        stmt = _upserts[(dialect, count)] = DriverStatement(upsert)
    return stmt


_upserts: dict[tuple[str, int], DriverStatement] = {}


async def lock_levels(
    session: AsyncSession, tenant_id: str, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Ensure and lock level rows (in lock order) and return their on_hand.

    For writers that must read before they write (an absolute set, a backdated count): while
    the lock is held no other movement of these levels can commit.
    """
    wanted = sorted(set(pairs))
    if not wanted:
        return {}
    await ensure_levels(session, tenant_id, wanted)
    variants = {v for v, _ in wanted}
    locations = {loc for _, loc in wanted}
    stmt = (
        select(LEVELS.c.variant_id, LEVELS.c.location_id, LEVELS.c.on_hand_milli)
        .where(
            LEVELS.c.tenant_id == tenant_id,
            LEVELS.c.variant_id.in_(variants),
            LEVELS.c.location_id.in_(locations),
        )
        .order_by(LEVELS.c.variant_id, LEVELS.c.location_id)
        .with_for_update()
    )
    found = {(v, loc): int(q) for v, loc, q in (await session.execute(stmt))}
    return {pair: found[pair] for pair in wanted}


async def on_hand_of(
    session: AsyncSession, tenant_id: str, pairs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Current on_hand of these (variant, location) pairs (missing rows are left out)."""
    return await _quantities_of(session, tenant_id, pairs, LEVELS.c.on_hand_milli)


async def available_of(
    session: AsyncSession, tenant_id: str, pairs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """What is available (on_hand − reserved) of these pairs now (missing rows are left out)."""
    available = LEVELS.c.on_hand_milli - LEVELS.c.reserved_milli
    return await _quantities_of(session, tenant_id, pairs, available)


async def _quantities_of(
    session: AsyncSession,
    tenant_id: str,
    pairs: Collection[tuple[str, str]],
    quantity: ColumnElement[int],
) -> dict[tuple[str, str], int]:
    if not pairs:
        return {}
    stmt = select(LEVELS.c.variant_id, LEVELS.c.location_id, quantity).where(
        LEVELS.c.tenant_id == tenant_id,
        LEVELS.c.variant_id.in_({v for v, _ in pairs}),
        LEVELS.c.location_id.in_({loc for _, loc in pairs}),
    )
    return {(v, loc): int(q) for v, loc, q in (await session.execute(stmt))}


async def change_in_transit(
    session: AsyncSession, tenant_id: str, location_id: str, deltas: Mapping[str, int]
) -> None:
    """Add to what is on its way to ``location_id`` (variant → thousandths), atomically."""
    changes = sorted((v, d) for v, d in deltas.items() if d)
    if not changes:
        return
    await ensure_levels(session, tenant_id, ((v, location_id) for v, _ in changes))
    now = utcnow()
    for variant_id, delta in changes:
        await session.execute(
            update(LEVELS)
            .where(
                LEVELS.c.tenant_id == tenant_id,
                LEVELS.c.variant_id == variant_id,
                LEVELS.c.location_id == location_id,
            )
            .values(in_transit_milli=LEVELS.c.in_transit_milli + delta, updated_at=now)
        )


class Shortage(NamedTuple):
    """One line short of stock: what it asked for and what there was (thousandths), and the
    request field it came from (``items[2]``, ``lineItems[0].quantity``)."""

    item: StockItem
    location_id: str
    field: str
    requested_milli: int
    there_milli: int


def insufficient_stock(shortages: Iterable[Shortage], there: str) -> AppError:
    """409 INSUFFICIENT_STOCK naming every short line, in the order of the request
    (``items[2]`` before ``items[10]``); ``there`` says what was counted ("on hand",
    "available"). A level below zero (an adjustment took on hand below what is reserved)
    is said as none in the message."""
    details = [
        {
            "field": s.field or None,
            "message": f"only {quantity_json(max(s.there_milli, 0))} of {s.item.sku} {there}",
            "sku": s.item.sku,
            "variantId": s.item.variant_id,
            "locationId": s.location_id,
            "requested": quantity_json(s.requested_milli),
            "available": quantity_json(s.there_milli),
        }
        for s in sorted(shortages, key=lambda s: _in_request_order(s.field))
    ]
    return AppError("INSUFFICIENT_STOCK", details=details)


def _in_request_order(field: str) -> list[Any]:
    """A sort key that puts ``items[2]`` before ``items[10]`` (text order would not)."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", field)
    ]
