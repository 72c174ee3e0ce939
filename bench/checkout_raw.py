"""The ceiling of ``bench.checkout``: one checkout as raw asyncpg transactions, and the checks.

``create`` and ``pay`` do, in one transaction each (as Tillpoint does: the create request is
one transaction, the pay request another), the database work a checkout amounts to, on
Tillpoint's own tables with their real columns — hand-written SQL, no ORM, no HTTP:

- create: read the 3 items by sku (variant ⋈ product: price, name, tax class); INSERT the
  order; INSERT the 3 lines (executemany); 3 ``UPDATE stock_levels SET reserved += q …
  RETURNING`` in variant order; the per-tenant event counter upsert; INSERT the 4 events
  (3 ``inventory.reservation_changed``, ``order.created``); INSERT the audit entry; COMMIT.
- pay: ``SELECT … FOR UPDATE`` the order; read its lines; INSERT the payment; 3 conditional
  ``UPDATE stock_levels SET on_hand −= q, reserved −= q … RETURNING`` in variant order;
  INSERT the 3 ledger movements (executemany); the receipt-sequence upsert-and-increment
  (``INSERT … ON CONFLICT DO UPDATE … RETURNING``); UPDATE the order (completed, receipt
  number, paid); the event counter upsert; INSERT the 8 events (3 ``level_changed``, 3
  ``reservation_changed``, ``payment.captured``, ``order.completed``); INSERT the audit
  entry; COMMIT.

What it leaves out, and Tillpoint pays for: authentication (the API key read), tenant settings,
location and tax-rate reads per request (read once here), ``ensure_levels`` inserts, and the
order re-read that builds the response. ``checkout_checks.verify`` checks the result.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tillpoint.core.ids import new_id

ACTOR_KIND, ACTOR_ID = "api_key", "raw_ceiling"


@dataclass(frozen=True)
class Shop:
    tenant_id: str
    location_id: str
    tax_rate_id: str
    tax_percent: Decimal
    allow_negative: bool


async def load_shop(conn: Any, tenant_id: str, location_id: str) -> Shop:
    """The location's policy and its standard tax rate, read once (a raw program's cache)."""
    allow = await conn.fetchval(
        "SELECT allow_negative_stock FROM locations WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        location_id,
    )
    rate = await conn.fetchrow(
        "SELECT id, rate_percent_e4 FROM tax_rates WHERE tenant_id = $1 AND location_id = $2 "
        "AND tax_class_code = 'standard' AND active",
        tenant_id,
        location_id,
    )
    percent = Decimal(rate["rate_percent_e4"]) / 10_000
    return Shop(tenant_id, location_id, rate["id"], percent, bool(allow))


def _tax(net_minor: int, percent: Decimal) -> int:
    return int((Decimal(net_minor) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


def _money(minor: int) -> float:
    return minor / 100


async def _events(conn: Any, shop: Shop, events: list[tuple[str, str, dict[str, Any]]]) -> None:
    """The event counter advanced by len(events), then the events — last, as Tillpoint does."""
    last = await conn.fetchval(
        "INSERT INTO event_counters (tenant_id, last_seq) VALUES ($1, $2) "
        "ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_counters.last_seq + $2 "
        "RETURNING last_seq",
        shop.tenant_id,
        len(events),
    )
    first = last - len(events) + 1
    now = dt.datetime.now(dt.UTC)
    await conn.executemany(
        "INSERT INTO events (tenant_id, seq, id, type, occurred_at, subject_id, location_id, data)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)",
        [
            (shop.tenant_id, first + i, new_id("event"), kind, now, subject, shop.location_id, data)
            for i, (kind, subject, data) in enumerate((k, s, json.dumps(d)) for k, s, d in events)
        ],
    )


async def _audit(conn: Any, shop: Shop, path: str, resource_id: str, events: list[Any]) -> None:
    await conn.execute(
        "INSERT INTO audit_log (tenant_id, id, occurred_at, principal_type, principal_id, "
        "request_id, method, path, action, status, resource_id, details) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'POST', $7, $8, 201, $9, $10::jsonb)",
        shop.tenant_id,
        new_id("audit"),
        dt.datetime.now(dt.UTC),
        ACTOR_KIND,
        ACTOR_ID,
        new_id("event"),
        path,
        f"POST {path}",
        resource_id,
        json.dumps({"events": [{"type": kind, "subjectId": s} for kind, s, _ in events]}),
    )


def _order_view(order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """About what Tillpoint puts in an order event: the order with its lines and totals."""
    return {
        **{k: v for k, v in order.items() if not k.endswith("_minor")},
        "totals": {k: _money(v) for k, v in order.items() if k.endswith("_minor")},
        "lineItems": [
            {
                **{k: v for k, v in line.items() if not k.endswith("_minor")},
                **{k: _money(v) for k, v in line.items() if k.endswith("_minor")},
            }
            for line in lines
        ],
    }


async def create(conn: Any, shop: Shop, items: list[tuple[str, int]]) -> tuple[str, int]:
    """Open an order of ``items`` (sku, quantity in units); its id and grand total (minor)."""
    quantities = {sku: q * 1000 for sku, q in items}
    now = dt.datetime.now(dt.UTC)
    order_id = new_id("order")
    async with conn.transaction():
        rows = await conn.fetch(
            "SELECT v.id, v.product_id, v.sku, p.name, coalesce(v.price_minor, p.price_minor) "
            "AS price, p.tax_class, p.sold_by FROM variants v JOIN products p "
            "ON p.tenant_id = v.tenant_id AND p.id = v.product_id "
            "WHERE v.tenant_id = $1 AND v.sku = ANY($2::varchar[]) AND v.archived_at IS NULL",
            shop.tenant_id,
            list(quantities),
        )
        rows = sorted(rows, key=lambda r: r["id"])
        lines = []
        for position, row in enumerate(rows):
            qty = quantities[row["sku"]]
            net = row["price"] * qty // 1000
            tax = _tax(net, shop.tax_percent)
            lines.append(
                {
                    "id": new_id("line_item"),
                    "position": position,
                    "variant_id": row["id"],
                    "product_id": row["product_id"],
                    "sku": row["sku"],
                    "name": row["name"],
                    "tax_class": row["tax_class"],
                    "sold_by": row["sold_by"],
                    "quantity_milli": qty,
                    "unit_price_minor": row["price"],
                    "net_minor": net,
                    "tax_minor": tax,
                    "total_minor": net + tax,
                }
            )
        subtotal = sum(line["net_minor"] for line in lines)
        tax_total = sum(line["tax_minor"] for line in lines)
        taxes = [{"rateId": shop.tax_rate_id, "rate": str(shop.tax_percent), "amountMinor": 0}]
        order = {
            "id": order_id,
            "location_id": shop.location_id,
            "status": "open",
            "subtotal_minor": subtotal,
            "tax_total_minor": tax_total,
            "grand_total_minor": subtotal + tax_total,
        }
        await conn.execute(
            "INSERT INTO orders (tenant_id, id, location_id, source, status, notes, occurred_at, "
            "tax_inclusive, discounts, coupon_codes, service_charges, taxes, subtotal_minor, "
            "discount_total_minor, tax_total_minor, tip_minor, service_charge_total_minor, "
            "grand_total_minor, cash_rounding_minor, paid_minor, refunded_minor, created_by, "
            "created_at, updated_at, version) VALUES ($1, $2, $3, 'register', 'open', '', $4, "
            "false, '[]', '[]', '[]', $5::jsonb, $6, 0, $7, 0, 0, $8, 0, 0, 0, $9, $4, $4, 1)",
            shop.tenant_id,
            order_id,
            shop.location_id,
            now,
            json.dumps(taxes),
            subtotal,
            tax_total,
            subtotal + tax_total,
            f"{ACTOR_KIND}:{ACTOR_ID}",
        )
        await conn.executemany(
            "INSERT INTO order_lines (tenant_id, id, order_id, position, variant_id, product_id, "
            "sku, name, tax_class, sold_by, quantity_milli, unit_price_minor, modifiers, "
            "modifiers_minor, discounts, gross_minor, line_discount_minor, order_discount_minor, "
            "discount_minor, net_minor, tax_minor, taxes, total_minor, notes, "
            "refunded_quantity_milli, refunded_net_minor, refunded_discount_minor, "
            "refunded_tax_minor, refunded_total_minor, refunded_taxes) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, $11, $12, '[]', 0, '[]', $13, 0, 0, 0, $13, $14, "
            "$15::jsonb, $16, '', 0, 0, 0, 0, 0, '{}')",
            [
                (
                    shop.tenant_id,
                    line["id"],
                    order_id,
                    line["position"],
                    line["variant_id"],
                    line["product_id"],
                    line["sku"],
                    line["name"],
                    line["tax_class"],
                    line["sold_by"],
                    line["quantity_milli"],
                    line["unit_price_minor"],
                    line["net_minor"],
                    line["tax_minor"],
                    json.dumps([{**taxes[0], "amountMinor": line["tax_minor"]}]),
                    line["total_minor"],
                )
                for line in lines
            ],
        )
        events: list[tuple[str, str, dict[str, Any]]] = []
        for line in lines:
            level = await conn.fetchrow(
                "UPDATE stock_levels SET reserved_milli = reserved_milli + $4, updated_at = $5 "
                "WHERE tenant_id = $1 AND variant_id = $2 AND location_id = $3 "
                "RETURNING on_hand_milli, reserved_milli",
                shop.tenant_id,
                line["variant_id"],
                shop.location_id,
                line["quantity_milli"],
                now,
            )
            events.append(
                (
                    "inventory.reservation_changed",
                    line["variant_id"],
                    {
                        "variantId": line["variant_id"],
                        "sku": line["sku"],
                        "locationId": shop.location_id,
                        "onHand": level["on_hand_milli"] / 1000,
                        "reserved": level["reserved_milli"] / 1000,
                        "delta": line["quantity_milli"] / 1000,
                        "referenceType": "order",
                        "referenceId": order_id,
                    },
                )
            )
        events.append(("order.created", order_id, _order_view(order, lines)))
        await _audit(conn, shop, "/v1/orders", order_id, events)
        await _events(conn, shop, events)
    return order_id, subtotal + tax_total


async def pay(conn: Any, shop: Shop, order_id: str, amount_minor: int) -> str:
    """Pay the order in full by card and complete it; the receipt number."""
    now = dt.datetime.now(dt.UTC)
    payment_id = new_id("payment")
    async with conn.transaction():
        order = await conn.fetchrow(
            "SELECT id, location_id, status, grand_total_minor, paid_minor, occurred_at "
            "FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            shop.tenant_id,
            order_id,
        )
        if order is None or order["status"] != "open":
            raise RuntimeError(f"order {order_id} is not open")
        if amount_minor > order["grand_total_minor"] - order["paid_minor"]:
            raise RuntimeError("overpayment")
        lines = await conn.fetch(
            "SELECT id, variant_id, product_id, sku, quantity_milli, total_minor FROM order_lines "
            "WHERE tenant_id = $1 AND order_id = $2 ORDER BY position, id",
            shop.tenant_id,
            order_id,
        )
        await conn.execute(
            "INSERT INTO payments (tenant_id, id, order_id, tender_type, amount_minor, "
            "change_due_minor, status, card_brand, card_last4, processor_ref, refunded_minor, "
            "created_at, created_by) VALUES ($1, $2, $3, 'credit_card', $4, 0, 'captured', "
            "'visa', '4242', $5, 0, $6, $7)",
            shop.tenant_id,
            payment_id,
            order_id,
            amount_minor,
            f"ch_{payment_id}",
            now,
            f"{ACTOR_KIND}:{ACTOR_ID}",
        )
        events: list[tuple[str, str, dict[str, Any]]] = []
        movements = []
        for line in sorted(lines, key=lambda r: r["variant_id"]):
            q = line["quantity_milli"]
            level = await conn.fetchrow(
                "UPDATE stock_levels SET on_hand_milli = on_hand_milli - $4, "
                "reserved_milli = reserved_milli - $4, updated_at = $5 "
                "WHERE tenant_id = $1 AND variant_id = $2 AND location_id = $3 "
                "AND ($6 OR on_hand_milli >= $4) RETURNING on_hand_milli, reserved_milli",
                shop.tenant_id,
                line["variant_id"],
                shop.location_id,
                q,
                now,
                shop.allow_negative,
            )
            if level is None:
                raise RuntimeError(f"insufficient stock of {line['sku']}")
            movement_id = new_id("movement")
            movements.append(
                (shop.tenant_id, movement_id, line["variant_id"], shop.location_id, -q)
                + ("sale", "order", order_id, order["occurred_at"], now, level["on_hand_milli"])
                + (f"{ACTOR_KIND}:{ACTOR_ID}",)
            )
            common = {"variantId": line["variant_id"], "sku": line["sku"], "referenceId": order_id}
            events.append(
                (
                    "inventory.level_changed",
                    line["variant_id"],
                    {
                        **common,
                        "locationId": shop.location_id,
                        "oldOnHand": (level["on_hand_milli"] + q) / 1000,
                        "newOnHand": level["on_hand_milli"] / 1000,
                        "delta": -q / 1000,
                        "reason": "sale",
                        "movementId": movement_id,
                    },
                )
            )
            events.append(
                (
                    "inventory.reservation_changed",
                    line["variant_id"],
                    {**common, "reserved": level["reserved_milli"] / 1000, "delta": -q / 1000},
                )
            )
        await conn.executemany(
            "INSERT INTO stock_movements (tenant_id, id, variant_id, location_id, delta_milli, "
            "reason, reference_type, reference_id, occurred_at, recorded_at, "
            "on_hand_after_milli, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            "$12)",
            movements,
        )
        number = await conn.fetchval(
            "INSERT INTO receipt_sequences (tenant_id, location_id, year, last_number) "
            "VALUES ($1, $2, $3, 1) ON CONFLICT (tenant_id, location_id, year) "
            "DO UPDATE SET last_number = receipt_sequences.last_number + 1 RETURNING last_number",
            shop.tenant_id,
            shop.location_id,
            now.year,
        )
        receipt = f"R-{now.year}-{number:06d}"
        await conn.execute(
            "UPDATE orders SET status = 'completed', receipt_number = $3, paid_minor = "
            "paid_minor + $4, completed_at = $5, updated_at = $5, version = version + 1 "
            "WHERE tenant_id = $1 AND id = $2",
            shop.tenant_id,
            order_id,
            receipt,
            amount_minor,
            now,
        )
        payment = {"paymentId": payment_id, "orderId": order_id, "amount": _money(amount_minor)}
        events.append(("payment.captured", payment_id, payment))
        completed = {"id": order_id, "status": "completed", "grand_total_minor": amount_minor}
        events.append(
            ("order.completed", order_id, _order_view(completed, [dict(r) for r in lines]))
        )
        await _audit(conn, shop, f"/v1/orders/{order_id}/payments", payment_id, events)
        await _events(conn, shop, events)
    return receipt
