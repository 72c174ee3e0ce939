"""Barcode lookups and product pages one at a time, in process: CPU per request and statements.

Run from the repository root::

    python -m bench.catalog_profile [--backend postgresql|sqlite] [--lookups 2000] [--pages 50]
        [--profile-lookup out.prof] [--profile-list out.prof]

Wall-clock figures on a shared machine are noisy; CPU time of this process is less so. This
drives the real app (``create_app``, the request pipeline, an API key) by calling it as an ASGI
app — no client, no sockets, no uvicorn: the CPU is the app's and its driver's — on the catalog
``bench.catalog`` seeds (``catalog_data.seed``: 40,000 products, 100,000 variants by default),
with the same requests: a lookup of a random seeded barcode at the location, and a page of 200
products at a random page. It prints CPU and wall ms per request and the statements sent per
request (counted by an engine event). The ``--profile-*`` options write a cProfile of the
measured requests (``python -m pstats`` or snakeviz to read it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import event

from bench.catalog import SCOPES
from bench.catalog_data import PAGE_SIZE, SEED_PREFIX, Shape, barcode, seed
from bench.harness.database import admin_url_from_env, create_database
from bench.harness.tillpoint import in_process_api_key


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog_profile")
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--products", type=int, default=40_000)
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000, help="measured (%(default)s)")
    parser.add_argument("--pages", type=int, default=50, help="measured (%(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="of each, not measured")
    parser.add_argument("--profile-lookup", type=Path, help="write a cProfile of the lookups")
    parser.add_argument("--profile-list", type=Path, help="write a cProfile of the pages")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


class StatementCounter:
    def __init__(self, engine: Any) -> None:
        self.counts: Counter[str] = Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.counts[statement.split(None, 1)[0].upper()] += 1

    def take(self) -> Counter[str]:
        taken, self.counts = self.counts, Counter()
        return taken


async def set_up(client: httpx.AsyncClient, db: Any) -> tuple[dict[str, str], str, str]:
    """A tenant, an API key with ``bench.catalog``'s scopes and a location: (the key's headers,
    the location, the tenant)."""
    headers, tenant_id = await in_process_api_key(client, db, SCOPES)
    made_location = await client.post("/v1/locations", headers=headers, json={"name": "Shop"})
    return headers, made_location.json()["locationId"], tenant_id


class Answer:
    """What ``call`` got back: the status and the body."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code, self.content = status_code, content

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


async def call(app: Any, path: str, params: dict[str, Any], headers: dict[str, str]) -> Answer:
    """One GET straight into the ASGI app, without a client: the CPU measured is the app's."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(params).encode(),
        "headers": [(b"host", b"t"), *((k.encode(), v.encode()) for k, v in headers.items())],
        "client": ("127.0.0.1", 50000),
        "server": ("t", 80),
    }
    status, body = 0, bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return Answer(status, bytes(body))


async def measure(
    name: str,
    n: int,
    warmup: int,
    request: Callable[[], Awaitable[Answer]],
    counter: StatementCounter,
    profile: Path | None,
) -> None:
    for _ in range(warmup):
        response = await request()
        assert response.status_code == 200, response.text
    counter.take()
    # CPU time, not wall time: on a shared machine the wall clock counts the waits for a core.
    profiler = cProfile.Profile(time.process_time) if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(n):
        response = await request()
        assert response.status_code == 200, response.text
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per = {k: round(v / n, 2) for k, v in sorted(counter.take().items())}
    print(f"{n} {name}: CPU {cpu / n * 1000:.2f} ms each, wall {wall / n * 1000:.2f} ms; {per}")


async def main_async(args: argparse.Namespace, url: str) -> None:
    from tillpoint.app import create_app
    from tillpoint.config import Settings, async_database_url
    from tillpoint.core.db import Database
    from tillpoint.migrations import upgrade

    async_url = async_database_url(url)
    await asyncio.to_thread(upgrade, async_url)
    settings = Settings(
        database_url=async_url,
        data_dir=Path(tempfile.mkdtemp(prefix="catalog-profile-")),
        run_jobs_in_process=False,
        default_rate_limit_per_minute=1_000_000_000,
        anonymous_rate_limit_per_minute=1_000_000_000,
        log_level="WARNING",
    )
    db = Database(settings.sqlalchemy_url)
    app = create_app(settings, db=db)
    shape = Shape(args.products, args.variants)
    shape.check()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        headers, location, tenant_id = await set_up(client, db)
        seeded = await seed(url, tenant_id, location, shape)
        print(f"seeded {seeded.products} products, {seeded.variants} variants in "
              f"{seeded.seconds:.1f} s")  # fmt: skip
        random.seed(args.seed)
        pages = -(-args.products // PAGE_SIZE)
        counter = StatementCounter(db.engine)

        def lookup() -> Awaitable[Answer]:
            code = barcode(SEED_PREFIX, random.randrange(args.variants))
            params = {"barcode": code, "locationId": location}
            return call(app, "/v1/catalog/lookup", params, headers)

        def page() -> Awaitable[Answer]:
            params = {"pageSize": PAGE_SIZE, "page": random.randint(1, pages)}
            return call(app, "/v1/catalog/products", params, headers)

        await measure("lookups", args.lookups, args.warmup, lookup, counter, args.profile_lookup)
        await measure("pages", args.pages, args.warmup // 4, page, counter, args.profile_list)
    await db.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.backend == "postgresql":
            url = create_database(stack, admin_url_from_env(), secrets.token_hex(4)).url
        else:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="catalog-")))
            url = f"sqlite:///{scratch / 'catalog.db'}"
        asyncio.run(main_async(args, url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
