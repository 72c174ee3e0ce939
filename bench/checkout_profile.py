"""One checkout at a time, in process: CPU per checkout and SQL statements per request.

Run from the repository root::

    python -m bench.checkout_profile [--checkouts 300] [--warmup 50] [--profile out.prof]

Wall-clock figures on a shared machine are noisy; CPU time of this process is not. This drives
the real app (``create_app``, the request pipeline, an API key, PostgreSQL) through httpx's ASGI
transport — no sockets, no uvicorn — with the same checkout as ``bench.checkout`` (3 random
products, 1 to 3 of each, paid by card at a location without a register), one after another.
It prints CPU ms per checkout (this process: app *and* the in-process client; and the app's
share, the CPU spent inside its calls — the least noisy figure to compare one change by), wall
ms, and the statements sent per request (counted by engine events; BEGIN and COMMIT counted
apart), which is the number of round
trips to PostgreSQL. ``--profile`` writes a cProfile of the
measured checkouts (``python -m pstats`` or snakeviz to read it).

Then it runs as many checkouts, one at a time, as the ceiling's raw asyncpg transactions
(``checkout_raw.create`` and ``pay``) at the same location, and prints for both what
PostgreSQL spent per checkout (its backends for this database and the server-wide helpers,
from ``/proc``, as ``bench.checkout`` counts them) beside this process's CPU: without
contention, the database work each side's statements cost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from bench import checkout_raw
from bench.checkout_load import basket, order_body, payment_body
from bench.harness.cpu import CpuSample, cpu_sample, used_cpu
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.tillpoint import in_process_api_key

STOCK = 100_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.checkout_profile")
    parser.add_argument("--checkouts", type=int, default=300, help="measured (%(default)s)")
    parser.add_argument("--warmup", type=int, default=50, help="not measured (%(default)s)")
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the measured part")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show-sql", action="store_true", help="print the last checkout's SQL")
    return parser.parse_args(argv)


class StatementCounter:
    """Statements per request kind, from the engine's cursor events (which the statements run
    at the driver level, ``tillpoint.core.driver``, announce too)."""

    def __init__(self, engine: Any) -> None:
        self.current: Counter[str] = Counter()
        self.statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "begin", self._begin)
        event.listen(engine.sync_engine, "commit", self._commit)
        event.listen(engine.sync_engine, "rollback", self._rollback)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.current["statements"] += 1
        self.statements.append(" ".join(statement.split())[:160])
        self.current[statement.split(None, 1)[0].upper()] += 1

    def _begin(self, _conn: Any) -> None:
        self.current["BEGIN"] += 1
        self.statements.append("BEGIN (event)")

    def _commit(self, _conn: Any) -> None:
        self.current["COMMIT"] += 1
        self.statements.append("COMMIT")

    def _rollback(self, _conn: Any) -> None:
        self.current["ROLLBACK"] += 1

    def take(self) -> Counter[str]:
        taken, self.current = self.current, Counter()
        self.statements = []
        return taken


class ServerClock:
    """The app, counting the process's CPU time spent inside it: checkouts run one at a time,
    so that is the server's share, without the client's."""

    def __init__(self, app: Any) -> None:
        self.app, self.cpu = app, 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.cpu += time.process_time() - started


async def set_up(
    client: httpx.AsyncClient, db: Any, products: int
) -> tuple[dict[str, str], str, str]:
    """A tenant, an API key with the bench's scopes, a location, products stocked there:
    (the key's headers, the location, the tenant)."""
    from bench.checkout import SCOPES

    headers, tenant_id = await in_process_api_key(client, db, SCOPES)

    async def post(path: str, body: dict[str, Any]) -> Any:
        response = await client.post(path, json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    location = (await post("/v1/locations", {"name": "Shop", "allowNegativeStock": True}))[
        "locationId"
    ]
    await post(
        f"/v1/locations/{location}/tax-rates",
        {"taxClass": "standard", "name": "Sales tax", "rate": 9},
    )
    skus = [f"CP-{i:05d}" for i in range(products)]
    for i, sku in enumerate(skus):
        price = round(1 + (i * 37) % 900 / 100, 2)  # a JSON number: amounts as text are refused
        await post("/v1/catalog/products", {"name": f"Item {i}", "sku": sku, "price": price})
    await post(
        "/v1/inventory/adjustments",
        {
            "locationId": location,
            "reason": "received",
            "items": [{"sku": sku, "deltaQuantity": STOCK} for sku in skus],
        },
    )
    return headers, location, tenant_id


async def raw_checkouts(conn: Any, shop: checkout_raw.Shop, skus: tuple[str, ...], n: int) -> None:
    """``n`` checkouts as the ceiling's two raw transactions, one after another."""
    for _ in range(n):
        order_id, total = await checkout_raw.create(conn, shop, basket(skus))
        await checkout_raw.pay(conn, shop, order_id, total)


def postgres_ms(before: CpuSample | None, after: CpuSample | None, n: int) -> str:
    if before is None or after is None:
        return "n/a (no /proc)"
    return f"{used_cpu(before.postgres, after.postgres) / n * 1000:.2f} ms/checkout"


async def checkout(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    location: str,
    skus: tuple[str, ...],
    counter: StatementCounter,
    tally: dict[str, Counter[str]],
    *,
    show: bool = False,
) -> None:
    created = await client.post("/v1/orders", json=order_body(location, skus), headers=headers)
    assert created.status_code == 201, created.text
    if show:
        print("create:", *counter.statements, sep="\n  ")
    tally["create"].update(counter.take())
    order = created.json()
    paid = await client.post(
        f"/v1/orders/{order['orderId']}/payments",
        json=payment_body(order, f"ch_{order['orderId']}"),
        headers=headers,
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["order"]["status"] == "completed", paid.text
    if show:
        print("pay:", *counter.statements, sep="\n  ")
    tally["pay"].update(counter.take())


async def main_async(args: argparse.Namespace, url: str, database: str) -> None:
    from tillpoint.app import create_app
    from tillpoint.config import Settings
    from tillpoint.core.db import Database
    from tillpoint.migrations import upgrade

    async_url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    await asyncio.to_thread(upgrade, async_url)
    settings = Settings(
        database_url=async_url,
        data_dir=Path(tempfile.mkdtemp(prefix="checkout-profile-")),
        run_jobs_in_process=False,
        default_rate_limit_per_minute=1_000_000_000,
        anonymous_rate_limit_per_minute=1_000_000_000,
        log_level="WARNING",
    )
    db = Database(settings.sqlalchemy_url)
    app = create_app(settings, db=db)
    server = ServerClock(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://t") as client,
    ):
        headers, location, tenant_id = await set_up(client, db, args.products)
        skus = tuple(f"CP-{i:05d}" for i in range(args.products))
        random.seed(args.seed)
        counter = StatementCounter(db.engine)
        tally: dict[str, Counter[str]] = {"create": Counter(), "pay": Counter()}
        for _ in range(args.warmup):
            await checkout(client, headers, location, skus, counter, tally)
        tally = {"create": Counter(), "pay": Counter()}
        profiler = cProfile.Profile() if args.profile else None
        pg_before = cpu_sample(os.getpid(), database)
        server.cpu = 0.0
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.checkouts):
            await checkout(client, headers, location, skus, counter, tally)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        pg_tillpoint = postgres_ms(pg_before, cpu_sample(os.getpid(), database), args.checkouts)
        if args.show_sql:
            await checkout(client, headers, location, skus, counter, tally, show=True)
    await db.dispose()
    n = args.checkouts
    print(
        f"{n} checkouts: CPU {cpu / n * 1000:.2f} ms/checkout (the app's share "
        f"{server.cpu / n * 1000:.2f} ms), wall {wall / n * 1000:.2f} ms"
    )
    for kind, counts in tally.items():
        per = {k: round(v / n, 2) for k, v in sorted(counts.items())}
        print(f"  {kind}: {per}")
    # The connection stays open until the second sample: a backend that has exited is not
    # counted.
    conn = await asyncpg.connect(url)
    try:
        shop = await checkout_raw.load_shop(conn, tenant_id, location)
        await raw_checkouts(conn, shop, skus, args.warmup)
        pg_before = cpu_sample(os.getpid(), database)
        raw_cpu, raw_wall = time.process_time(), time.perf_counter()
        await raw_checkouts(conn, shop, skus, n)
        raw_cpu, raw_wall = time.process_time() - raw_cpu, time.perf_counter() - raw_wall
        pg_raw = postgres_ms(pg_before, cpu_sample(os.getpid(), database), n)
    finally:
        await conn.close()
    print(
        f"{n} raw asyncpg checkouts: CPU {raw_cpu / n * 1000:.2f} ms/checkout, "
        f"wall {raw_wall / n * 1000:.2f} ms"
    )
    print(f"PostgreSQL CPU: Tillpoint {pg_tillpoint}, raw asyncpg {pg_raw}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        database = create_database(stack, admin_url_from_env(), secrets.token_hex(4))
        asyncio.run(main_async(args, database.url, database.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
