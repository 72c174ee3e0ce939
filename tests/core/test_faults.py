"""Database faults answer cleanly: a real dropped connection, deadlock, lock or exhausted pool
is retried once inside the server where nothing was committed, else answered 503
SERVICE_UNAVAILABLE with Retry-After — never 500 — and every error carries the request id and
the rate-limit headers. All faults here are real: backends terminated with
pg_terminate_backend, a deadlock between two real connections, a pool held empty."""

import asyncio
import logging
import uuid
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.inventory import Inv
from tests.support.sales import make_shop
from tests.support.tenants import TenantFixture, make_settings
from tillpoint.app import create_app
from tillpoint.core.db import Database
from tillpoint.core.faults import Fault, fault_of


def asyncpg_dsn(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def assert_unavailable(response: httpx.Response) -> None:
    """A 503 as the API promises it: the envelope, Retry-After, the request id, rate limits."""
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-Request-Id"] == response.json()["error"]["requestId"]
    assert "RateLimit-Limit" in response.headers


async def all_events(client: httpx.AsyncClient, tenant: TenantFixture) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = (
            await client.get(
                "/v1/events", params={"after": after, "limit": 500}, headers=tenant.headers
            )
        ).json()
        events.extend(page["items"])
        after = page["nextAfter"]
        if not page["hasMore"]:
            return events


async def test_backends_terminated_under_load_answer_503_never_500(
    client, db: Database, dialect: str, database_url: str, tenant: TenantFixture
) -> None:
    """Several tills ring up and pay orders and read stock while every database backend of the
    app is terminated again and again. No answer is a 500; every failure is a 503 with
    Retry-After; a till that retries with its Idempotency-Key gets each sale exactly once; the
    event sequence is gapless with one order.created per order; stock matches the ledger."""
    if dialect != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    till = await make_shop(client, tenant, open_shift=False)
    skus = [await till.product(f"P{i}", price=3) for i in range(3)]
    for sku in skus:
        await till.stock(sku, 1000)
    statuses: Counter[int] = Counter()
    bad: list[str] = []

    async def call(method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        """One request, repeated while the server says 503 (or that the key is still held by
        the try the 503 answered); returns the final response."""
        headers = {**tenant.headers, **({"Idempotency-Key": key} if key else {})}
        for _ in range(200):
            response = await client.request(method, path, json=body, headers=headers)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                if response.status_code != 503 or "Retry-After" not in response.headers:
                    bad.append(f"{method} {path}: {response.status_code} {response.text}")
                    return response
                assert_unavailable(response)
            elif not (
                response.status_code == 409
                and response.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
            ):
                return response
            await asyncio.sleep(0.05)  # Retry-After says 1 s; a test need not wait that long
        raise AssertionError(f"{method} {path} never got through")

    sold: list[str] = []
    sold_per_sku: Counter[str] = Counter()

    async def till_worker(n: int) -> None:
        # At least 8 sales each, and on until more than 10 backends were terminated under the
        # load: a faster server must not end the load before the faults have happened.
        i = -1
        while (i := i + 1) < 8 or (terminated <= 10 and i < 40):  # at most 200: one page
            lines: list[dict[str, Any]] = [
                {"sku": skus[(n + i) % 3]},
                {"sku": skus[(n + i + 1) % 3]},
            ]
            body = {
                "locationId": till.location_id,
                "registerId": till.register_id,
                "lineItems": lines,
            }
            created = await call("POST", "/v1/orders", body, key=f"o-{n}-{i}-{uuid.uuid4().hex}")
            assert created.status_code == 201, created.text
            order = created.json()
            paid = await call(
                "POST",
                f"/v1/orders/{order['orderId']}/payments",
                {
                    "tenderType": "credit_card",
                    "amount": order["totals"]["balanceDue"],
                    "cardLast4": "4242",
                    "cardBrand": "visa",
                    "processorRef": "ch_test",
                },
                key=f"p-{n}-{i}-{uuid.uuid4().hex}",
            )
            assert paid.status_code == 201, paid.text
            sold.append(order["orderId"])
            for line in lines:
                sold_per_sku[line["sku"]] += 1
            read = await call("GET", "/v1/inventory/levels", None)
            assert read.status_code == 200, read.text
            listed = await call("GET", "/v1/orders", None)
            assert listed.status_code == 200, listed.text
            shown = await call("GET", f"/v1/orders/{order['orderId']}", None)
            assert shown.json()["status"] == "completed", shown.text

    terminated = 0
    stop = asyncio.Event()

    async def terminator() -> None:
        nonlocal terminated
        killer = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            while not stop.is_set():
                terminated += len(
                    await killer.fetch(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                await asyncio.sleep(1.0)
        finally:
            await killer.close()

    killing = asyncio.create_task(terminator())
    try:
        await asyncio.wait_for(asyncio.gather(*(till_worker(n) for n in range(5))), timeout=90)
    except TimeoutError as timeout:
        raise AssertionError(
            f"the load did not finish: {dict(statuses)}, {len(sold)} sold"
        ) from timeout
    finally:
        stop.set()
        await killing
    # The shared pool still holds connections terminated between its requests.
    await db.engine.dispose()

    assert not bad, bad
    assert terminated > 10, terminated
    assert sum(statuses.values()) >= 200, statuses
    # The figures of a run, for the record: pytest -s shows them.
    logging.getLogger("tests.faults").warning(
        "statuses %s, backends terminated %d", dict(statuses), terminated
    )

    # Every sale exists once, complete, and nothing else was sold.
    orders = (
        await client.get(
            "/v1/orders",
            params={"locationId": till.location_id, "pageSize": 200},
            headers=tenant.headers,
        )
    ).json()
    assert orders["total"] == len(sold) >= 40
    assert {o["orderId"] for o in orders["items"]} == set(sold)
    assert {o["status"] for o in orders["items"]} == {"completed"}
    # The event sequence is gapless, with one order.created and one payment.captured per sale.
    events = await all_events(client, tenant)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    kinds = Counter(e["type"] for e in events)
    assert kinds["order.created"] == kinds["payment.captured"] == kinds["order.completed"]
    assert kinds["order.completed"] == len(sold)
    # Stock: the ledger sums to on hand, which is what was received less what was sold.
    inv = Inv(client, tenant.headers)
    for sku in skus:
        on_hand = await inv.on_hand(till.location_id, sku)
        assert on_hand == await inv.ledger_sum(till.location_id, sku)
        assert on_hand == 1000 - sold_per_sku[sku]


async def test_a_deadlock_victim_is_retried_inside_the_server(
    client, dialect: str, database_url: str, tenant: TenantFixture
) -> None:
    """An adjustment locks its two stock rows in id order; a real second connection holding the
    second row takes the first one too: PostgreSQL aborts the request's transaction as the
    deadlock victim (40P01). The server runs it once more and answers 201 — once."""
    if dialect != "postgresql":
        pytest.skip("a deadlock between two connections needs PostgreSQL's row locks")
    till = await make_shop(client, tenant, open_shift=False)
    skus = [await till.product(f"D{i}") for i in range(2)]
    for sku in skus:
        await till.stock(sku, 10)
    other = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        # The test's connection must never be the victim: it checks for a deadlock much later.
        await other.execute("SET deadlock_timeout = '20s'")
        variants = [
            r["variant_id"]
            for r in await other.fetch(
                "SELECT variant_id FROM stock_levels WHERE tenant_id = $1 AND location_id = $2"
                " ORDER BY variant_id",
                tenant.id,
                till.location_id,
            )
        ]
        lock = "SELECT 1 FROM stock_levels WHERE tenant_id = $1 AND variant_id = $2 FOR UPDATE"
        tx = other.transaction()
        await tx.start()
        await other.execute(lock, tenant.id, variants[1])
        adjusting = asyncio.create_task(
            client.post(
                "/v1/inventory/adjustments",
                headers=tenant.headers,
                json={
                    "locationId": till.location_id,
                    "reason": "correction",
                    "items": [{"sku": s, "deltaQuantity": 5} for s in skus],
                },
            )
        )
        for _ in range(200):  # until the request holds the first row and waits for the second
            waiting = await other.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting, "the adjustment never waited for the held row"
        await other.execute(lock, tenant.id, variants[0])  # granted once the victim aborts
        await tx.rollback()
        response = await asyncio.wait_for(adjusting, timeout=30)
    finally:
        await other.close()
    assert response.status_code == 201, response.text
    inv = Inv(client, tenant.headers)
    for sku in skus:
        assert await inv.on_hand(till.location_id, sku) == 15
        assert await inv.ledger_sum(till.location_id, sku) == 15


async def test_an_exhausted_pool_is_503_and_the_keyed_retry_succeeds(
    dialect: str, database_url: str, tmp_path, tenant: TenantFixture
) -> None:
    """A pool of one connection, held by the test: requests wait the pool timeout, are tried
    once more, and answer 503 with Retry-After; with the connection back, the same keyed write
    goes through once."""
    if dialect != "postgresql":
        pytest.skip("the pool settings are PostgreSQL's")
    settings = make_settings(database_url, tmp_path)
    db = Database(settings.sqlalchemy_url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    app = create_app(settings, db=db)
    headers = {**tenant.headers, "Idempotency-Key": f"pool-{uuid.uuid4().hex}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        async with db.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            read = await c.get("/v1/locations", headers=tenant.headers)
            write = await c.post("/v1/locations", headers=headers, json={"name": "Pooled"})
        assert_unavailable(read)
        assert_unavailable(write)
        again = await c.post("/v1/locations", headers=headers, json={"name": "Pooled"})
        assert again.status_code == 201, again.text
        listed = await c.get("/v1/locations", headers=tenant.headers)
        assert [loc["name"] for loc in listed.json()["items"]].count("Pooled") == 1
    await db.dispose()


async def test_an_unexpected_error_keeps_the_request_id_and_rate_limit_headers(
    database_url: str, tmp_path, tenant: TenantFixture
) -> None:
    """A route of this test's own app that fails for real (a division by zero) is a 500 in the
    envelope — with X-Request-Id and the RateLimit headers, which the server's last-resort
    handler used to drop."""
    app = create_app(make_settings(database_url, tmp_path))

    @app.get("/v1/broken-test-route")
    async def broken() -> dict[str, float]:
        return {"ratio": 1 / len([])}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        response = await c.get(
            "/v1/broken-test-route", headers={**tenant.headers, "X-Request-Id": "trace-500"}
        )
    assert response.status_code == 500
    assert response.json()["error"] == {
        "code": "INTERNAL_ERROR",
        "message": "Something went wrong on our side.",
        "details": [],
        "requestId": "trace-500",
    }
    assert response.headers["X-Request-Id"] == "trace-500"
    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
        assert name in response.headers, name


async def test_real_faults_are_classified(dialect: str, database_url: str, tmp_path) -> None:
    """The classification in core/faults.py on errors raised for real: a serialisation failure
    between two SERIALIZABLE transactions and a terminated connection on PostgreSQL, a locked
    database on SQLite."""
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"
        engine = create_async_engine(url, connect_args={"timeout": 0})
        async with engine.connect() as first, engine.connect() as second:
            await first.execute(text("CREATE TABLE t (x INTEGER)"))
            await first.commit()
            await first.exec_driver_sql("BEGIN IMMEDIATE")
            await first.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(DBAPIError) as locked:
                await second.exec_driver_sql("BEGIN IMMEDIATE")
            assert fault_of(locked.value) is Fault.CONFLICT
        await engine.dispose()
        return
    engine = create_async_engine(database_url, isolation_level="SERIALIZABLE")
    table = f"faults_{uuid.uuid4().hex[:8]}"
    async with engine.begin() as setup:
        await setup.execute(text(f"CREATE TABLE {table} (x INTEGER)"))
        await setup.execute(text(f"INSERT INTO {table} VALUES (1)"))
    try:
        async with engine.connect() as first, engine.connect() as second:
            await first.execute(text(f"SELECT * FROM {table}"))
            await second.execute(text(f"SELECT * FROM {table}"))
            await first.execute(text(f"UPDATE {table} SET x = 2"))
            await first.commit()
            with pytest.raises(DBAPIError) as serialisation:
                await second.execute(text(f"UPDATE {table} SET x = 3"))
            assert fault_of(serialisation.value) is Fault.CONFLICT
            await second.rollback()
        async with engine.connect() as victim:
            pid = (await victim.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await victim.commit()
            async with engine.connect() as killer:
                await killer.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                await killer.commit()
            await asyncio.sleep(0.1)
            with pytest.raises(DBAPIError) as lost:
                await victim.execute(text("SELECT 1"))
            assert fault_of(lost.value) is Fault.LOST_CONNECTION
            # And a plain mistake is not a fault.
            with pytest.raises(DBAPIError) as mistake:
                await killer_free_error(engine)
            assert fault_of(mistake.value) is None
    finally:
        async with engine.begin() as cleanup:
            await cleanup.execute(text(f"DROP TABLE {table}"))
        await engine.dispose()


async def killer_free_error(engine: Any) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT no_such_column FROM pg_class"))
