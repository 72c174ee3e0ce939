"""Loyalty over HTTP: the program, points earned when an order completes (lines after
discounts, before tax; excluded categories earn nothing), reversed pro rata by refunds to the
point, manual adjustments with their permission, expiry after months without activity, and the
ledger always summing to a balance that never goes below zero."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.catalog import unique_sku
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_user, bearer
from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs import JobContext
from tillpoint.customers.loyalty import ACCOUNTS
from tillpoint.customers.loyalty_expiry import expire_inactive_points

Json = dict[str, Any]
PROGRAM = {"pointsPerUnit": 1, "pointValue": 0.01, "rounding": "down", "minimumRedemption": 100}


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    shop = await make_shop(client, tenant)
    await shop.call("PUT", "/v1/loyalty/program", PROGRAM)
    return shop


async def new_customer(till: Till) -> str:
    created = await till.post("/v1/customers", {"firstName": "Ada", "lastName": unique_sku()})
    customer_id: str = created["customerId"]
    return customer_id


async def points(till: Till, customer_id: str, **params: Any) -> Json:
    got: Json = await till.get(f"/v1/customers/{customer_id}/loyalty", **params)
    return got


def refund(order: Json, quantity: Any, index: int = 0) -> Json:
    line = order["lineItems"][index]
    return {
        "lineItems": [{"lineItemId": line["lineItemId"], "quantity": quantity}],
        "reason": "return",
    }


async def test_the_program_is_set_up_read_and_changed_with_its_version(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    shop = await make_shop(client, tenant, open_shift=False)
    await shop.error("GET", "/v1/loyalty/program", None, 404, "NOT_FOUND")
    program = await shop.call(
        "PUT", "/v1/loyalty/program", {**PROGRAM, "pointsPerUnit": 2.5, "expiryMonths": 12}
    )
    assert (program["pointsPerUnit"], program["pointValue"], program["expiryMonths"]) == (
        2.5,
        0.01,
        12,
    )
    assert await shop.get("/v1/loyalty/program") == program
    changed = await shop.call(
        "PUT", "/v1/loyalty/program", {**PROGRAM, "version": program["version"]}
    )
    assert (changed["pointsPerUnit"], changed["expiryMonths"]) == (1, None)
    await shop.error(
        "PUT",
        "/v1/loyalty/program",
        {**PROGRAM, "version": program["version"]},
        409,
        "VERSION_CONFLICT",
    )
    for bad in ({"pointsPerUnit": 0}, {"rounding": "sideways"}, {"pointValue": "1"}):
        await shop.error("PUT", "/v1/loyalty/program", {**PROGRAM, **bad}, 400, "VALIDATION_ERROR")


async def test_a_completed_order_earns_on_its_net_before_tax(till: Till) -> None:
    customer = await new_customer(till)
    sku = await till.product("Mug", 12.75)
    # 2 × 12.75 = 25.50, 10 % off → 22.95 net (+ 9 % tax): 22 points, rounded down.
    order = await till.sell(
        till.line(sku, 2, discounts=[{"type": "percentage", "value": 10}]), customerId=customer
    )
    assert order["totals"]["taxTotal"] > 0
    account = await points(till, customer)
    assert (account["balance"], account["value"]) == (22, 0.22)
    [entry] = account["entries"]["items"]
    assert (entry["type"], entry["points"], entry["balanceAfter"], entry["orderId"]) == (
        "earned",
        22,
        22,
        order["orderId"],
    )
    # No customer, no points; an open order earns nothing until it completes.
    await till.sell(till.line(sku))
    await till.order(till.line(sku), customerId=customer)
    assert (await points(till, customer))["balance"] == 22


async def test_excluded_categories_and_inactive_programs_earn_nothing(till: Till) -> None:
    customer = await new_customer(till)
    category = await till.post("/v1/catalog/categories", {"name": "Tobacco"})
    excluded = await till.product("Cigars", 40, categoryId=category["categoryId"])
    counted = await till.product("Lighter", 5)
    await till.call(
        "PUT",
        "/v1/loyalty/program",
        {**PROGRAM, "excludedCategoryIds": [category["categoryId"]], "version": 1},
    )
    await till.sell(till.line(excluded), till.line(counted), customerId=customer)
    assert (await points(till, customer))["balance"] == 5
    await till.call("PUT", "/v1/loyalty/program", {**PROGRAM, "active": False, "version": 2})
    await till.sell(till.line(counted), customerId=customer)
    assert (await points(till, customer))["balance"] == 5


async def test_refunds_reverse_pro_rata_and_in_pieces_exactly_what_was_earned(till: Till) -> None:
    customer = await new_customer(till)
    sku = await till.product("Glass", 9.99)
    order = await till.sell(till.line(sku, 3), customerId=customer)  # 29.97 → 29 points
    path = f"/v1/orders/{order['orderId']}/refunds"
    balances = []
    for _ in range(3):
        await till.post(path, refund(order, 1))
        balances.append((await points(till, customer))["balance"])
    # 29 × 9.99/29.97 = 9.67 → 10; 29 × 2/3 = 19.33 → 19 (9 more); the last takes the rest.
    assert balances == [19, 10, 0]
    entries = (await points(till, customer))["entries"]["items"]
    assert [e["points"] for e in reversed(entries)] == [29, -10, -9, -10]
    assert all(e["type"] == "reversed" for e in entries[:3])


async def test_a_refund_after_the_points_were_spent_takes_only_what_is_left(till: Till) -> None:
    customer = await new_customer(till)
    sku = await till.product("Lamp", 50)
    order = await till.sell(till.line(sku), customerId=customer)
    await till.post(
        f"/v1/customers/{customer}/loyalty/adjustments", {"points": -45, "reason": "spent"}
    )
    await till.post(f"/v1/orders/{order['orderId']}/refunds", refund(order, 1))
    account = await points(till, customer)
    assert account["balance"] == 0
    assert [e["points"] for e in account["entries"]["items"]] == [-5, -45, 50]


async def test_adjustments_need_their_permission_and_never_go_below_zero(
    till: Till, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    customer = await new_customer(till)
    path = f"/v1/customers/{customer}/loyalty/adjustments"
    added = await till.post(path, {"points": 120, "reason": "welcome bonus"})
    assert (added["points"], added["balance"]) == (120, 120)
    error = await till.error(
        "POST", path, {"points": -121, "reason": "oops"}, 409, "LOYALTY_INSUFFICIENT_POINTS"
    )
    assert "120" in error["details"][0]["message"]
    await till.error("POST", path, {"points": 0, "reason": "x"}, 400, "VALIDATION_ERROR")
    await till.error("POST", path, {"points": 5, "reason": " "}, 400, "VALIDATION_ERROR")
    _, cashier = await add_user(client, tenant, "cashier")
    denied = await client.post(path, json={"points": 5, "reason": "x"}, headers=bearer(cashier))
    assert denied.status_code == 403, denied.text
    seen = await client.get(f"/v1/customers/{customer}/loyalty", headers=bearer(cashier))
    assert seen.json()["balance"] == 120
    [entry] = (await points(till, customer))["entries"]["items"]
    assert (entry["type"], entry["reason"]) == ("adjusted", "welcome bonus")


async def test_points_expire_after_the_months_without_activity(
    till: Till, db: Database, tenant: TenantFixture
) -> None:
    await till.call("PUT", "/v1/loyalty/program", {**PROGRAM, "expiryMonths": 6, "version": 1})
    idle, active = await new_customer(till), await new_customer(till)
    sku = await till.product("Book", 20)
    for customer in (idle, active):
        await till.sell(till.line(sku), customerId=customer)
    account = await points(till, idle)
    assert account["expiresAt"] is not None
    async with db.session(tenant_id=tenant.id) as session:
        await session.execute(
            update(ACCOUNTS)
            .where(ACCOUNTS.c.tenant_id == tenant.id, ACCOUNTS.c.id == idle)
            .values(last_activity_at=utcnow() - timedelta(days=200))
        )
        await session.commit()
    async with db.session() as session:
        await expire_inactive_points(JobContext(session, "expire", None, 1, db), {})
        await session.commit()
    expired = await points(till, idle)
    assert (expired["balance"], expired["expiresAt"]) == (0, None)
    assert expired["entries"]["items"][0]["type"] == "expired"
    assert (await points(till, active))["balance"] == 20


async def test_parallel_adjustments_never_take_the_balance_below_zero(
    till: Till, dialect: str
) -> None:
    if dialect != "postgresql":
        pytest.skip("real parallel connections: PostgreSQL")
    customer = await new_customer(till)
    path = f"/v1/customers/{customer}/loyalty/adjustments"
    await till.post(path, {"points": 100, "reason": "start"})
    responses = await asyncio.gather(
        *(
            till.client.post(path, json={"points": -60, "reason": "x"}, headers=till.auth)
            for _ in range(4)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    account = await points(till, customer)
    assert account["balance"] == 40
    assert sum(e["points"] for e in account["entries"]["items"]) == 40


async def test_merging_moves_the_points_and_the_old_id_reads_the_survivors(till: Till) -> None:
    survivor, merged = await new_customer(till), await new_customer(till)
    for customer, amount in ((survivor, 30), (merged, 12)):
        await till.post(
            f"/v1/customers/{customer}/loyalty/adjustments", {"points": amount, "reason": "x"}
        )
    await till.post(f"/v1/customers/{survivor}/merge", {"mergeCustomerId": merged}, status=200)
    account = await points(till, survivor)
    assert account["balance"] == 42
    assert account["entries"]["items"][0]["type"] == "merged"
    assert (await points(till, merged))["balance"] == 42  # the merged-away id: the survivor's
    exported = await till.get(f"/v1/customers/{survivor}/export")
    assert exported["loyalty"]["balances"] == {survivor: 42, merged: 0}


async def test_unknown_and_other_tenants_customers_are_404(
    till: Till, make_tenant: Any, client: httpx.AsyncClient
) -> None:
    mine = await new_customer(till)
    other = await make_tenant()
    for customer in (mine, "cust_01JD0000000000000000000000", "loc_x"):
        headers = other.headers if customer == mine else till.auth
        got = await client.get(f"/v1/customers/{customer}/loyalty", headers=headers)
        assert got.status_code == 404, got.text
        posted = await client.post(
            f"/v1/customers/{customer}/loyalty/adjustments",
            json={"points": 5, "reason": "x"},
            headers=headers,
        )
        assert posted.status_code == 404, posted.text
