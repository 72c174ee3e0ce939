"""The bulk load of ``bench.reports``: a year of orders written straight into the app's tables
with PostgreSQL COPY (asyncpg ``copy_records_to_table``), as the app would have written them.

Orders are made in time order over ``DAYS`` business days at each location (09:00–21:00
local), 3 lines each (1–3 units, one line in 8 with a 10 % line discount, 9 % tax, the unit
cost in force), one payment (cash, card by brand, other; a tip on some card payments). Some
orders are voided while open (``OPEN_VOID``), some voided after completion (``VOID``), some
partly refunded (``REFUND``: one line, restocked, to the original payment, up to 14 days
later). Each sale, refund and void writes its stock movements (running ``on_hand_after``) and
its event (``order.completed`` / ``order.refunded`` / ``order.voided``, numbered after the
tenant's last event), all in the order they happened; then the stock levels, the receipt
sequences and the tenant's event counter are set to match. Event ``data`` holds only the ids
(the rollup reads the rows the event names; the app's own events carry the whole order).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ulid import ULID

from bench.harness import console
from bench.reports_copy import copy_batch
from bench.reports_shop import TAX_PERCENT, Shop, Variant

DAYS = 365
OPEN_VOID, VOID, REFUND = 0.01, 0.01, 0.03
OPENING_STOCK_MILLI = 10_000_000_000  # plenty: no variant runs out in a year
CHUNK_ORDERS = 10_000
TENDERS = (
    (0.34, "cash", None),
    (0.30, "credit_card", "visa"),
    (0.18, "credit_card", "mastercard"),
    (0.10, "credit_card", "amex"),
    (0.04, "credit_card", "discover"),
    (0.04, "other", None),
)
ACTOR = "bench:reports"


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Counts:
    orders: int = 0
    completed: int = 0
    refunds: int = 0
    voids: int = 0
    open_voids: int = 0
    events: int = 0
    rows: int = 0


@dataclass
class Batch:
    """Rows waiting for the next COPY, per table, as dicts."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


class Loader:
    def __init__(self, shop: Shop, orders: int, first_seq: int, seed: int) -> None:
        self.shop = shop
        self.target = orders
        self.random = random.Random(seed)
        self.seq = first_seq
        self.on_hand: dict[tuple[str, str], int] = {}
        self.receipts: dict[tuple[str, int], int] = defaultdict(int)
        self.pending: list[tuple[dt.datetime, int, str, dict[str, Any]]] = []
        self.batch = Batch()
        self.counts = Counts()
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        # The earliest local date of the locations: every order is then at least a few hours
        # in the past, so its void or refund (minutes or days later, capped at now) has
        # happened by the end of the load.
        today = min(self.now.astimezone(ZoneInfo(zone)).date() for _, zone in shop.locations)
        shop.first_day = today - dt.timedelta(days=DAYS)
        shop.opening = dt.datetime.combine(shop.first_day, dt.time(), dt.UTC) - dt.timedelta(days=2)
        shop.cost_change = shop.opening + dt.timedelta(days=DAYS // 2)
        self.weights = [w for w, _, _ in TENDERS]

    # -- rows -----------------------------------------------------------------------------

    def add(self, table: str, row: dict[str, Any]) -> None:
        row["tenant_id"] = self.shop.tenant_id
        self.batch.rows[table].append(row)

    def event(self, kind: str, at: dt.datetime, order: dict[str, Any], **data: Any) -> None:
        self.seq += 1
        self.counts.events += 1
        self.add(
            "events",
            {
                "seq": self.seq,
                "id": new_id("evt"),
                "type": kind,
                "occurred_at": at,
                "subject_id": order["id"],
                "location_id": order["location_id"],
                "data": {"id": order["id"], **data},
            },
        )

    def move(
        self,
        variant: str,
        location: str,
        delta: int,
        reason: str,
        ref: tuple[str, str | None],
        at: dt.datetime,
    ) -> None:
        key = (location, variant)
        self.on_hand[key] = self.on_hand.get(key, 0) + delta
        self.add(
            "stock_movements",
            {
                "id": new_id("mov"), "variant_id": variant, "location_id": location,
                "delta_milli": delta, "reason": reason, "reference_type": ref[0],
                "reference_id": ref[1], "occurred_at": at, "recorded_at": at,
                "on_hand_after_milli": self.on_hand[key], "actor": ACTOR,
            },
        )  # fmt: skip

    def opening_rows(self) -> None:
        """The opening stock at each location and each variant's cost history."""
        for location_id, _ in self.shop.locations:
            for v in self.shop.variants:
                self.move(
                    v.id, location_id, OPENING_STOCK_MILLI, "received", ("adjustment", None),
                    self.shop.opening,
                )  # fmt: skip
        for v in self.shop.variants:
            for at, cost in (
                (self.shop.opening, v.early_cost_minor),
                (self.shop.cost_change, v.cost_minor),
            ):
                self.add(
                    "variant_costs", {"variant_id": v.id, "effective_at": at, "cost_minor": cost}
                )

    # -- one order --------------------------------------------------------------------------

    def order(self, location_id: str, zone: ZoneInfo, at: dt.datetime) -> None:
        rnd = self.random
        self.counts.orders += 1
        order_id = new_id("ord")
        rate_id = self.shop.tax_rates[location_id]
        fate = rnd.random()
        open_void = fate < OPEN_VOID
        void = OPEN_VOID <= fate < OPEN_VOID + VOID
        refund = OPEN_VOID + VOID <= fate < OPEN_VOID + VOID + REFUND
        lines = []
        for position, variant in enumerate(rnd.sample(self.shop.variants, 3)):
            lines.append(self.line(order_id, position, variant, rate_id, at))
        subtotal = sum(x["gross_minor"] for x in lines)
        discount = sum(x["discount_minor"] for x in lines)
        tax = sum(x["tax_minor"] for x in lines)
        _, tender, brand = rnd.choices(TENDERS, self.weights)[0]
        tip = (subtotal // 10) if tender == "credit_card" and rnd.random() < 0.2 else 0
        grand = subtotal - discount + tax + tip
        year = at.astimezone(zone).year
        order = {
            "id": order_id, "location_id": location_id, "source": "register",
            "status": "completed", "occurred_at": at, "tax_inclusive": False,
            "discounts": [], "coupon_codes": [], "service_charges": [],
            "taxes": [{"rateId": rate_id, "name": "Sales tax", "rate": str(TAX_PERCENT), "amountMinor": tax}],  # noqa: E501
            "subtotal_minor": subtotal, "discount_total_minor": discount, "tax_total_minor": tax,
            "tip_minor": tip, "service_charge_total_minor": 0, "grand_total_minor": grand,
            "cash_rounding_minor": 0, "paid_minor": grand, "refunded_minor": 0,
            "completed_at": at, "created_at": at, "updated_at": at, "version": 1,
            "created_by": ACTOR, "notes": "",
        }  # fmt: skip
        if open_void:
            self.counts.open_voids += 1
            order.update(status="voided", completed_at=None, paid_minor=0, tip_minor=0)
            order.update(grand_total_minor=grand - tip, voided_at=at + dt.timedelta(minutes=3))
            order.update(void_reason="customer left")
            self.add("orders", order)
            for line in lines:
                self.add("order_lines", line)
            self.later(order["voided_at"], "void", order=order)
            return
        self.counts.completed += 1
        self.receipts[(location_id, year)] += 1
        order["receipt_number"] = f"R-{year}-{self.receipts[(location_id, year)]:06d}"
        payment = {
            "id": new_id("pay"), "order_id": order_id, "tender_type": tender,
            "amount_minor": grand, "amount_tendered_minor": grand, "change_due_minor": 0,
            "status": "captured", "card_brand": brand,
            "card_last4": "4242" if brand else None, "refunded_minor": 0,
            "created_at": at, "created_by": ACTOR,
        }  # fmt: skip
        if void:
            voided = at + dt.timedelta(minutes=rnd.randint(1, 30))
            order.update(status="voided", voided_at=voided, void_reason="mistake")
            payment["status"] = "voided"
            self.later(voided, "void", order=order, lines=lines)
        elif refund:
            self.refund(order, lines, payment)
        self.add("orders", order)
        for line in lines:
            self.add("order_lines", line)
        self.add("payments", payment)
        for line in lines:
            self.move(
                line["variant_id"],
                location_id,
                -line["quantity_milli"],
                "sale",
                ("order", order_id),
                at,
            )
        self.event("order.completed", at, order)

    def line(
        self, order_id: str, position: int, v: Variant, rate_id: str, at: dt.datetime
    ) -> dict[str, Any]:
        quantity = self.random.randint(1, 3) * 1000
        gross = v.price_minor * quantity // 1000
        discount = gross // 10 if self.random.random() < 0.125 else 0
        net = gross - discount
        tax = half_up(Decimal(net) * TAX_PERCENT / 100)
        return {
            "id": new_id("li"), "order_id": order_id, "position": position,
            "variant_id": v.id, "product_id": v.product_id, "sku": v.sku, "name": v.name,
            "tax_class": "standard", "sold_by": "unit", "quantity_milli": quantity,
            "unit_price_minor": v.price_minor, "modifiers": [], "modifiers_minor": 0,
            "discounts": [{"type": "percent", "value": "10", "amountMinor": discount}] if discount else [],  # noqa: E501
            "gross_minor": gross, "line_discount_minor": discount, "order_discount_minor": 0,
            "discount_minor": discount, "net_minor": net, "tax_minor": tax,
            "taxes": [{"rateId": rate_id, "name": "Sales tax", "rate": str(TAX_PERCENT), "amountMinor": tax}],  # noqa: E501
            "total_minor": net + tax, "notes": "", "gift_card": False,
            "unit_cost_minor": v.cost_at(at, self.shop.cost_change),
            "refunded_quantity_milli": 0, "refunded_net_minor": 0,
            "refunded_discount_minor": 0, "refunded_tax_minor": 0, "refunded_total_minor": 0,
            "refunded_taxes": {},
        }  # fmt: skip

    def refund(
        self, order: dict[str, Any], lines: list[dict[str, Any]], payment: dict[str, Any]
    ) -> None:
        """One whole line back, restocked, to the payment: the order's final state now, the
        refund's rows when it happens."""
        line = self.random.choice(lines)
        at = order["occurred_at"] + dt.timedelta(minutes=self.random.randint(5, 14 * 24 * 60))
        at = min(at, self.now - dt.timedelta(minutes=1))
        total = line["total_minor"]
        line.update(
            refunded_quantity_milli=line["quantity_milli"], refunded_net_minor=line["net_minor"],
            refunded_discount_minor=line["discount_minor"], refunded_tax_minor=line["tax_minor"],
            refunded_total_minor=total, refunded_taxes={line["taxes"][0]["rateId"]: line["tax_minor"]},  # noqa: E501
        )  # fmt: skip
        order.update(status="partially_refunded", refunded_minor=total, updated_at=at)
        payment["refunded_minor"] = total
        row = {
            "id": new_id("ref"), "order_id": order["id"], "reason": "returned",
            "lines": [{
                "lineItemId": line["id"], "sku": line["sku"], "name": line["name"],
                "quantityMilli": line["quantity_milli"], "restock": True,
                "netMinor": line["net_minor"], "discountMinor": line["discount_minor"],
                "taxMinor": line["tax_minor"], "totalMinor": total,
                "taxes": [[line["taxes"][0]["rateId"], line["tax_minor"]]],
            }],
            "subtotal_minor": line["net_minor"] + line["discount_minor"],
            "discount_minor": line["discount_minor"], "tax_minor": line["tax_minor"],
            "other_minor": 0, "amount_minor": total,
            "tenders": [{"tenderType": payment["tender_type"], "amountMinor": total, "paymentId": payment["id"]}],  # noqa: E501
            "employee_id": None, "created_at": at, "created_by": ACTOR,
        }  # fmt: skip
        self.later(at, "refund", order=order, refund=row, line=line)

    def later(self, at: dt.datetime, kind: str, **data: Any) -> None:
        heapq.heappush(self.pending, (at, self.counts.orders * 4 + len(self.pending), kind, data))

    def happen_until(self, moment: dt.datetime) -> None:
        """Write the refunds and voids that happened up to ``moment``, in time order."""
        while self.pending and self.pending[0][0] <= moment:
            at, _, kind, data = heapq.heappop(self.pending)
            order = data["order"]
            if kind == "refund":
                self.counts.refunds += 1
                self.add("refunds", data["refund"])
                line = data["line"]
                self.move(
                    line["variant_id"],
                    order["location_id"],
                    line["quantity_milli"],
                    "refund",
                    ("refund", data["refund"]["id"]),
                    at,
                )
                self.event("order.refunded", at, order, refundId=data["refund"]["id"])
                continue
            if order["completed_at"] is not None:
                self.counts.voids += 1
                for line in data["lines"]:
                    self.move(
                        line["variant_id"],
                        order["location_id"],
                        line["quantity_milli"],
                        "void",
                        ("order", order["id"]),
                        at,
                    )
            self.event("order.voided", at, order)

    # -- the year -------------------------------------------------------------------------

    def moments(self):  # type: ignore[no-untyped-def]
        """(UTC moment, location id, zone) of every order, in time order, day by day."""
        per_day = self.target / DAYS / len(self.shop.locations)
        made = 0
        for day_index in range(DAYS):
            day = self.shop.first_day + dt.timedelta(days=day_index)
            wanted = round(per_day * len(self.shop.locations) * (day_index + 1)) - made
            todays = []
            for n in range(wanted):
                location_id, zone_name = self.shop.locations[n % len(self.shop.locations)]
                zone = ZoneInfo(zone_name)
                local = dt.datetime.combine(day, dt.time(9), zone) + dt.timedelta(
                    seconds=self.random.randrange(12 * 3600)
                )
                todays.append((local.astimezone(dt.UTC), location_id, zone))
            made += wanted
            todays.sort(key=lambda m: m[0])
            yield from todays


async def load(conn: Any, shop: Shop, orders: int, seed: int) -> tuple[Counts, float]:
    """Write ``orders`` orders and all that goes with them; (counts, seconds)."""
    started = time.perf_counter()
    first_seq = await conn.fetchval(
        "SELECT last_seq FROM event_counters WHERE tenant_id = $1", shop.tenant_id
    )
    loader = Loader(shop, orders, int(first_seq or 0), seed)
    loader.opening_rows()
    await conn.execute("SET synchronous_commit = off")
    reported = 0
    for at, location_id, zone in loader.moments():
        loader.happen_until(at)
        loader.order(location_id, zone, at)
        if loader.counts.orders % CHUNK_ORDERS == 0:
            async with conn.transaction():
                loader.counts.rows += await copy_batch(conn, loader.batch.rows)
            if loader.counts.orders - reported >= 100_000:
                reported = loader.counts.orders
                elapsed = time.perf_counter() - started
                console.print(f"  {reported:,} orders loaded in {elapsed:.0f} s")
    loader.happen_until(loader.now)
    async with conn.transaction():
        loader.counts.rows += await copy_batch(conn, loader.batch.rows)
        await finish(conn, loader)
    return loader.counts, time.perf_counter() - started


async def finish(conn: Any, loader: Loader) -> None:
    """Stock levels, receipt sequences and the event counter to match what was loaded."""
    tenant = loader.shop.tenant_id
    await conn.executemany(
        "INSERT INTO stock_levels (tenant_id, variant_id, location_id, on_hand_milli, "
        "reserved_milli, in_transit_milli, updated_at) VALUES ($1, $2, $3, $4, 0, 0, now()) "
        "ON CONFLICT (tenant_id, variant_id, location_id) "
        "DO UPDATE SET on_hand_milli = excluded.on_hand_milli",
        [(tenant, v, loc, q) for (loc, v), q in loader.on_hand.items()],
    )
    await conn.executemany(
        "INSERT INTO receipt_sequences (tenant_id, location_id, year, last_number) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, location_id, year) "
        "DO UPDATE SET last_number = excluded.last_number",
        [(tenant, loc, year, n) for (loc, year), n in loader.receipts.items()],
    )
    await conn.execute(
        "UPDATE event_counters SET last_seq = $2 WHERE tenant_id = $1", tenant, loader.seq
    )
    await conn.execute("ANALYZE")
