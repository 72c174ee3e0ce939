"""Checkout throughput and latency on a real server against a raw asyncpg ceiling.

Run from the repository root::

    python -m bench.checkout [--seconds 10] [--concurrency 32] [--workers 1] [--products 300]

A checkout is two requests: ``POST /v1/orders`` (3 lines of random products, 1 to 3 of each,
priced on the server with a 9 % tax rate) and ``POST /v1/orders/{id}/payments`` paying the
balance by card, which completes the order (stock leaves through the ledger, the reservation is
released, a gapless receipt number is taken). It creates a throw-away PostgreSQL database,
starts a real ``tillpoint serve`` (uvicorn) on it, sets up a tenant and an API key (CLI), two
locations with ``allowNegativeStock`` and a 9 % standard rate, ``--products`` products stocked
at both (API), then loads Tillpoint with whole checkouts at ``--concurrency`` (default 32).

The ceiling, measured in the same run at the same concurrency on the same database, is not
HTTP: a raw asyncpg program (``bench/checkout_raw.py``, a pool of connections) doing per
checkout the same inserts and stock updates in two transactions, as Tillpoint does, at the
second location. It prints checkouts/s and p50/p99 of both, the throughput ratio (target
≥ 0.60) and the p99 ratio (target ≤ 2×), CPU per process group, then checks for each side that
the ledger sums to on_hand and that receipt numbers have no gaps, and writes
``bench/results/checkout.json``. Servers and the database are removed on every exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import secrets
import sys
from typing import Any

import httpx

from bench import checkout_checks
from bench.checkout_load import Target, open_pool, run_checkouts
from bench.harness import ROOT, BenchError, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.cpu import busy_before_start
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.options import parse_arguments
from bench.harness.report import machine_info, print_report, throughput_ratio, write_results
from bench.harness.servers import Server, free_port, start_server, wait_ready
from bench.harness.tillpoint import (
    BENCH_RATE_LIMIT,
    create_tenant_and_api_key,
    serve_command,
    server_env,
)

BENCHMARK = "checkout"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
SCOPES = (
    "catalog:read,catalog:write,inventory:read,inventory:write,orders:read,orders:write,"
    "settings:read,settings:write"
)
TARGET_THROUGHPUT_RATIO = 0.60
TARGET_P99_RATIO = 2.0
STOCK_PER_PRODUCT = 100_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Benchmark checkout (create a 3-line order, pay it by card) on a real "
        "Tillpoint server against raw asyncpg transactions doing the same writes, same run.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_arguments,
        check_scenario_arguments=_check_arguments,
        defaults={"concurrency": 32},
    )


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--products",
        type=int,
        default=300,
        help="products sold, stocked at both locations (default %(default)s)",
    )


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 3 <= args.products <= 5_000:
        parser.error("--products must be in [3, 5000]")


class Api:
    """Setup calls over the API with the bench key; any other status than expected fails."""

    def __init__(self, server: Server, api_key: str) -> None:
        self.client = httpx.Client(
            base_url=server.base_url,
            headers={"authorization": f"Bearer {api_key}"},
            timeout=30,
            trust_env=False,
        )

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, json=body)
        if response.status_code != 201:
            raise BenchError(f"POST {path} failed: {response.status_code} {response.text[:500]}")
        return response.json()


def set_up_shop(api: Api, run_id: str, products: int) -> tuple[list[str], list[str]]:
    """Two locations (Tillpoint's and the ceiling's) with a 9 % standard rate and negative stock
    allowed, ``products`` products at prices 1.00 … 9.99, stocked at both: (locations, skus)."""
    locations = []
    for name in ("Tillpoint shop", "Ceiling shop"):
        location = api.post("/v1/locations", {"name": name, "allowNegativeStock": True})
        locations.append(location["id"])
    skus = [f"CK-{run_id}-{i:05d}" for i in range(products)]
    for i, sku in enumerate(skus):
        price = f"{1 + (i * 37) % 900 / 100:.2f}"
        api.post("/v1/catalog/products", {"name": f"Bench item {i}", "sku": sku, "price": price})
    for location_id in locations:
        api.post(
            f"/v1/locations/{location_id}/tax-rates",
            {"taxClass": "standard", "name": "Sales tax", "rate": 9},
        )
        for start in range(0, len(skus), 500):
            api.post(
                "/v1/inventory/adjustments",
                {
                    "locationId": location_id,
                    "reason": "received",
                    "items": [
                        {"sku": sku, "deltaQuantity": STOCK_PER_PRODUCT}
                        for sku in skus[start : start + 500]
                    ],
                },
            )
    return locations, skus


async def _verify_all(url: str, tenant_id: str, locations: list[str]) -> list[dict[str, Any]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [await checkout_checks.verify(conn, tenant_id, loc) for loc in locations]
    finally:
        await conn.close()


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours and theirs else None


def print_figures(results: list[dict[str, Any]], ratios: dict[str, Any]) -> None:
    tp, raw = results
    for result in results:
        create, pay = result["createLatencyMs"], result["payLatencyMs"]
        console.print(
            f"{result['label']}: {result['reqPerSec']:,.1f} checkouts/s, "
            f"p50 {result['latencyMs']['p50']} ms, p99 {result['latencyMs']['p99']} ms "
            f"(create p50 {create['p50']} / p99 {create['p99']} ms, "
            f"pay p50 {pay['p50']} / p99 {pay['p99']} ms)"
        )
    through, p99 = ratios["checkoutsPerSec"], ratios["p99"]
    met = through is not None and through >= TARGET_THROUGHPUT_RATIO
    console.print(
        f"Tillpoint/ceiling checkouts/s: [bold]{through}[/bold] (target ≥ "
        f"{TARGET_THROUGHPUT_RATIO:.2f}: {'[green]met' if met else '[red]not met'}[/])"
    )
    met = p99 is not None and p99 <= TARGET_P99_RATIO
    console.print(
        f"Tillpoint/ceiling p99: [bold]{p99}×[/bold] (target ≤ {TARGET_P99_RATIO:g}×: "
        f"{'[green]met' if met else '[red]not met'}[/]); p50: {ratios['p50']}×"
    )


def print_checks(checks: dict[str, dict[str, Any]]) -> bool:
    ok = True
    for side, check in checks.items():
        good = check["ledgerAgrees"] and check["receiptsGapless"] and check["reservationsAgree"]
        ok = ok and good
        console.print(
            f"{'[green]OK[/]' if good else '[red]FAILED[/]'} {side}: ledger = on_hand for "
            f"{check['stockLevels'] - check['levelsDisagreeingWithLedger']}/"
            f"{check['stockLevels']} stock levels; reserved {check['reservedMilli'] / 1000:g} = "
            f"open orders' {check['openOrdersQuantityMilli'] / 1000:g}: "
            f"{check['reservationsAgree']}; {check['completedOrders']:,} completed orders, "
            f"receipts {check['receiptRange'][0]}…{check['receiptRange'][1]}, sequence at "
            f"{check['receiptSequence']}, gapless: {check['receiptsGapless']}"
        )
    return ok


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = busy_before_start()
    run_id = secrets.token_hex(4)
    work = temporary_directory(stack)
    database = create_database(stack, admin_url, run_id)

    env = server_env(database.url, work / "data", args.server_env)
    port = free_port()
    tillpoint = start_server(stack, "tillpoint", serve_command(port, args.workers), port, env, work)
    wait_ready(tillpoint, "/readyz")
    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    tenant_id = tenant["tenantId"]
    api = Api(tillpoint, key["key"])
    stack.callback(api.client.close)
    locations, skus = set_up_shop(api, run_id, args.products)
    console.print(
        f"tillpoint serve on {tillpoint.base_url} ({args.workers} worker"
        f"{'s' if args.workers > 1 else ''}); tenant {tenant_id}, {len(skus)} products stocked "
        f"at {locations[0]} (Tillpoint) and {locations[1]} (ceiling); no register (a card sale "
        "needs no shift)"
    )

    targets = [
        Target(
            "tillpoint-checkout",
            "Tillpoint checkout",
            "http",
            locations[0],
            tuple(skus),
            base_url=tillpoint.base_url,
            api_key=key["key"],
        ),
        Target(
            "raw-checkout",
            "raw asyncpg ceiling",
            "raw",
            locations[1],
            tuple(skus),
            database_url=database.url,
            tenant_id=tenant_id,
        ),
    ]
    started = dt.datetime.now(dt.UTC)
    pool = open_pool(stack, args.clients)
    results = []
    for target in targets:
        server = tillpoint if target.kind == "http" else None
        results.append(run_checkouts(pool, target, args, run_id, database.name, server))
    checks = dict(
        zip(
            ("tillpoint", "ceiling"),
            asyncio.run(_verify_all(database.url, tenant_id, locations)),
            strict=True,
        )
    )
    tp, raw = results
    ratios = {
        "checkoutsPerSec": throughput_ratio(results, "tillpoint-checkout", "raw-checkout"),
        "p50": ratio(tp["latencyMs"]["p50"], raw["latencyMs"]["p50"]),
        "p99": ratio(tp["latencyMs"]["p99"], raw["latencyMs"]["p99"]),
    }

    print_report(
        results,
        title="Tillpoint checkout vs raw asyncpg transactions (same run, same machine); "
        "req/s = checkouts/s",
        ratios={"checkouts": ratios["checkoutsPerSec"]},
        endpoints="A checkout: Tillpoint POST /v1/orders (3 lines) + POST /v1/orders/{id}/"
        "payments by card over HTTP (API key, no register); the ceiling: the same inserts and "
        "stock updates as two raw asyncpg transactions, no HTTP (its own CPU is in the loadgen "
        "column).",
    )
    print_figures(results, ratios)
    checks_ok = print_checks(checks)
    write_results(
        args.output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "clients": args.clients,
            "products": args.products,
            "linesPerOrder": 3,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        machine=machine_info(database.server_version, idle_check),
        scenarios=results,
        ratios={
            "tillpointOverCeilingCheckoutsPerSec": ratios["checkoutsPerSec"],
            "tillpointOverCeilingP50": ratios["p50"],
            "tillpointOverCeilingP99": ratios["p99"],
        },
        extra={
            "targets": {"throughputRatioAtLeast": TARGET_THROUGHPUT_RATIO, "p99RatioAtMost": 2.0},
            "checks": checks,
        },
    )
    errors = sum(r["errors"] for r in results)
    return 1 if errors or not checks_ok else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
