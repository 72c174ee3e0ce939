"""Reports at size (issue 17 item 7): a year of orders bulk-loaded into a throw-away
PostgreSQL database, the summaries built by the app's own rollup, then each report over HTTP
on a real ``tillpoint serve`` against a plain SQL aggregate over the order tables.

Run from the repository root::

    python -m bench.reports [--orders 1000000] [--runs 20] [--warmup-runs 3]

Files: ``reports.py`` (the run), ``reports_shop.py`` (the shop, made through the API),
``reports_load.py`` (the COPY load), ``reports_measure.py`` (timings, baselines, checks).
The exit status is 1 when a report disagrees with its baseline. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import secrets
import sys
import time
from typing import Any

from rich.table import Table

from bench.harness import ROOT, console
from bench.harness.cleanup import run_with_cleanup, temporary_directory
from bench.harness.cpu import busy_before_start
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.options import parse_arguments
from bench.harness.report import machine_info, write_results
from bench.harness.servers import free_port, start_server, wait_ready
from bench.harness.tillpoint import create_tenant_and_api_key, serve_command, server_env
from bench.reports_load import load
from bench.reports_measure import measure_all
from bench.reports_shop import SCOPES, Shop, read_shop, set_up_shop

BENCHMARK = "reports"
RESULTS_FILE = ROOT / "bench" / "results" / f"{BENCHMARK}.json"
TARGET_RATIO = 20.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_arguments(
        argv,
        prog=f"python -m bench.{BENCHMARK}",
        description="Load a year of orders in bulk, roll them up and time each report "
        "against a plain SQL aggregate over the order tables.",
        output=RESULTS_FILE,
        add_scenario_arguments=_add_arguments,
        check_scenario_arguments=_check_arguments,
    )


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders to load")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per report")
    parser.add_argument("--warmup-runs", type=int, default=3, help="untimed runs first")
    parser.add_argument("--seed", type=int, default=17, help="random seed of the data")


def _check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 1_000 <= args.orders <= 5_000_000:
        parser.error("--orders must be in [1000, 5000000]")
    if not 1 <= args.runs <= 1000 or not 0 <= args.warmup_runs <= 100:
        parser.error("--runs must be in [1, 1000] and --warmup-runs in [0, 100]")


async def _load(
    dsn: str, shop_args: tuple[Any, ...], orders: int, seed: int
) -> tuple[Shop, Any, float]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        shop = await read_shop(conn, *shop_args)
        counts, seconds = await load(conn, shop, orders, seed)
    finally:
        await conn.close()
    return shop, counts, seconds


async def _roll_up(url: str, tenant_id: str, events: int) -> float:
    """The app's rollup (``catch_up``'s loop, with progress), in this process; seconds."""
    from tillpoint.config import async_database_url
    from tillpoint.core.db import Database
    from tillpoint.core.transactions import transaction
    from tillpoint.reports.rollup import BATCH, roll_batch

    db = Database(async_database_url(url), pool_size=2)
    started = time.perf_counter()
    done = 0
    try:
        while True:
            async with transaction(db, tenant_id=tenant_id) as session:
                more = await roll_batch(session, tenant_id)
            done += BATCH
            if done % 100_000 == 0:
                rate = done / (time.perf_counter() - started)
                console.print(f"  rollup: ~{done:,} of {events:,} events, {rate:,.0f}/s")
            if not more:
                break
    finally:
        await db.engine.dispose()
    return time.perf_counter() - started


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    admin_url = admin_url_from_env()
    idle_check = busy_before_start()
    run_id = secrets.token_hex(4)
    work = temporary_directory(stack)
    database = create_database(stack, admin_url, run_id)
    # No background rollup: the bench runs it itself and times it; a report still catches up
    # before it reads (nothing is left to do by then).
    env = server_env(
        database.url, work / "data", ["TILLPOINT_RUN_JOBS_IN_PROCESS=false", *args.server_env]
    )
    port = free_port()
    server = start_server(stack, "tillpoint", serve_command(port, args.workers), port, env, work)
    wait_ready(server, "/readyz")
    tenant, key = create_tenant_and_api_key(run_id, SCOPES, env)
    location_ids, _ = set_up_shop(server, key["key"], run_id)
    console.print(f"tillpoint serve on {server.base_url}, tenant {tenant['tenantId']}")

    started = dt.datetime.now(dt.UTC)
    console.print(f"loading {args.orders:,} orders …")
    shop, counts, load_s = asyncio.run(
        _load(database.url, (tenant["tenantId"], location_ids, run_id), args.orders, args.seed)
    )
    console.print(
        f"loaded {counts.orders:,} orders ({counts.refunds:,} refunds, {counts.voids:,} voids, "
        f"{counts.open_voids:,} open voids), {counts.events:,} events, {counts.rows:,} rows "
        f"in [bold]{load_s:.1f} s[/bold]"
    )
    rollup_s = asyncio.run(_roll_up(database.url, shop.tenant_id, counts.events))
    per_100k = rollup_s / counts.orders * 100_000
    console.print(
        f"rollup of {counts.events:,} events in [bold]{rollup_s:.1f} s[/bold] "
        f"({per_100k:.1f} s per 100k orders)"
    )

    results, checks = asyncio.run(
        measure_all(server.base_url, key["key"], database.url, shop, args.warmup_runs, args.runs)
    )
    print_results(results, checks)
    write_results(
        args.output,
        benchmark=BENCHMARK,
        started=started,
        config={
            "orders": args.orders,
            "runs": args.runs,
            "warmupRuns": args.warmup_runs,
            "seed": args.seed,
            "workers": args.workers,
            "serverEnv": args.server_env,
        },
        machine=machine_info(database.server_version, idle_check),
        scenarios=results,
        ratios={r["report"]["name"]: r.get("ratioBaselineOverReport") for r in results},
        extra={
            "load": {
                "orders": counts.orders,
                "completed": counts.completed,
                "refunds": counts.refunds,
                "voids": counts.voids,
                "openVoids": counts.open_voids,
                "events": counts.events,
                "rows": counts.rows,
                "loadSeconds": round(load_s, 1),
                "rollupSeconds": round(rollup_s, 1),
                "rollupSecondsPer100kOrders": round(per_100k, 1),
            },
            "checks": checks,
        },
    )
    return 0 if all(c["ok"] for c in checks) else 1


def print_results(results: list[dict[str, Any]], checks: list[dict[str, Any]]) -> None:
    table = Table(title="Reports vs a plain SQL aggregate over the order tables (same run)")
    for column in ("report", "p50 ms", "p90 ms", "baseline p50 ms", "baseline p90 ms", "ratio"):
        table.add_column(column, justify="left" if column == "report" else "right")
    for entry in results:
        report, baseline = entry["report"], entry["baseline"]
        ratio = entry.get("ratioBaselineOverReport")
        shown = (
            "—"
            if ratio is None
            else f"{ratio:.1f}×" + ("" if ratio >= TARGET_RATIO else " (< 20×)")
        )
        table.add_row(
            report["label"] if report["status"] == "ok" else f"{report['label']} ({report['status'][:40]})",  # noqa: E501
            _ms(report.get("p50Ms")), _ms(report.get("p90Ms")),
            _ms(baseline.get("p50Ms")), _ms(baseline.get("p90Ms")), shown,
        )  # fmt: skip
    console.print(table)
    for check in checks:
        mark = "[green]ok[/green]" if check["ok"] else "[red]FAILED[/red]"
        console.print(
            f"check {check['case']} {check['check']}: baseline {check['baseline']}, "
            f"report {check['report']} {mark}"
        )


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_cleanup(functools.partial(run, args))


if __name__ == "__main__":
    sys.exit(main())
