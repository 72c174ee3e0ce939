"""After a ``bench.checkout`` run: does the ledger sum to on_hand, are receipts gapless, has every
order exactly its events, and are the tenant's event numbers gapless?"""

from __future__ import annotations

from typing import Any


async def verify(conn: Any, tenant_id: str, location_id: str) -> dict[str, Any]:
    """After a run: does the ledger sum to on_hand for every variant at the location, is nothing
    left reserved by completed orders, and do the receipt numbers run 1..N without gaps?"""
    mismatched = await conn.fetchval(
        "SELECT count(*) FROM stock_levels l LEFT JOIN (SELECT variant_id, sum(delta_milli) AS s "
        "FROM stock_movements WHERE tenant_id = $1 AND location_id = $2 GROUP BY variant_id) m "
        "ON m.variant_id = l.variant_id WHERE l.tenant_id = $1 AND l.location_id = $2 "
        "AND l.on_hand_milli <> coalesce(m.s, 0)",
        tenant_id,
        location_id,
    )
    levels = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(reserved_milli), 0) AS reserved FROM stock_levels "
        "WHERE tenant_id = $1 AND location_id = $2",
        tenant_id,
        location_id,
    )
    open_reserved = await conn.fetchval(
        "SELECT coalesce(sum(l.quantity_milli), 0) FROM order_lines l JOIN orders o "
        "ON o.tenant_id = l.tenant_id AND o.id = l.order_id WHERE o.tenant_id = $1 "
        "AND o.location_id = $2 AND o.status = 'open'",
        tenant_id,
        location_id,
    )
    receipts = await conn.fetchrow(
        "SELECT count(*) AS completed, count(DISTINCT receipt_number) AS distinct_numbers, "
        "min(split_part(receipt_number, '-', 3)::int) AS first, "
        "max(split_part(receipt_number, '-', 3)::int) AS last FROM orders "
        "WHERE tenant_id = $1 AND location_id = $2 AND status = 'completed'",
        tenant_id,
        location_id,
    )
    sequence = await conn.fetchval(
        "SELECT coalesce(sum(last_number), 0) FROM receipt_sequences "
        "WHERE tenant_id = $1 AND location_id = $2",
        tenant_id,
        location_id,
    )
    # Every order has exactly one order.created; a completed order exactly one order.completed,
    # an open one none (a lost or a doubled event would show here).
    # Events are counted per subject first and then joined (a hash join); joined per order
    # instead, a fresh database without statistics planned a nested loop that ran for minutes.
    await conn.execute("ANALYZE orders, events")
    order_events = await conn.fetchrow(
        "SELECT count(*) AS orders, count(*) FILTER (WHERE coalesce(e.created, 0) <> 1 OR "
        "coalesce(e.completed, 0) <> CASE WHEN o.status = 'completed' THEN 1 ELSE 0 END) AS wrong "
        "FROM orders o LEFT JOIN (SELECT subject_id, "
        "count(*) FILTER (WHERE type = 'order.created') AS created, "
        "count(*) FILTER (WHERE type = 'order.completed') AS completed FROM events "
        "WHERE tenant_id = $1 AND type IN ('order.created', 'order.completed') "
        "GROUP BY subject_id) e ON e.subject_id = o.id "
        "WHERE o.tenant_id = $1 AND o.location_id = $2",
        tenant_id,
        location_id,
    )
    completed = int(receipts["completed"])
    gapless = completed == 0 or (
        receipts["first"] == 1
        and receipts["last"] == completed
        and receipts["distinct_numbers"] == completed
        and sequence == completed
    )
    return {
        "stockLevels": int(levels["n"]),
        "levelsDisagreeingWithLedger": int(mismatched),
        "ledgerAgrees": mismatched == 0,
        "reservedMilli": int(levels["reserved"]),
        "openOrdersQuantityMilli": int(open_reserved),
        "reservationsAgree": int(levels["reserved"]) == int(open_reserved),
        "completedOrders": completed,
        "receiptRange": [receipts["first"], receipts["last"]],
        "receiptSequence": int(sequence),
        "receiptsGapless": bool(gapless),
        "orders": int(order_events["orders"]),
        "ordersWithWrongEvents": int(order_events["wrong"]),
        "orderEventsAgree": int(order_events["wrong"]) == 0,
    }


async def verify_event_sequence(conn: Any, tenant_id: str) -> dict[str, Any]:
    """The tenant's events are numbered 1..N with no gap and no duplicate, N its counter."""
    events = await conn.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seqs, min(seq) AS first, "
        "max(seq) AS last FROM events WHERE tenant_id = $1",
        tenant_id,
    )
    counter = await conn.fetchval(
        "SELECT coalesce(max(last_seq), 0) FROM event_counters WHERE tenant_id = $1", tenant_id
    )
    n = int(events["n"])
    gapless = n == 0 or (
        events["first"] == 1
        and events["last"] == n
        and events["distinct_seqs"] == n
        and counter == n
    )
    return {
        "events": n,
        "seqRange": [events["first"], events["last"]],
        "counter": int(counter),
        "seqGapless": bool(gapless),
    }
