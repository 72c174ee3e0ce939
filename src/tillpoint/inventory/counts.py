"""Stock counts: open, record lines from several devices at once, commit, cancel.

A count taken at time T sets the quantity *as of T*: committing posts, per line, the movement
``counted - (ledger sum as of T)`` with ``occurred_at = T``, so movements that occurred after T
stay applied on top (a backdated or offline count comes out right). Without a ``countedAt``
each line is as of its own ``recorded_at``, and a full count's uncounted items as of the commit.
"""

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.categories import get_category
from tillpoint.catalog.lookup import category_subtree, stock_items_by_id, stockable_items_in
from tillpoint.core.auth import Principal
from tillpoint.core.db import dialect_insert, table_of, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.money import thousandths
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.inventory.ledger import MOVEMENTS, MovementLine, apply_movements, quantities_as_of
from tillpoint.inventory.level_rows import LEVELS, lock_levels
from tillpoint.inventory.models import StockCount, StockCountLine
from tillpoint.inventory.schemas import CountIn, CountLinesIn, CountOut
from tillpoint.inventory.service import not_in_future, qty, resolve_skus, scoped_to_location
from tillpoint.stores.service import get_location

LINES = table_of(StockCountLine)


async def get_count(
    session: AsyncSession, principal: Principal, count_id: str, *, lock: str | None = None
) -> StockCount:
    """The count, if the principal may see its location; ``lock`` "share" or "update" (lines
    are recorded under a share lock, so a commit waits for them and they wait for a commit)."""
    if not has_prefix(count_id, "count"):
        raise not_found("Count")
    stmt = select(StockCount).where(StockCount.id == count_id)
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share")
    count = (await session.execute(stmt)).scalar_one_or_none()
    if count is None or not principal.can_access_location(count.location_id):
        raise not_found("Count")
    return count


def _require_open(count: StockCount) -> None:
    if count.status != "open":
        raise AppError("INVALID_STATUS", f"The count is {count.status}.")


async def count_view(
    session: AsyncSession, count: StockCount, *, with_lines: bool = True
) -> dict[str, Any]:
    lines = await _lines_with_expected(session, count) if with_lines else None
    line_count = (
        len(lines) if lines is not None else (await _line_counts(session, [count.id]))[count.id]
    )
    return _count_out(count, line_count, lines)


def _count_out(
    count: StockCount, line_count: int, lines: list[dict[str, Any]] | None
) -> dict[str, Any]:
    return {
        "id": count.id,
        "location_id": count.location_id,
        "scope": {"category_id": count.category_id} if count.category_id else None,
        "full": count.full,
        "counted_at": count.counted_at,
        "status": count.status,
        "notes": count.notes,
        "line_count": line_count,
        "committed_at": count.committed_at,
        "created_by": count.created_by,
        "created_at": count.created_at,
        "updated_at": count.updated_at,
        "version": count.version,
        # Keys starting with "_" are internal figures (the thousandths commit works with).
        "lines": None
        if lines is None
        else [{k: v for k, v in x.items() if not k.startswith("_")} for x in lines],
    }


async def _line_counts(session: AsyncSession, count_ids: list[str]) -> dict[str, int]:
    if not count_ids:
        return {}
    stmt = (
        select(StockCountLine.count_id, func.count())
        .where(StockCountLine.count_id.in_(count_ids))
        .group_by(StockCountLine.count_id)
    )
    found = {cid: int(n) for cid, n in (await session.execute(stmt))}
    return {cid: found.get(cid, 0) for cid in count_ids}


async def _lines_with_expected(session: AsyncSession, count: StockCount) -> list[dict[str, Any]]:
    """Each line with what the ledger expected as of the line's time, in one grouped query.
    The count's own movements are left out, so a committed count still shows its variance."""
    line, m = LINES.c, MOVEMENTS.c
    at = m.occurred_at <= (count.counted_at if count.counted_at else line.recorded_at)
    joined = LINES.outerjoin(
        MOVEMENTS,
        and_(
            m.tenant_id == line.tenant_id,
            m.variant_id == line.variant_id,
            m.location_id == count.location_id,
            at,
            m.reference_id.is_(None) | (m.reference_id != count.id),
        ),
    )
    stmt = (
        select(
            line.variant_id,
            line.counted_milli,
            line.recorded_at,
            func.coalesce(func.sum(m.delta_milli), 0),
        )
        .select_from(joined)
        .where(line.tenant_id == count.tenant_id, line.count_id == count.id)
        .group_by(line.variant_id, line.counted_milli, line.recorded_at)
        .order_by(line.variant_id)
    )
    rows = (await session.execute(stmt)).all()
    items = await stock_items_by_id(session, {r[0] for r in rows})
    out = []
    for variant_id, counted, recorded_at, expected in rows:
        item = items.get(variant_id)
        out.append(
            {
                "variant_id": variant_id,
                "product_id": item.product_id if item else None,
                "sku": item.sku if item else None,
                "name": item.name if item else None,
                "expected": qty(int(expected)),
                "counted": qty(counted),
                "variance": qty(counted - int(expected)),
                "recorded_at": recorded_at,
                "_expected_milli": int(expected),
                "_counted_milli": int(counted),
            }
        )
    return out


def _record(session: AsyncSession, event_type: str, view: dict[str, Any], **extra: Any) -> None:
    data = CountOut.model_validate({**view, "lines": None}).model_dump(mode="json", by_alias=True)
    data.pop("lines", None)
    data.update(extra)
    record_event(session, event_type, data, subject_id=view["id"], location_id=view["location_id"])


async def open_count(session: AsyncSession, principal: Principal, data: CountIn) -> dict[str, Any]:
    location = await get_location(session, principal, data.location_id)
    counted_at = None if data.counted_at is None else not_in_future(data.counted_at, "countedAt")
    category_id = None
    if data.scope is not None:
        try:
            category_id = (await get_category(session, data.scope.category_id)).id
        except AppError:
            raise field_error("scope.categoryId", "unknown category") from None
    now = utcnow()
    count = StockCount(
        tenant_id=principal.tenant_id,
        id=new_id("count"),
        location_id=location.id,
        category_id=category_id,
        full=data.full,
        counted_at=counted_at,
        status="open",
        notes=data.notes,
        created_by=principal.id,
        created_at=now,
        updated_at=now,
    )
    session.add(count)
    await session.flush()
    view = _count_out(count, 0, [])
    _record(session, "inventory.count_opened", view)
    return view


async def record_lines(
    session: AsyncSession, principal: Principal, count_id: str, data: CountLinesIn
) -> dict[str, Any]:
    """Absolute quantities replace a line; increments add to it by an atomic upsert, so two
    devices scanning the same item at once both count."""
    count = await get_count(session, principal, count_id, lock="share")
    _require_open(count)
    items = await resolve_skus(
        session, [(f"items[{i}].sku", x.sku) for i, x in enumerate(data.items)]
    )
    if count.category_id is not None:
        scope = await category_subtree(session, count.category_id)
        outside = [
            {"field": f"items[{i}].sku", "message": f"{x.sku} is not in the count's category"}
            for i, x in enumerate(data.items)
            if items[x.sku].category_id not in scope
        ]
        if outside:
            raise AppError("VALIDATION_ERROR", details=outside)
    now = utcnow()
    insert = dialect_insert(session)
    upserts = []
    for i, x in enumerate(data.items):
        item = items[x.sku]
        absolute = x.counted_quantity is not None
        value = x.counted_quantity if x.counted_quantity is not None else x.increment
        assert value is not None  # the schema requires one of the two
        field = f"items[{i}].{'countedQuantity' if absolute else 'increment'}"
        milli = thousandths(value, field, whole_units_only=item.whole_units_only)
        upserts.append((item.variant_id, i, absolute, milli))
    # Rows in variant order (the same in every request), so two devices cannot deadlock.
    for variant_id, _, absolute, milli in sorted(upserts):
        stmt = insert(LINES).values(
            tenant_id=principal.tenant_id,
            count_id=count.id,
            variant_id=variant_id,
            counted_milli=milli,
            recorded_at=now,
        )
        counted = stmt.excluded.counted_milli
        stmt = stmt.on_conflict_do_update(
            index_elements=[LINES.c.tenant_id, LINES.c.count_id, LINES.c.variant_id],
            set_={
                "counted_milli": counted if absolute else LINES.c.counted_milli + counted,
                "recorded_at": stmt.excluded.recorded_at,
            },
        )
        await session.execute(stmt)
    record_event(
        session,
        "inventory.count_lines_recorded",
        {"countId": count.id, "locationId": count.location_id, "itemCount": len(data.items)},
        subject_id=count.id,
        location_id=count.location_id,
    )
    return await count_view(session, count)


async def list_counts(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    location_id: str | None,
    status: str | None,
) -> tuple[list[dict[str, Any]], int]:
    stmt = params.filter_updated(select(StockCount), StockCount.updated_at)
    stmt = await scoped_to_location(session, principal, stmt, StockCount.location_id, location_id)
    if status is not None:
        stmt = stmt.where(StockCount.status == status)
    counts, total = await paginate(
        session, stmt, StockCount.id, offset=params.offset, limit=params.page_size
    )
    line_counts = await _line_counts(session, [c.id for c in counts])
    return [_count_out(c, line_counts[c.id], None) for c in counts], total


async def commit_count(
    session: AsyncSession, principal: Principal, count_id: str
) -> dict[str, Any]:
    count = await get_count(session, principal, count_id, lock="update")
    _require_open(count)
    location = await get_location(session, principal, count.location_id)
    now = utcnow()
    location_id = location.id
    counted = set(
        (
            await session.execute(
                select(StockCountLine.variant_id).where(StockCountLine.count_id == count.id)
            )
        ).scalars()
    )
    uncounted: set[str] = set()
    if count.full:
        scope = (
            None
            if count.category_id is None
            else await category_subtree(session, count.category_id)
        )
        in_scope = {i.variant_id for i in await stockable_items_in(session, scope)}
        stocked = set(
            (
                await session.execute(
                    select(LEVELS.c.variant_id).where(
                        LEVELS.c.tenant_id == count.tenant_id, LEVELS.c.location_id == location_id
                    )
                )
            ).scalars()
        )
        uncounted = (in_scope & stocked) - counted
    # Lock every level first: while held, no movement of these items commits, so the as-of
    # figures read below are the ones the corrections are computed against.
    await lock_levels(session, count.tenant_id, [(v, location_id) for v in counted | uncounted])
    if uncounted:
        past = await quantities_as_of(
            session, count.tenant_id, [location_id], uncounted, count.counted_at or now
        )
        zeroes = sorted(v for v in uncounted if past.get((v, location_id), 0) != 0)
        if zeroes:
            await session.execute(
                LINES.insert(),
                [
                    {
                        "tenant_id": count.tenant_id,
                        "count_id": count.id,
                        "variant_id": v,
                        "counted_milli": 0,
                        "recorded_at": now,
                    }
                    for v in zeroes
                ],
            )
    lines = await _lines_with_expected(session, count)
    items = await stock_items_by_id(session, {x["variant_id"] for x in lines})
    movements = [
        MovementLine(
            items[x["variant_id"]],
            location_id,
            x["_counted_milli"] - x["_expected_milli"],
            f"lines[{i}]",
            occurred_at=count.counted_at or x["recorded_at"],
        )
        for i, x in enumerate(lines)
        if x["variant_id"] in items
    ]
    applied = await apply_movements(
        session,
        count.tenant_id,
        movements,
        reason="stock_count",
        reference_type="count",
        reference_id=count.id,
        occurred_at=count.counted_at or now,
        actor=principal.id,
        # A backdated count can take onHand below zero (later sales stay applied); where the
        # location forbids negative stock that is refused like any other movement.
        allow_negative=location.allow_negative_stock,
    )
    count.status = "committed"
    count.committed_at = now
    await session.flush()
    view = _count_out(count, len(lines), lines)
    _record(session, "inventory.count_committed", view, movementCount=len(applied))
    return view


async def cancel_count(
    session: AsyncSession, principal: Principal, count_id: str
) -> dict[str, Any]:
    count = await get_count(session, principal, count_id, lock="update")
    _require_open(count)
    count.status = "cancelled"
    await session.flush()
    view = await count_view(session, count, with_lines=False)
    _record(session, "inventory.count_cancelled", view)
    return view
