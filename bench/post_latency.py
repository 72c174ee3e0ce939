"""Where the POST p99 of ``bench.api_locations`` comes from: two causes, each measured alone.

Run from the repository root::

    python -m bench.post_latency [--requests 3000] [--concurrency 16] [--work-ms 2]

1. **The rate limiter.** ``--concurrency`` simulated requests share one event loop, as in one
   ``tillpoint serve`` worker: each takes a rate-limit hit for one API key (the benchmark's
   case: every request under the same key), then does ``--work-ms`` of CPU in four slices with
   an ``await`` between them (a request's parsing, SQL building and rendering). The wait inside
   ``hit()`` is timed for ``limits``' moving window on its memory storage (what Tillpoint used
   before issue 14) and for ``core.ratelimit.MovingWindows`` (what it uses now).
2. **The per-tenant event counter** (ADR 0001), on a throw-away PostgreSQL database. The same
   simulated requests each run a transaction as a POST does: insert a row, then, as the last
   write, the counter upsert and the event insert, then COMMIT, with ``--work-ms`` of CPU
   before the upsert. Timed twice: all requests on one tenant's counter row (one shop's
   clients), then each on its own row (many shops). The difference is the queue on the row:
   its lock is held from the upsert to COMMIT, over an event-loop turn and a WAL flush.

Nothing is changed anywhere; it prints p50/p90/p99/max per case and p99 ÷ p50.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from rich.table import Table

from bench.harness import console
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.load import latency_stats
from tillpoint.core.ratelimit import MovingWindows

KEY = "key:bench"
LIMIT = 1_000_000_000  # as the benchmarks set it: never reached


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.post_latency", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="per case (default 3000)")
    parser.add_argument("--concurrency", type=int, default=16, help="(default 16)")
    parser.add_argument(
        "--work-ms", type=float, default=2.0, help="CPU per simulated request (default 2)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 64 or not 1 <= args.requests <= 1_000_000:
        parser.error("--concurrency must be in [1, 64] and --requests in [1, 1000000]")
    return args


def burn(ms: float) -> None:
    """Busy CPU for ``ms`` milliseconds (the event loop cannot run anything else meanwhile)."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


async def work(ms: float) -> None:
    for _ in range(4):
        burn(ms / 4)
        await asyncio.sleep(0)


async def run_concurrently(
    requests: int, concurrency: int, one: Callable[[int], Awaitable[float]]
) -> list[float]:
    """``requests`` calls of ``one`` (which returns the ms it timed) by ``concurrency`` tasks."""
    left = [requests]
    timed: list[float] = []

    async def task(i: int) -> None:
        while left[0] > 0:
            left[0] -= 1
            timed.append(await one(i))

    await asyncio.gather(*(task(i) for i in range(concurrency)))
    return sorted(timed)


async def limiter_case(args: argparse.Namespace, hit: Callable[[], Awaitable[Any]]) -> list[float]:
    async def one(_: int) -> float:
        started = time.perf_counter()
        await hit()
        waited = (time.perf_counter() - started) * 1000
        await work(args.work_ms)
        return waited

    return await run_concurrently(args.requests, args.concurrency, one)


async def rate_limiter_cases(args: argparse.Namespace) -> dict[str, list[float]]:
    old = MovingWindowRateLimiter(MemoryStorage())
    item = RateLimitItemPerMinute(LIMIT)

    async def old_hit() -> None:
        await old.hit(item, "tillpoint", KEY)
        await old.get_window_stats(item, "tillpoint", KEY)

    windows = MovingWindows()

    async def new_hit() -> None:
        windows.hit(KEY, LIMIT)

    return {
        "rate limit hit: limits MemoryStorage (before)": await limiter_case(args, old_hit),
        "rate limit hit: MovingWindows (now)": await limiter_case(args, new_hit),
    }


SCHEMA = (
    "CREATE TABLE counters (tenant_id text PRIMARY KEY, last_seq bigint NOT NULL)",
    "CREATE TABLE rows (id bigserial PRIMARY KEY, tenant_id text NOT NULL, data text)",
    "CREATE TABLE events (tenant_id text, seq bigint, data text, PRIMARY KEY (tenant_id, seq))",
)
WRITE = "INSERT INTO rows (tenant_id, data) VALUES ($1, 'a location')"
# The counter upsert and the event insert in one statement, as Tillpoint's commit runs them.
COUNTER_AND_EVENT = (
    "WITH c AS (INSERT INTO counters (tenant_id, last_seq) VALUES ($1, 1) ON CONFLICT "
    "(tenant_id) DO UPDATE SET last_seq = counters.last_seq + 1 RETURNING last_seq) "
    "INSERT INTO events (tenant_id, seq, data) SELECT $1, last_seq, 'event' FROM c"
)


async def counter_cases(args: argparse.Namespace, url: str) -> dict[str, list[float]]:
    import asyncpg

    conns = [await asyncpg.connect(url) for _ in range(args.concurrency)]
    try:
        for statement in SCHEMA:
            await conns[0].execute(statement)

        def case(tenant_of: Callable[[int], str]) -> Callable[[int], Awaitable[float]]:
            async def one(i: int) -> float:
                conn, tenant = conns[i], tenant_of(i)
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute(WRITE, tenant)
                    await work(args.work_ms)
                    await conn.execute(COUNTER_AND_EVENT, tenant)
                return (time.perf_counter() - started) * 1000

            return one

        shared = await run_concurrently(args.requests, args.concurrency, case(lambda _: "shop"))
        own = await run_concurrently(args.requests, args.concurrency, case(lambda i: f"shop{i}"))
    finally:
        for conn in conns:
            await conn.close()
    return {
        "POST transaction, one tenant's counter row": shared,
        "POST transaction, a counter row per client": own,
    }


def print_cases(cases: dict[str, list[float]]) -> None:
    table = Table(title="Timed per simulated request (ms)")
    for column in ("case", "n", "p50", "p90", "p99", "max", "p99 ÷ p50"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for name, timed in cases.items():
        stats = latency_stats(timed)
        p50, p99 = stats["p50"], stats["p99"]
        table.add_row(
            name,
            f"{len(timed):,}",
            *(f"{stats[k]:.3f}" for k in ("p50", "p90", "p99", "max")),
            f"{p99 / p50:.1f}" if p50 and p99 else "—",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cases = asyncio.run(rate_limiter_cases(args))
    with contextlib.ExitStack() as stack:
        database = create_database(stack, admin_url_from_env(), secrets.token_hex(4))
        cases.update(asyncio.run(counter_cases(args, database.url)))
    print_cases(cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
