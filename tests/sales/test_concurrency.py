"""Sales under real parallel connections: no oversell, one order per idempotent retry."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]
CLIENTS = 32
STOCK = 10
RETRIES = 8


@pytest.fixture(autouse=True)
def postgres_only(dialect: str) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")


@pytest.fixture
async def strict_till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    """A location where register sales may not drive stock negative."""
    return await make_shop(client, tenant, allow_negative_stock=False)


def order_body(till: Till, sku: str, **extra: Any) -> Json:
    return {"locationId": till.location_id, "lineItems": [till.line(sku)], **extra}


def card_payment(amount: Any) -> Json:
    return {"tenderType": "credit_card", "amount": amount, "cardLast4": "4242", "cardBrand": "visa"}


async def post(till: Till, path: str, body: Json, key: str | None = None) -> httpx.Response:
    headers = {**till.auth, **({"Idempotency-Key": key} if key else {})}
    return await till.client.post(path, json=body, headers=headers)


async def pay(till: Till, order: Json, key: str | None = None) -> httpx.Response:
    body = card_payment(order["totals"]["balanceDue"])
    return await post(till, f"/v1/orders/{order['orderId']}/payments", body, key)


def assert_all_short_of_stock(responses: list[httpx.Response], sku: str) -> None:
    for refused in (r.json()["error"] for r in responses if r.status_code == 409):
        assert refused["code"] == "INSUFFICIENT_STOCK", refused
        assert [d["sku"] for d in refused["details"]] == [sku]


async def assert_ledger_agrees(till: Till, sku: str, on_hand: int, reserved: int) -> None:
    level = await till.on_hand(sku)
    assert (level["onHand"], level["reserved"]) == (on_hand, reserved)
    movements = await till.get(
        "/v1/inventory/movements", locationId=till.location_id, sku=sku, pageSize=200
    )
    assert movements["total"] == len(movements["items"])
    assert sum(m["delta"] for m in movements["items"]) == on_hand


async def assert_gapless_receipts(till: Till, count: int) -> None:
    completed = await till.get(
        "/v1/orders", locationId=till.location_id, status="completed", pageSize=200
    )
    assert completed["total"] == count
    numbers = sorted(int(o["receiptNumber"].rsplit("-", 1)[1]) for o in completed["items"])
    assert numbers == list(range(1, count + 1))


async def test_32_payments_race_for_the_last_10_units(strict_till: Till) -> None:
    """The reservations are undercut by a later adjustment (it may take onHand below what is
    reserved): the payments still race on onHand and never oversell."""
    till = strict_till
    sku = await till.product("Last Units", 5)
    await till.stock(sku, CLIENTS)
    # Half carry the register (their payments also lock its open shift), half carry none.
    with_register = {"registerId": till.register_id}
    orders = [
        await till.post("/v1/orders", order_body(till, sku, **(with_register if n % 2 else {})))
        for n in range(CLIENTS)
    ]
    assert (await till.on_hand(sku))["reserved"] == CLIENTS
    await till.stock(sku, STOCK - CLIENTS)

    responses = await asyncio.gather(*(pay(till, order) for order in orders))

    assert Counter(r.status_code for r in responses) == {201: STOCK, 409: CLIENTS - STOCK}
    assert_all_short_of_stock(responses, sku)
    await assert_ledger_agrees(till, sku, on_hand=0, reserved=CLIENTS - STOCK)
    await assert_gapless_receipts(till, STOCK)
    for order, response in zip(orders, responses, strict=True):
        after = await till.get(f"/v1/orders/{order['orderId']}")
        expected = ("completed", 1) if response.status_code == 201 else ("open", 0)
        assert (after["status"], len(after["payments"])) == expected


async def test_32_clients_create_and_pay_end_to_end_for_10_units(strict_till: Till) -> None:
    """The shortage is refused when the order is created; every reserved order is paid."""
    till = strict_till
    sku = await till.product("Last Units", 5)
    await till.stock(sku, STOCK)

    async def checkout(n: int) -> tuple[int, int | None]:
        extra = {"registerId": till.register_id} if n % 2 else {}
        created = await post(till, "/v1/orders", order_body(till, sku, **extra))
        if created.status_code != 201:
            assert_all_short_of_stock([created], sku)
            return created.status_code, None
        return 201, (await pay(till, created.json())).status_code

    results = await asyncio.gather(*(checkout(n) for n in range(CLIENTS)))

    assert Counter(results) == {(201, 201): STOCK, (409, None): CLIENTS - STOCK}
    await assert_ledger_agrees(till, sku, on_hand=0, reserved=0)
    await assert_gapless_receipts(till, STOCK)


async def test_online_orders_reserve_only_what_is_available(till_any: Till) -> None:
    till = till_any
    sku = await till.product("Web Special", 7)
    await till.stock(sku, STOCK)

    body = order_body(till, sku, source="online")
    responses = await asyncio.gather(*(post(till, "/v1/orders", body) for _ in range(CLIENTS)))

    assert Counter(r.status_code for r in responses) == {201: STOCK, 409: CLIENTS - STOCK}
    assert_all_short_of_stock(responses, sku)
    await assert_ledger_agrees(till, sku, on_hand=STOCK, reserved=STOCK)
    created = [r.json() for r in responses if r.status_code == 201]
    paid = await asyncio.gather(*(pay(till, order) for order in created))
    assert [r.status_code for r in paid] == [201] * STOCK
    await assert_ledger_agrees(till, sku, on_hand=0, reserved=0)


@pytest.fixture
async def till_any(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    """A default location (register sales may go negative; channel orders never do)."""
    return await make_shop(client, tenant)


async def test_same_idempotency_key_creates_one_order(till_any: Till) -> None:
    till = till_any
    sku = await till.product("Once", 3)
    await till.stock(sku, 5)
    key, body = f"create-{uuid.uuid4()}", order_body(till, sku)

    racing = await asyncio.gather(*(post(till, "/v1/orders", body, key) for _ in range(RETRIES)))
    retried = [await post(till, "/v1/orders", body, key) for _ in range(RETRIES)]

    [first] = [r for r in racing if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    for response in [*racing, *retried]:
        if response is first:
            continue
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
            assert response in racing  # only while the first was still running
        else:
            assert response.headers["Idempotent-Replayed"] == "true"
            assert (response.status_code, response.json()) == (201, first.json())
    listed = await till.get("/v1/orders", locationId=till.location_id)
    assert [o["orderId"] for o in listed["items"]] == [first.json()["orderId"]]
    assert (await till.on_hand(sku))["reserved"] == 1


async def test_same_idempotency_key_takes_one_payment(till_any: Till) -> None:
    till = till_any
    sku = await till.product("Split", 20)
    order = await till.order(till.line(sku))  # 21.80: a second 5.00 would also be accepted
    key, body = f"pay-{uuid.uuid4()}", card_payment(5)
    path = f"/v1/orders/{order['orderId']}/payments"

    racing = await asyncio.gather(*(post(till, path, body, key) for _ in range(RETRIES)))
    retried = [await post(till, path, body, key) for _ in range(RETRIES)]

    firsts = [r for r in racing if "Idempotent-Replayed" not in r.headers and r.status_code == 201]
    assert len(firsts) == 1
    payment_id = firsts[0].json()["payment"]["paymentId"]
    for response in racing:
        assert response.status_code in (201, 409), response.text
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_USE"
    for response in retried:
        assert response.headers["Idempotent-Replayed"] == "true"
        assert response.json()["payment"]["paymentId"] == payment_id
    after = await till.get(f"/v1/orders/{order['orderId']}")
    assert [p["paymentId"] for p in after["payments"]] == [payment_id]
    assert (after["totals"]["paid"], after["totals"]["balanceDue"]) == (5, 16.8)
    assert after["status"] == "open"


@pytest.fixture
async def lenient_till(app: Any, till_any: Till) -> AsyncIterator[Till]:
    """``till_any`` over a client that turns an unhandled server error into its 500 response."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield replace(till_any, client=client)


@pytest.mark.parametrize("with_keys", [True, False], ids=["distinct-keys", "no-keys"])
async def test_same_client_order_id_races_to_one_order(lenient_till: Till, with_keys: bool) -> None:
    till = lenient_till
    sku = await till.product("Offline Sale", 4)
    body = order_body(till, sku, clientOrderId=f"till-1-{uuid.uuid4().hex[:8]}")

    responses = await asyncio.gather(
        *(
            post(till, "/v1/orders", body, f"k-{uuid.uuid4()}" if with_keys else None)
            for _ in range(RETRIES)
        )
    )

    listed = await till.get("/v1/orders", locationId=till.location_id)
    assert listed["total"] == 1
    assert (await till.on_hand(sku))["reserved"] == 1
    assert sorted(r.status_code for r in responses) == [200] * (RETRIES - 1) + [201], [
        r.text for r in responses if r.status_code not in (200, 201)
    ]
    assert {r.json()["orderId"] for r in responses} == {listed["items"][0]["orderId"]}
