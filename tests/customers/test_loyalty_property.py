"""For any sequence of sales, refunds, adjustments and expiry, on both databases: a customer's
points ledger sums to the balance, no balance is ever negative, and every refund leaves the
order's reversals at most what it earned."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from tests.customers.test_loyalty import PROGRAM, new_customer, points, refund
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture
from tillpoint.core.db import Database, utcnow
from tillpoint.core.jobs import JobContext
from tillpoint.customers.loyalty import ACCOUNTS, POINTS
from tillpoint.customers.loyalty_expiry import expire_inactive_points

operations = st.lists(
    st.one_of(
        st.tuples(st.just("sell"), st.integers(1, 3), st.sampled_from([3.33, 10, 0.49])),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("adjust"), st.integers(-60, 60).filter(bool)),
        st.tuples(st.just("expire")),
    ),
    max_size=10,
)


@pytest.fixture
async def shop(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    till = await make_shop(client, tenant)
    await till.call("PUT", "/v1/loyalty/program", {**PROGRAM, "expiryMonths": 1})
    return till


async def run(
    till: Till, db: Database, customer: str, orders: list[Any], op: tuple[Any, ...]
) -> None:
    if op[0] == "sell":
        sku = await till.product("Thing", op[2])
        orders.append(await till.sell(till.line(sku, op[1]), customerId=customer))
    elif op[0] == "refund" and orders:
        order = orders[op[1] % len(orders)]
        left = order["lineItems"][0]["quantity"] - order.setdefault("refunded", 0)
        if left >= 1:
            quantity = min(op[2], left)
            await till.post(f"/v1/orders/{order['orderId']}/refunds", refund(order, quantity))
            order["refunded"] += quantity
    elif op[0] == "adjust":
        balance = (await points(till, customer))["balance"]
        status = 201 if balance + op[1] >= 0 else 409
        await till.call(
            "POST",
            f"/v1/customers/{customer}/loyalty/adjustments",
            {"points": op[1], "reason": "test"},
            status,
        )
    elif op[0] == "expire":
        async with db.session(tenant_id=till.tenant.id) as session:
            await session.execute(
                update(ACCOUNTS)
                .where(ACCOUNTS.c.tenant_id == till.tenant.id, ACCOUNTS.c.id == customer)
                .values(last_activity_at=utcnow() - timedelta(days=40))
            )
            await session.commit()
        async with db.session() as session:
            await expire_inactive_points(JobContext(session, "expire", None, 1, db), {})
            await session.commit()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(ops=operations)
async def test_ledger_sums_to_the_balance_and_never_goes_negative(
    shop: Till, db: Database, ops: list[tuple[Any, ...]]
) -> None:
    customer = await new_customer(shop)
    orders: list[Any] = []
    for op in ops:
        await run(shop, db, customer, orders, op)
        account = await points(shop, customer, pageSize=200)
        assert account["balance"] >= 0
        assert sum(e["points"] for e in account["entries"]["items"]) == account["balance"]
    async with db.session(tenant_id=shop.tenant.id, read_only=True) as session:
        balance = await POINTS.account_balance(session, shop.tenant.id, customer)
        total = await POINTS.ledger_sum(session, shop.tenant.id, customer)
    assert (balance or 0) == total >= 0
    spent = any(op[0] == "expire" or (op[0] == "adjust" and op[1] < 0) for op in ops)
    for order in orders:
        entries = [
            e
            for e in (await points(shop, customer, pageSize=200))["entries"]["items"]
            if e["orderId"] == order["orderId"]
        ]
        earned = sum(e["points"] for e in entries if e["type"] == "earned")
        reversed_ = -sum(e["points"] for e in entries if e["type"] == "reversed")
        assert 0 <= reversed_ <= earned
        if order.get("refunded") == order["lineItems"][0]["quantity"] and not spent:
            # All refunded, and nothing taken by hand or expired: all of it came back.
            assert reversed_ == earned
