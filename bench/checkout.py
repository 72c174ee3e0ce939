"""Checkout throughput and latency on a real server, an HTTP floor and a raw asyncpg ceiling.

Run from the repository root::

    python -m bench.checkout [--seconds 10] [--concurrency 32] [--workers 1] [--processes 1]
                             [--products 300]

A checkout is two requests: ``POST /v1/orders`` (3 lines of random products, 1 to 3 of each,
priced on the server with a 9 % tax rate) and ``POST /v1/orders/{id}/payments`` paying the
balance by card, which completes the order (stock leaves through the ledger, the reservation is
released, a gapless receipt number is taken). It creates a throw-away PostgreSQL database,
starts a real ``tillpoint serve`` (uvicorn) on it, sets up a tenant and an API key (CLI), three
locations with ``allowNegativeStock`` and a 9 % standard rate, ``--products`` products stocked
at all three (API), then loads Tillpoint with whole checkouts at ``--concurrency`` (default 32).

The ceiling, measured in the same run at the same concurrency on the same database, is not
HTTP: a raw asyncpg program (``bench/checkout_raw.py``, a pool of connections) doing per
checkout the same inserts and stock updates in two transactions, as Tillpoint does, at the
second location. The HTTP floor, started once the ceiling is done (Tillpoint's servers are
stopped by then: nothing competes) at the third location, does the ceiling's transactions
behind the same two URLs in a bare FastAPI app (``bench/checkout_floor_app.py``) served by
uvicorn as Tillpoint is, loaded exactly like Tillpoint. ``--processes N`` starts N separate
``tillpoint serve`` processes (each with ``--workers``) on the one database, and N floor
processes likewise; the virtual users take the processes in turn and the server CPU is the
sum over them. It prints checkouts/s, p50/p99 and server CPU per checkout of all three, the
issue-14 targets against the floor (checkouts/s ≥ 0.60×, p99 ≤ 2×, server CPU per checkout
≤ 2.5×) each met or missed, the ratios to the ceiling, CPU per process group, then checks for
each side that the ledger sums to on_hand, that receipt numbers have no gaps and that every
order has exactly its order.created (and order.completed) event, and for the tenant that
event numbers run 1..N without gap or duplicate; it writes ``bench/results/checkout.json``.
It exits non-zero on errors or a failed check, never on a missed target. Servers and the
database are removed on every exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import secrets
import sys
from pathlib import Path
from typing import Any

import httpx

from bench import checkout_checks
from bench.checkout_load import Target, open_pool, run_checkouts
from bench.checkout_report import (
    CEILING,
    FLOOR,
    TARGET_CPU_RATIO,
    TARGET_P99_RATIO,
    TARGET_THROUGHPUT_RATIO,
    TILLPOINT,
    compute_ratios,
    print_checks,
    print_figures,
    ratios_for_json,
)
from bench.harness import ROOT, BenchError, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.cpu import busy_before_start
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.options import parse_arguments
from bench.harness.report import machine_info, print_report, write_results
from bench.harness.servers import (
    Server,
    environment_without_tillpoint_settings,
    free_port,
    start_server,
    stop_server,
    uvicorn_command,
    wait_ready,
)
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
STOCK_PER_PRODUCT = 100_000
# One location per side, each with its own stock and receipt sequence.
SIDES = ("Tillpoint shop", "Ceiling shop", "Floor shop")
FLOOR_APP = "bench.checkout_floor_app:app"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Benchmark checkout (create a 3-line order, pay it by card) on a real "
        "Tillpoint server against raw asyncpg transactions doing the same writes and a bare "
        "FastAPI app doing those transactions over HTTP, same run.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_arguments,
        check_scenario_arguments=_check_arguments,
        defaults={"concurrency": 32},
    )


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="separate `tillpoint serve` processes (and floor processes) on the one database, "
        "each with --workers workers (default %(default)s)",
    )
    parser.add_argument(
        "--products",
        type=int,
        default=300,
        help="products sold, stocked at every location (default %(default)s)",
    )
    parser.add_argument(
        "--keep-logs",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the servers' logs to DIR and keep them (with --server-env "
        "TILLPOINT_LOG_LEVEL=INFO Tillpoint logs every request with its request_id)",
    )


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 3 <= args.products <= 5_000:
        parser.error("--products must be in [3, 5000]")
    if not 1 <= args.processes <= 8:
        parser.error("--processes must be in [1, 8]")
    if args.concurrency < args.processes:
        parser.error("--concurrency must be at least --processes")


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


def set_up_shop(
    api: Api, run_id: str, products: int, names: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """A location per name (one per side) with a 9 % standard rate and negative stock allowed,
    ``products`` products at prices 1.00 … 9.99, stocked at each: (locations, skus)."""
    locations = []
    for name in names:
        location = api.post("/v1/locations", {"name": name, "allowNegativeStock": True})
        locations.append(location["locationId"])
    # A letter between the run id and the number: the run id is random hex, and when its 8
    # characters were all digits, "CK-41234567-00123" held 13 digits joined by a dash that pass
    # the Luhn check in a tenth of the SKUs — refused as a card number (CARD_DATA_NOT_ALLOWED).
    skus = [f"CK-{run_id}-P{i:05d}" for i in range(products)]
    for i, sku in enumerate(skus):
        price = round(1 + (i * 37) % 900 / 100, 2)  # a JSON number: amounts as text are refused
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


def start_tillpoint(
    stack: contextlib.ExitStack, args: argparse.Namespace, env: dict[str, str], logs: Path
) -> list[Server]:
    """``--processes`` separate ``tillpoint serve`` processes, ready. The first applies the
    migrations on its start; the others start once it is ready, on a schema at head."""
    servers: list[Server] = []
    for i in range(args.processes):
        port = free_port()
        name = "tillpoint" if args.processes == 1 else f"tillpoint-{i + 1}"
        server = start_server(stack, name, serve_command(port, args.workers), port, env, logs)
        wait_ready(server, "/readyz")
        servers.append(server)
    return servers


def start_floor(
    stack: contextlib.ExitStack,
    args: argparse.Namespace,
    database_url: str,
    tenant_id: str,
    location_id: str,
    logs: Path,
) -> list[Server]:
    """The HTTP floor served by uvicorn as ``tillpoint serve`` serves Tillpoint (as many
    processes, as many workers each), ready. Each worker may take up to its process's share of
    ``--concurrency`` connections (uvicorn spreads the keep-alive connections unevenly), opening
    its part up front, so that the floor stays within PostgreSQL's connection limit."""
    share = -(-args.concurrency // args.processes)
    env = environment_without_tillpoint_settings()
    env.update(
        CHECKOUT_FLOOR_DATABASE_URL=database_url,
        CHECKOUT_FLOOR_TENANT_ID=tenant_id,
        CHECKOUT_FLOOR_LOCATION_ID=location_id,
        CHECKOUT_FLOOR_POOL_SIZE=str(share),
        CHECKOUT_FLOOR_POOL_MIN=str(-(-share // args.workers)),
    )
    floors = []
    for i in range(args.processes):
        port = free_port()
        name = "checkout-floor" if args.processes == 1 else f"checkout-floor-{i + 1}"
        command = uvicorn_command(FLOOR_APP, port, args.workers)
        floor = start_server(stack, name, command, port, env, logs)
        wait_ready(floor, "/readyz")
        floors.append(floor)
    return floors


async def _verify_all(
    url: str, tenant_id: str, locations: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        sides = [await checkout_checks.verify(conn, tenant_id, loc) for loc in locations]
        return sides, await checkout_checks.verify_event_sequence(conn, tenant_id)
    finally:
        await conn.close()


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = busy_before_start()
    run_id = secrets.token_hex(4)
    work = temporary_directory(stack)
    logs = work
    if args.keep_logs is not None:
        logs = args.keep_logs / f"checkout-{run_id}"
        logs.mkdir(parents=True)
        console.print(f"server logs kept in {logs}")
    database = create_database(stack, admin_url, run_id)

    env = server_env(database.url, work / "data", args.server_env)
    tillpoint = start_tillpoint(stack, args, env, logs)
    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    tenant_id = tenant["tenantId"]
    api = Api(tillpoint[0], key["key"])
    stack.callback(api.client.close)
    locations, skus = set_up_shop(api, run_id, args.products, SIDES)
    plural = "es" if args.processes > 1 else ""
    console.print(
        f"tillpoint serve on {', '.join(s.base_url for s in tillpoint)} ({args.processes} "
        f"process{plural}, {args.workers} worker{'s' if args.workers > 1 else ''} each); "
        f"tenant {tenant_id}, {len(skus)} products stocked at {locations[0]} (Tillpoint), "
        f"{locations[1]} (ceiling) and {locations[2]} (floor); no register (a card sale needs "
        "no shift)"
    )

    started = dt.datetime.now(dt.UTC)
    pool = open_pool(stack, args.clients)
    tillpoint_target = Target(
        TILLPOINT,
        "Tillpoint checkout",
        "http",
        locations[0],
        tuple(skus),
        base_urls=tuple(s.base_url for s in tillpoint),
        api_key=key["key"],
    )
    results = [run_checkouts(pool, tillpoint_target, args, run_id, database.name, tillpoint)]
    api.client.close()
    for server in tillpoint:  # its idle pools would hold connections and memory
        stop_server(server)
    ceiling = Target(
        CEILING,
        "raw asyncpg ceiling",
        "raw",
        locations[1],
        tuple(skus),
        database_url=database.url,
        tenant_id=tenant_id,
    )
    results.append(run_checkouts(pool, ceiling, args, run_id, database.name, []))
    # The floor starts after the ceiling is done, so the two never compete; it is loaded
    # exactly like Tillpoint (same loop, bodies and bench key; it ignores the key).
    floors = start_floor(stack, args, database.url, tenant_id, locations[2], logs)
    console.print(f"HTTP floor on {', '.join(s.base_url for s in floors)}")
    floor_target = Target(
        FLOOR,
        "HTTP floor (FastAPI + asyncpg)",
        "http",
        locations[2],
        tuple(skus),
        base_urls=tuple(s.base_url for s in floors),
        api_key=key["key"],
    )
    results.append(run_checkouts(pool, floor_target, args, run_id, database.name, floors))
    sides, sequence = asyncio.run(_verify_all(database.url, tenant_id, locations))
    checks = dict(zip(("tillpoint", "ceiling", "floor"), sides, strict=True))
    ratios = compute_ratios(results)

    print_report(
        results,
        title="Tillpoint checkout vs raw asyncpg transactions and an HTTP floor (same run, same "
        "machine); req/s = checkouts/s",
        ratios={
            "checkouts vs ceiling": ratios["tillpointOverCeiling"]["checkoutsPerSec"],
            "checkouts vs HTTP floor": ratios["tillpointOverFloor"]["checkoutsPerSec"],
        },
        endpoints="A checkout: Tillpoint POST /v1/orders (3 lines) + POST /v1/orders/{id}/"
        "payments by card over HTTP (API key, no register); the ceiling: the same inserts and "
        "stock updates as two raw asyncpg transactions, no HTTP (its own CPU is in the loadgen "
        "column); the HTTP floor: the ceiling's transactions behind the same two requests in a "
        "bare FastAPI app (no auth), served by uvicorn like Tillpoint (as many processes and "
        "workers).",
    )
    print_figures(results, ratios)
    checks_ok = print_checks(checks, sequence)
    write_results(
        args.output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "seconds": args.seconds,
            "warmupSeconds": args.warmup,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "processes": args.processes,
            "clients": args.clients,
            "products": args.products,
            "linesPerOrder": 3,
            "serverEnv": args.server_env,
            "rateLimitPerMinute": BENCH_RATE_LIMIT,
        },
        machine=machine_info(database.server_version, idle_check),
        scenarios=results,
        ratios=ratios_for_json(ratios),
        extra={
            "targets": {
                "throughputRatioAtLeast": TARGET_THROUGHPUT_RATIO,
                "p99RatioAtMost": TARGET_P99_RATIO,
                "serverCpuPerCheckoutRatioAtMost": TARGET_CPU_RATIO,
                "against": "floor-checkout",
            },
            "checks": checks,
            "eventSequence": sequence,
        },
    )
    errors = sum(r["errors"] for r in results)
    return 1 if errors or not checks_ok else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
