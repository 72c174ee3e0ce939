"""A caller without the permission is refused before any row is locked (or read).

FastAPI resolves a route's dependencies in parameter order, so a route taking the order's row
lock in a dependency used to lock it before checking ``orders:write``: a reader could hold an
order's lock, and waited behind anyone else holding it before being refused. Each row
dependency now depends on the route's permission, so the 403 comes first.

Each test holds a lock from a second, real session and sends the refused request while it is
held, with a timeout on the request: it must be answered while the lock is still held. On
PostgreSQL the held lock is the row's (``SELECT … FOR UPDATE``); on SQLite, where
``FOR UPDATE`` does not exist, it is the database's one write lock (the holder's write
transaction begins IMMEDIATE), which any request that touched its write session before the
check would wait for just the same.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import Select, select

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_api_key, add_location, add_user, bearer
from tillpoint.core.db import Database
from tillpoint.sales.models import Order, Shift

# Far longer than a refusal takes; far shorter than the lock is held (until the test lets go).
ANSWER_WITHIN_SECONDS = 10


@asynccontextmanager
async def holding(db: Database, tenant_id: str, lock: Select[Any]) -> AsyncIterator[None]:
    """Hold ``lock`` (a ``FOR UPDATE`` select) in a transaction of its own until the block ends."""
    async with db.session(tenant_id=tenant_id) as session:
        assert (await session.execute(lock)).first() is not None
        try:
            yield
        finally:
            await session.rollback()


async def answered_while_held(request: Any) -> httpx.Response:
    response: httpx.Response = await asyncio.wait_for(request, ANSWER_WITHIN_SECONDS)
    return response


def assert_forbidden(response: httpx.Response, what: str) -> None:
    assert response.status_code == 403, f"{what}: {response.status_code} {response.text}"
    assert response.json()["error"]["code"] == "FORBIDDEN", what


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


@pytest.fixture
async def reader(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, str]:
    """An API key that may read orders and nothing more."""
    return bearer((await add_api_key(client, tenant, ["orders:read"]))["key"])


def order_lock(order_id: str) -> Select[Any]:
    return select(Order.id).where(Order.id == order_id).with_for_update()


async def test_a_reader_paying_a_locked_order_is_refused_at_once(
    client: httpx.AsyncClient, db: Database, till: Till, reader: dict[str, str]
) -> None:
    order = await till.order(till.line(await till.product(price=10)))
    path = f"/v1/orders/{order['orderId']}/payments"
    body = {"tenderType": "cash", "amount": order["totals"]["balanceDue"]}

    async with holding(db, till.tenant.id, order_lock(order["orderId"])):
        # The owner's payment is allowed, so it waits for the lock: the lock is really held.
        owner_pays = asyncio.create_task(client.post(path, json=body, headers=till.auth))
        refused = await answered_while_held(client.post(path, json=body, headers=reader))
        assert_forbidden(refused, "a reader's payment")
        assert not owner_pays.done()

    paid = await asyncio.wait_for(owner_pays, ANSWER_WITHIN_SECONDS)
    assert paid.status_code == 201, paid.text
    assert paid.json()["order"]["status"] == "completed"
    assert len(paid.json()["order"]["payments"]) == 1


def order_routes(sku: str, line: str) -> list[tuple[str, str, Any]]:
    """Every other route that changes an order (and so locks it), refunds, voids, exchanges or
    prints it, each with a body it would accept from a caller holding the permission."""
    returned = [{"lineItemId": line, "quantity": 1}]
    return [
        ("PATCH", "", {"notes": "mine now"}),
        ("POST", "/line-items", {"sku": sku, "quantity": 1}),
        ("PATCH", f"/line-items/{line}", {"quantity": 2}),
        ("DELETE", f"/line-items/{line}", None),
        ("POST", "/complete", None),
        ("POST", "/refunds", {"lineItems": returned, "reason": "mine now"}),
        ("POST", "/void", {"reason": "mine now"}),
        (
            "POST",
            "/exchanges",
            {"returned": returned, "newLineItems": [{"sku": sku}], "reason": "mine now"},
        ),
        ("POST", "/receipt/print", {}),
    ]


async def test_a_reader_cannot_reach_an_order_lock_through_any_route(
    client: httpx.AsyncClient, db: Database, till: Till, reader: dict[str, str]
) -> None:
    """Refused on each while the order is locked, and the order is left as it was."""
    sku = await till.product(price=10)
    order = await till.order(till.line(sku))
    line = order["lineItems"][0]["lineItemId"]
    async with holding(db, till.tenant.id, order_lock(order["orderId"])):
        for method, tail, body in order_routes(sku, line):
            path = f"/v1/orders/{order['orderId']}{tail}"
            request = client.request(method, path, json=body, headers=reader)
            assert_forbidden(await answered_while_held(request), f"{method} {path}")

    after = await till.get(f"/v1/orders/{order['orderId']}")
    assert (after["status"], after["notes"], len(after["lineItems"])) == ("open", order["notes"], 1)


async def test_a_reader_cannot_reach_a_shift_lock(
    client: httpx.AsyncClient, db: Database, till: Till, reader: dict[str, str]
) -> None:
    """The shift routes that change a shift (and lock its row) or open one: refused while the
    register's open shift is locked."""
    async with db.session(tenant_id=till.tenant.id, read_only=True) as session:
        open_shift = select(Shift.id).where(
            Shift.register_id == till.register_id, Shift.status == "open"
        )
        shift_id = (await session.execute(open_shift)).scalar_one()
    routes = [
        ("/v1/registers/{register}/shifts", {"openingFloat": 100}),
        (
            "/v1/registers/{register}/shifts/{shift}/cash-movements",
            {"kind": "paid_in", "amount": 5, "reason": "change for the float"},
        ),
        ("/v1/registers/{register}/shifts/{shift}/close", {"countedCash": 100}),
    ]
    lock = select(Shift.id).where(Shift.id == shift_id).with_for_update()
    async with holding(db, till.tenant.id, lock):
        for template, body in routes:
            path = template.format(register=till.register_id, shift=shift_id)
            request = client.post(path, json=body, headers=reader)
            assert_forbidden(await answered_while_held(request), f"POST {template}")

    current = await till.get(f"/v1/registers/{till.register_id}/shifts/current")
    assert current["status"] == "open"


@pytest.mark.parametrize(
    ("scopes", "missing"),
    [
        (["orders:read", "orders:refund"], "orders:write"),
        (["orders:read", "orders:write"], "orders:refund"),
    ],
)
async def test_an_exchange_needs_both_refund_and_write(
    client: httpx.AsyncClient, till: Till, scopes: list[str], missing: str
) -> None:
    """An exchange is a refund and a new sale: either permission missing is 403, before the
    order is read (an unknown order too)."""
    sku = await till.product(price=10)
    order = await till.order(till.line(sku))
    key = bearer((await add_api_key(client, till.tenant, scopes))["key"])
    returned = [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}]
    body = {"returned": returned, "newLineItems": [{"sku": sku}], "reason": "a swap"}
    for order_id in (order["orderId"], "ord_" + "0" * 26):
        refused = await client.post(f"/v1/orders/{order_id}/exchanges", json=body, headers=key)
        assert_forbidden(refused, f"an exchange without {missing}")
        assert missing in refused.json()["error"]["message"]


async def test_a_writer_limited_to_other_locations_never_locks_the_order(
    client: httpx.AsyncClient, db: Database, dialect: str, till: Till
) -> None:
    """A cashier who may change orders, but only at another location, is 404 at once on an
    order here while it is locked: the locking read names the locations they may see, so it
    neither waits for the order's lock nor takes it. (PostgreSQL: on SQLite every write request
    waits for the one write lock before it can read anything, refused or not.)"""
    if dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises all writes")
    elsewhere = await add_location(client, till.tenant, name="Elsewhere")
    _, token = await add_user(
        client, till.tenant, "cashier", location_ids=[elsewhere["locationId"]]
    )
    order = await till.order(till.line(await till.product(price=10)))
    path = f"/v1/orders/{order['orderId']}/payments"
    body = {"tenderType": "cash", "amount": order["totals"]["balanceDue"]}

    async with holding(db, till.tenant.id, order_lock(order["orderId"])):
        refused = await answered_while_held(client.post(path, json=body, headers=bearer(token)))
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "NOT_FOUND"
