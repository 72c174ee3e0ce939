"""Store credit over HTTP: issued by a refund or by hand, spent as a tender, given back by a
refund or void of what it paid, never below zero; balance and history per customer."""

import httpx
import pytest

from tests.support.sales import Json, Till, make_shop
from tests.support.tenants import TenantFactory, TenantFixture, add_user, bearer
from tillpoint.core.ids import new_id


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    till = await make_shop(client, tenant)
    await till.product("Mug", 10, sku=f"MUG-{tenant.id[-8:]}")
    return till


def mug(till: Till) -> str:
    return next(iter(till.products))


def credit_path(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/store-credit"


async def customer_with_order(till: Till) -> tuple[str, Json]:
    """A customer of the tenant with an order of theirs, paid by card."""
    created = await till.post(
        "/v1/customers", {"firstName": "Cora", "lastName": new_id("customer")}
    )
    customer_id: str = created["customerId"]
    order = await till.sell(till.line(mug(till), 2), customerId=customer_id)  # 21.80
    return customer_id, order


async def test_a_refund_to_store_credit_then_spending_it(till: Till) -> None:
    customer, order = await customer_with_order(till)
    refund = await till.post(
        f"/v1/orders/{order['orderId']}/refunds",
        {
            "lineItems": [{"lineItemId": order["lineItems"][0]["lineItemId"], "quantity": 1}],
            "reason": "returned",
            "tenders": [{"tenderType": "store_credit", "amount": 10.90}],
        },
    )
    assert refund["tenders"][0]["customerId"] == customer
    credit = await till.get(credit_path(customer))
    assert (credit["balance"], credit["total"]) == (10.9, 1)
    assert credit["items"][0]["reason"] == "issued"

    spend = await till.order(till.line(mug(till)), customerId=customer)  # 10.90
    paid = await till.pay(spend, 4, "store_credit")
    assert paid["payment"]["tenderType"] == "store_credit"
    await till.post(credit_path(customer), {"amount": -1, "reason": "correction"})
    await till.error(
        "POST",
        f"/v1/orders/{spend['orderId']}/payments",
        {"tenderType": "store_credit", "amount": 6.90},
        409,
        "STORE_CREDIT_INSUFFICIENT_BALANCE",
    )
    more = await till.pay(paid["order"], 5.90, "store_credit")
    done = await till.pay(more["order"], 1)
    assert done["order"]["status"] == "completed"
    credit = await till.get(credit_path(customer))
    assert credit["balance"] == 0
    assert [(e["reason"], e["amount"], e["balanceAfter"]) for e in credit["items"]] == [
        ("issued", 10.9, 10.9),
        ("spent", -4, 6.9),
        ("adjusted", -1, 5.9),
        ("spent", -5.9, 0),
    ]

    # A refund of that order goes back to the credit it spent, pro rata per payment.
    back = await till.post(
        f"/v1/orders/{spend['orderId']}/refunds",
        {
            "lineItems": [{"lineItemId": spend["lineItems"][0]["lineItemId"], "quantity": 1}],
            "reason": "returned",
        },
    )
    parts = {(t["tenderType"], t["amount"]) for t in back["tenders"]}
    assert parts == {("store_credit", 4), ("store_credit", 5.9), ("credit_card", 1)}
    assert (await till.get(credit_path(customer)))["balance"] == 9.9


async def test_manual_adjustments_need_the_permission_and_never_go_below_zero(
    till: Till, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    customer, _ = await customer_with_order(till)
    given = await till.post(credit_path(customer), {"amount": 15, "reason": "apology"})
    assert (given["balance"], given["entry"]["reason"], given["entry"]["note"]) == (
        15,
        "adjusted",
        "apology",
    )
    taken = await till.post(credit_path(customer), {"amount": -5, "reason": "correction"})
    assert taken["balance"] == 10
    await till.error(
        "POST",
        credit_path(customer),
        {"amount": -10.01, "reason": "too much"},
        409,
        "STORE_CREDIT_INSUFFICIENT_BALANCE",
    )
    await till.error(
        "POST", credit_path(customer), {"amount": 0, "reason": "x"}, 400, "VALIDATION_ERROR"
    )
    _, token = await add_user(client, tenant, role="cashier")
    cashier = bearer(token)
    response = await client.post(
        credit_path(customer), json={"amount": 5, "reason": "x"}, headers=cashier
    )
    assert response.status_code == 403
    assert (await client.get(credit_path(customer), headers=cashier)).status_code == 200
    assert (await till.get(credit_path(customer)))["balance"] == 10


async def test_store_credit_tender_needs_the_orders_customer(till: Till) -> None:
    order = await till.order(till.line(mug(till)))
    error = await till.error(
        "POST",
        f"/v1/orders/{order['orderId']}/payments",
        {"tenderType": "store_credit", "amount": 1},
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"][0]["field"] == "tenderType"


async def test_a_void_gives_spent_credit_back(till: Till) -> None:
    customer, _ = await customer_with_order(till)
    await till.post(credit_path(customer), {"amount": 20, "reason": "gift"})
    order = await till.order(till.line(mug(till)), customerId=customer)
    await till.pay(order, 5, "store_credit")
    assert (await till.get(credit_path(customer)))["balance"] == 15
    await till.post(f"/v1/orders/{order['orderId']}/void", {"reason": "left"}, 200)
    credit = await till.get(credit_path(customer))
    assert credit["balance"] == 20
    assert credit["items"][-1]["reason"] == "refunded"


async def test_another_tenants_customer_is_not_found(
    till: Till, make_tenant: TenantFactory, client: httpx.AsyncClient
) -> None:
    customer, _ = await customer_with_order(till)
    await till.post(credit_path(customer), {"amount": 5, "reason": "gift"})
    intruder = await make_tenant(name="Intruder")
    for method, body in (("GET", None), ("POST", {"amount": 5, "reason": "x"})):
        response = await client.request(
            method, credit_path(customer), json=body, headers=intruder.headers
        )
        assert response.status_code == 404, response.text
    unknown = await client.get(credit_path(new_id("customer")), headers=till.auth)
    assert unknown.status_code == 404


async def test_a_merge_moves_the_credit_and_the_export_shows_it(till: Till) -> None:
    survivor, _ = await customer_with_order(till)
    merged, _ = await customer_with_order(till)
    await till.post(credit_path(survivor), {"amount": 4, "reason": "goodwill"})
    await till.post(credit_path(merged), {"amount": 6.5, "reason": "goodwill"})
    await till.call("POST", f"/v1/customers/{survivor}/merge", {"mergeCustomerId": merged})
    credit = await till.get(credit_path(survivor))
    assert credit["balance"] == 10.5
    assert credit["items"][-1]["reason"] == "merged"
    assert (await till.get(credit_path(merged)))["balance"] == 10.5  # the survivor's
    exported = await till.get(f"/v1/customers/{survivor}/export")
    assert exported["storeCredit"]["balances"] == {survivor: 10.5, merged: 0}
