"""The measurements of ``bench.reports``: each report over HTTP against its baseline, a plain
SQL aggregate over the order tables run through asyncpg in the bench process, one request or
query at a time (``--warmup-runs`` unmeasured, then ``--runs``), and the checks that the
report agrees with its baseline to the cent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from bench.reports_load import DAYS
from bench.reports_shop import Shop
from tillpoint.reports.valuation import stock_value

# Business days of ``orders`` at a location: the sale's, the refund's, the void's local date.
SALES_BASELINE = """
WITH o AS (
  SELECT id, completed_at, voided_at, (occurred_at AT TIME ZONE $3)::date AS day,
         (voided_at AT TIME ZONE $3)::date AS void_day
  FROM orders WHERE tenant_id = $1 AND location_id = $2
)
SELECT
  (SELECT count(*) FROM o WHERE completed_at IS NOT NULL AND day BETWEEN $4 AND $5) AS orders,
  (SELECT coalesce(sum(l.net_minor), 0) FROM o JOIN order_lines l
     ON l.tenant_id = $1 AND l.order_id = o.id
   WHERE o.completed_at IS NOT NULL AND o.day BETWEEN $4 AND $5 AND NOT l.gift_card) AS sold,
  (SELECT coalesce(sum(r.amount_minor - r.tax_minor - r.other_minor), 0) FROM refunds r
     JOIN o ON o.id = r.order_id
   WHERE r.tenant_id = $1 AND (r.created_at AT TIME ZONE $3)::date BETWEEN $4 AND $5)
     AS returned,
  (SELECT coalesce(sum(l.net_minor), 0) FROM o JOIN order_lines l
     ON l.tenant_id = $1 AND l.order_id = o.id
   WHERE o.completed_at IS NOT NULL AND o.void_day BETWEEN $4 AND $5 AND NOT l.gift_card)
     AS voided,
  (SELECT coalesce(sum(p.amount_minor), 0) FROM o JOIN payments p
     ON p.tenant_id = $1 AND p.order_id = o.id
   WHERE o.completed_at IS NOT NULL AND o.day BETWEEN $4 AND $5) AS tendered
"""

PRODUCTS_BASELINE = """
SELECT l.variant_id, sum(l.quantity_milli) AS units, sum(l.net_minor) AS net,
       sum(l.unit_cost_minor * l.quantity_milli / 1000) AS cost
FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
WHERE o.tenant_id = $1 AND o.location_id = $2 AND o.completed_at IS NOT NULL
  AND (o.occurred_at AT TIME ZONE $3)::date BETWEEN $4 AND $5
GROUP BY l.variant_id
"""

VALUATION_BASELINE = """
WITH q AS (
  SELECT variant_id, sum(delta_milli) AS quantity FROM stock_movements
  WHERE tenant_id = $1 AND location_id = $2 AND occurred_at <= $3 GROUP BY variant_id
), c AS (
  SELECT DISTINCT ON (variant_id) variant_id, cost_minor FROM variant_costs
  WHERE tenant_id = $1 AND effective_at <= $3 ORDER BY variant_id, effective_at DESC
)
SELECT q.variant_id, q.quantity, c.cost_minor FROM q LEFT JOIN c USING (variant_id)
WHERE q.quantity <> 0
"""


@dataclass
class Timing:
    name: str
    label: str
    samples_ms: list[float] = field(default_factory=list)
    status: str = "ok"

    def summary(self) -> dict[str, Any]:
        if not self.samples_ms:
            return {"name": self.name, "label": self.label, "status": self.status}
        ordered = sorted(self.samples_ms)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return {
            "name": self.name,
            "label": self.label,
            "status": self.status,
            "runs": len(ordered),
            "p50Ms": round(statistics.median(ordered), 2),
            "p90Ms": round(p90, 2),
            "minMs": round(ordered[0], 2),
            "maxMs": round(ordered[-1], 2),
        }


@dataclass(frozen=True)
class Case:
    """One report and its baseline."""

    name: str
    label: str
    path: str
    params: dict[str, str]
    baseline_sql: str
    baseline_args: tuple[Any, ...]


def cases(shop: Shop, today: dt.date) -> list[Case]:
    """Daily sales 30 and 365 days, products 90 days, valuation as of 100 days ago — at the
    first location (New York)."""
    location_id, zone = shop.locations[0]
    tenant = shop.tenant_id

    def days(n: int) -> tuple[dt.date, dt.date]:
        return today - dt.timedelta(days=n), today - dt.timedelta(days=1)

    out = []
    for n in (30, 365):
        first, last = days(n)
        out.append(
            Case(
                f"daily-sales-{n}d",
                f"daily sales, {n} days",
                "/v1/reports/daily-sales",
                {"locationId": location_id, "from": str(first), "to": str(last)},
                SALES_BASELINE,
                (tenant, location_id, zone, first, last),
            )
        )
    first, last = days(90)
    out.append(
        Case(
            "products-90d",
            "product performance, 90 days",
            "/v1/reports/products",
            {"locationId": location_id, "from": str(first), "to": str(last), "groupBy": "variant"},
            PRODUCTS_BASELINE,
            (tenant, location_id, zone, first, last),
        )
    )
    as_of = dt.datetime.combine(today - dt.timedelta(days=100), dt.time(12), dt.UTC)
    out.append(
        Case(
            "valuation-100d-ago",
            "inventory valuation as of 100 days ago",
            "/v1/reports/inventory-valuation",
            {"locationId": location_id, "asOf": as_of.isoformat()},
            VALUATION_BASELINE,
            (tenant, location_id, as_of),
        )
    )
    return out


async def time_calls(
    call: Callable[[], Awaitable[Any]], warmup: int, runs: int, timing: Timing
) -> Any:
    """Run ``call`` ``warmup`` + ``runs`` times, one at a time; the last result."""
    result = None
    for i in range(warmup + runs):
        started = time.perf_counter()
        result = await call()
        if i >= warmup:
            timing.samples_ms.append((time.perf_counter() - started) * 1000)
    return result


async def measure_case(
    case: Case, client: httpx.AsyncClient, conn: Any, warmup: int, runs: int
) -> tuple[Timing, Timing, Any, Any]:
    """(report timing, baseline timing, the report's last JSON, the baseline's last rows)."""
    report = Timing(case.name, case.label)
    baseline = Timing(f"{case.name}-baseline", f"{case.label}, plain SQL")

    async def get() -> Any:
        response = await client.get(case.path, params=case.params)
        if response.status_code != 200:
            raise ReportMissing(response.status_code, response.text[:300])
        return response.json()

    body = None
    try:
        body = await time_calls(get, warmup, runs, report)
    except ReportMissing as missing:
        report.status = f"HTTP {missing.args[0]}: {missing.args[1]}"
        report.samples_ms.clear()
    rows = await time_calls(
        lambda: conn.fetch(case.baseline_sql, *case.baseline_args), warmup, runs, baseline
    )
    return report, baseline, body, rows


class ReportMissing(Exception):
    pass


def minor(number: Any, exponent: int = 2) -> int:
    """A JSON money number as integer minor units (exactly: via its decimal text)."""
    return int(Decimal(str(number)).scaleb(exponent))


def check_case(case: Case, body: Any, rows: Any) -> list[dict[str, Any]]:
    """The report's figures against the baseline's, to the cent: (check, expected, got, ok)."""
    if body is None:
        return []
    checks = []

    def check(what: str, expected: int, got: int) -> None:
        checks.append(
            {"case": case.name, "check": what, "baseline": expected, "report": got,
             "ok": expected == got}
        )  # fmt: skip

    if case.name.startswith("daily-sales"):
        row = rows[0]
        totals = body["totals"]
        check("orders", int(row["orders"]), int(totals["orders"]))
        net = int(row["sold"]) - int(row["returned"]) - int(row["voided"])
        check("netSales (minor units)", net, minor(totals["netSales"]))
    elif case.name.startswith("products"):
        check(
            "units sold (thousandths)",
            sum(int(r["units"]) for r in rows),
            sum(minor(r["unitsSold"], 3) for r in body["rows"]),
        )
        check(
            "sales net of discounts (minor units)",
            sum(int(r["net"]) for r in rows),
            sum(minor(r["grossSales"]) - minor(r["discounts"]) for r in body["rows"]),
        )
        check("variants sold", len(rows), sum(1 for r in body["rows"] if r["unitsSold"]))
    elif case.name.startswith("valuation"):
        value = sum(stock_value(int(r["quantity"]), int(r["cost_minor"])) for r in rows)
        quantity = sum(int(r["quantity"]) for r in rows)
        check("value (minor units)", value, minor(body["totals"]["value"]))
        check("quantity (thousandths)", quantity, minor(body["totals"]["quantity"], 3))
    return checks


async def measure_all(
    base_url: str, api_key: str, dsn: str, shop: Shop, warmup: int, runs: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every case: (timings with ratios, checks)."""
    import asyncpg

    today = shop.first_day + dt.timedelta(days=DAYS)  # the day after the last of sales
    results, checks = [], []
    headers = {"authorization": f"Bearer {api_key}"}
    conn = await asyncpg.connect(dsn)
    try:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=300) as client:
            for case in cases(shop, today):
                report, baseline, body, rows = await measure_case(case, client, conn, warmup, runs)
                entry = {"report": report.summary(), "baseline": baseline.summary()}
                if report.samples_ms:
                    ratio = statistics.median(baseline.samples_ms) / statistics.median(
                        report.samples_ms
                    )
                    entry["ratioBaselineOverReport"] = round(ratio, 2)
                results.append(entry)
                checks += check_case(case, body, rows)
                await asyncio.sleep(0.2)
    finally:
        await conn.close()
    return results, checks
