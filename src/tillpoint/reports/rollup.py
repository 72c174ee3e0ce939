"""The sales rollup: the event sequence folded into the summary tables (ADR 0016).

``catch_up`` reads the tenant's ``order.completed``, ``order.refunded`` and ``order.voided``
events after the cursor, in ``seq`` order and in batches, loads the rows they name, adds each
one's part (``reports.contributions``) with additive upserts and moves the cursor — all in one
transaction per batch, after taking the cursor's row, so two rollups never count an event
twice. The upper bound of a batch is read from the tenant's event counter first: every event
up to it has committed (the counter commits with its events, ADR 0001), so nothing below it
can appear later and the cursor may pass it.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Product
from tillpoint.core.db import Database, dialect_insert, in_list_chunks, table_of, utcnow
from tillpoint.core.events import Event, EventCounter
from tillpoint.core.transactions import transaction
from tillpoint.reports.contributions import Deltas, Place, add_refund, add_sale, add_void
from tillpoint.reports.models import (
    NONE,
    ProductSummary,
    ReportCursor,
    SalesSummary,
    TaxSummary,
    TenderSummary,
)
from tillpoint.sales.models import Order, OrderLine, Payment, Refund
from tillpoint.sales.sale_context import tenant_settings
from tillpoint.stores.models import Location

SALES = "sales"
SALES_EVENTS = ("order.completed", "order.refunded", "order.voided")
BATCH = 500
KEY = ("location_id", "business_day", "hour", "register_id", "employee_id", "channel", "shift_id")


async def catch_up(db: Database, tenant_id: str) -> None:
    """Fold every sales event committed so far into the summaries, a batch per transaction."""
    while True:
        async with transaction(db, tenant_id=tenant_id) as session:
            more = await roll_batch(session, tenant_id)
        if not more:
            return


async def roll_batch(session: AsyncSession, tenant_id: str) -> bool:
    """One batch; True when more events may be waiting."""
    last = await _lock_cursor(session, tenant_id)
    counter = select(EventCounter.last_seq).where(EventCounter.tenant_id == tenant_id)
    high = (await session.execute(counter)).scalar_one_or_none() or 0
    if high <= last:
        return False
    stmt = (
        select(Event.seq, Event.type, Event.subject_id, Event.data)
        .where(
            Event.tenant_id == tenant_id,
            Event.type.in_(SALES_EVENTS),
            Event.seq > last,
            Event.seq <= high,
        )
        .order_by(Event.seq)
        .limit(BATCH)
    )
    events = (await session.execute(stmt)).all()
    full = len(events) == BATCH
    if events:
        deltas = await _deltas(session, tenant_id, events)
        await _write(session, tenant_id, deltas)
    done_to = events[-1].seq if full else high
    await session.execute(
        update(ReportCursor)
        .where(ReportCursor.tenant_id == tenant_id, ReportCursor.name == SALES)
        .values(last_seq=done_to, updated_at=utcnow())
    )
    return full


async def _lock_cursor(session: AsyncSession, tenant_id: str) -> int:
    """The cursor's position, its row locked to the end of the transaction (made at 0)."""
    insert = dialect_insert(session)(table_of(ReportCursor))
    await session.execute(
        insert.values(
            tenant_id=tenant_id, name=SALES, last_seq=0, updated_at=utcnow()
        ).on_conflict_do_nothing()
    )
    stmt = (
        select(ReportCursor.last_seq)
        .where(ReportCursor.tenant_id == tenant_id, ReportCursor.name == SALES)
        .with_for_update()
    )
    return int((await session.execute(stmt)).scalar_one())


async def _deltas(session: AsyncSession, tenant_id: str, events: Sequence[Any]) -> Deltas:
    """What the batch's events add, from the rows they name, in event order."""
    order_ids = {e.subject_id for e in events}
    refund_ids = {e.data.get("refundId") for e in events if e.type == "order.refunded"}
    orders = {o.id: o for o in await _rows(session, Order, Order.id, order_ids)}
    lines_of: dict[str, list[OrderLine]] = {}
    for line in await _rows(session, OrderLine, OrderLine.order_id, order_ids):
        lines_of.setdefault(line.order_id, []).append(line)
    payments_of: dict[str, list[Payment]] = {}
    for payment in await _rows(session, Payment, Payment.order_id, order_ids):
        payments_of.setdefault(payment.order_id, []).append(payment)
    refunds = {r.id: r for r in await _rows(session, Refund, Refund.id, refund_ids - {None})}
    places = await _places(session, tenant_id, orders.values(), lines_of)
    deltas = Deltas()
    for event in events:
        order = orders[event.subject_id]
        lines = sorted(lines_of.get(order.id, []), key=lambda line: line.position)
        payments = sorted(payments_of.get(order.id, []), key=lambda p: p.id)
        place = places[order.location_id]
        if event.type == "order.completed":
            add_sale(deltas, order, lines, payments, place)
        elif event.type == "order.voided":
            add_void(deltas, order, lines, payments, place)
        else:
            brands = {p.id: p.card_brand or NONE for p in payments}
            refund = refunds[event.data["refundId"]]
            add_refund(deltas, order, refund, {x.id: x for x in lines}, brands, place)
    return deltas


async def _rows(session: AsyncSession, model: Any, column: Any, values: set[Any]) -> list[Any]:
    found: list[Any] = []
    for chunk in in_list_chunks(sorted(values)):
        found += (await session.execute(select(model).where(column.in_(chunk)))).scalars()
    return found


async def _places(
    session: AsyncSession,
    tenant_id: str,
    orders: Any,
    lines_of: dict[str, list[OrderLine]],
) -> dict[str, Place]:
    """Each location's timezone, the products' categories and the tenant's rounding."""
    location_ids = {o.location_id for o in orders}
    found = select(Location.id, Location.timezone).where(Location.id.in_(location_ids))
    zones: dict[str, str] = {row[0]: row[1] for row in await session.execute(found)}
    product_ids = {line.product_id for lines in lines_of.values() for line in lines}
    categories: dict[str, str] = {}
    for chunk in in_list_chunks(sorted(product_ids)):
        rows = await session.execute(
            select(Product.id, Product.category_id).where(Product.id.in_(chunk))
        )
        categories |= {pid: category or NONE for pid, category in rows}
    rounding = (await tenant_settings(session, tenant_id)).rounding
    return {lid: Place(zone, categories, rounding) for lid, zone in zones.items()}


async def _write(session: AsyncSession, tenant_id: str, deltas: Deltas) -> None:
    """Add the deltas to the summaries: INSERT, or add to the row already there."""
    await _upsert(session, SalesSummary, KEY, tenant_id, deltas.sales, {})
    await _upsert(
        session, TenderSummary, (*KEY, "tender_type", "card_brand"), tenant_id, deltas.tenders, {}
    )
    names = {}
    for key in deltas.taxes:
        name, rate = deltas.tax_names.get(key[-1], ("", ""))
        names[key] = {"name": name, "rate": rate}
    await _upsert(session, TaxSummary, (*KEY, "tax_rate_id"), tenant_id, deltas.taxes, names)
    refs = {}
    for key in deltas.products:
        product_id, category_id = deltas.product_refs[key[2]]
        refs[key] = {"product_id": product_id, "category_id": category_id}
    await _upsert(
        session,
        ProductSummary,
        ("location_id", "business_day", "variant_id"),
        tenant_id,
        deltas.products,
        refs,
    )


async def _upsert(
    session: AsyncSession,
    model: Any,
    key_columns: Sequence[str],
    tenant_id: str,
    rows: dict[Any, dict[str, int]],
    fixed: dict[Any, dict[str, Any]],
) -> None:
    """One multi-row INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x per chunk;
    ``fixed`` columns are set on insert and left as they are on conflict."""
    if not rows:
        return
    table = table_of(model)
    amounts = sorted({name for values in rows.values() for name in values})
    values = [
        {
            "tenant_id": tenant_id,
            **dict(zip(key_columns, key, strict=True)),
            **fixed.get(key, {}),
            **{name: row.get(name, 0) for name in amounts},
        }
        for key, row in rows.items()
    ]
    for chunk in in_list_chunks(values, 200):
        insert = dialect_insert(session)(table).values(list(chunk))
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["tenant_id", *key_columns],
                set_={name: table.c[name] + insert.excluded[name] for name in amounts},
            )
        )
