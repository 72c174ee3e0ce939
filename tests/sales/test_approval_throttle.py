"""A manager's approval PIN is throttled like a sign-in: a cashier cannot guess it.

A PIN has four to six digits. Without a limit a cashier holding ``orders:write`` could try
every one of them on ``/orders/calculate`` (which saves nothing) and then discount at will.
Wrong PINs count per approving employee, on every route that takes an approval; the fifth
locks that employee for a while (423 ``ACCOUNT_LOCKED`` with ``Retry-After``), even with the
right PIN; a right PIN before the limit clears the count.
"""

import asyncio
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, add_employee, make_shop
from tests.support.tenants import TenantFixture, add_user, bearer

Json = dict[str, Any]
LIMIT = 5  # Settings.login_max_failures, the default the app runs with


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)


@pytest.fixture
async def cashier(client: httpx.AsyncClient, tenant: TenantFixture, till: Till) -> Till:
    _, token = await add_user(client, tenant, "cashier", location_ids=[till.location_id])
    return replace(till, headers=bearer(token))


async def overridden_body(till: Till) -> Json:
    """An order body with a price override: it needs a manager."""
    sku = await till.product("Vase", 10)
    return {"locationId": till.location_id, "lineItems": [till.line(sku, unitPrice=8)]}


async def test_wrong_pins_lock_the_manager_even_with_the_right_pin(
    till: Till, cashier: Till
) -> None:
    body = await overridden_body(till)
    manager = await add_employee(till, "manager", "2468")
    wrong = {"employeeId": manager, "pin": "0000"}
    for _ in range(LIMIT):
        await cashier.error(
            "POST", "/v1/orders/calculate", body | {"approval": wrong}, 403,
            "DISCOUNT_APPROVAL_REQUIRED",
        )  # fmt: skip
    right = body | {"approval": {"employeeId": manager, "pin": "2468"}}
    response = await cashier.client.post("/v1/orders", json=right, headers=cashier.auth)
    assert response.status_code == 423, response.text
    assert response.json()["error"]["code"] == "ACCOUNT_LOCKED"
    assert 0 < int(response.headers["Retry-After"]) <= 900
    await cashier.error("POST", "/v1/orders/calculate", right, 423, "ACCOUNT_LOCKED")
    assert (await till.get("/v1/orders", locationId=till.location_id))["total"] == 0
    # Another manager is not locked by guesses at the first one's PIN.
    other = await add_employee(till, "manager", "1357")
    approved = body | {"approval": {"employeeId": other, "pin": "1357"}}
    assert (await cashier.call("POST", "/v1/orders", approved, 201))["status"] == "open"


async def test_a_right_pin_clears_the_count(till: Till, cashier: Till) -> None:
    body = await overridden_body(till)
    manager = await add_employee(till, "manager", "2468")
    wrong = body | {"approval": {"employeeId": manager, "pin": "1111"}}
    right = body | {"approval": {"employeeId": manager, "pin": "2468"}}
    for _ in range(2):
        for _ in range(LIMIT - 1):
            await cashier.error(
                "POST", "/v1/orders/calculate", wrong, 403, "DISCOUNT_APPROVAL_REQUIRED"
            )
        priced = await cashier.call("POST", "/v1/orders/calculate", right)
        assert priced["approvalNeeded"] == []


async def test_line_edits_count_wrong_pins_and_change_nothing(till: Till, cashier: Till) -> None:
    sku = await till.product("Lamp", 10)
    manager = await add_employee(till, "manager", "2468")
    order = await cashier.order(till.line(sku))
    line = order["lineItems"][0]["lineItemId"]
    path = f"/v1/orders/{order['orderId']}/line-items/{line}"
    for _ in range(LIMIT):
        await cashier.error(
            "PATCH", path, {"unitPrice": 1, "approval": {"employeeId": manager, "pin": "9753"}},
            403, "DISCOUNT_APPROVAL_REQUIRED",
        )  # fmt: skip
    right = {"unitPrice": 1, "approval": {"employeeId": manager, "pin": "2468"}}
    await cashier.error("PATCH", path, right, 423, "ACCOUNT_LOCKED")
    await cashier.error(
        "POST", f"/v1/orders/{order['orderId']}/line-items", till.line(sku) | right, 423,
        "ACCOUNT_LOCKED",
    )  # fmt: skip
    unchanged = await till.get(f"/v1/orders/{order['orderId']}")
    assert unchanged["version"] == order["version"]
    assert [item["unitPrice"] for item in unchanged["lineItems"]] == [10.0]


async def test_guesses_sent_at_once_cannot_outrun_the_count(till: Till, cashier: Till) -> None:
    body = await overridden_body(till)
    manager = await add_employee(till, "manager", "2468")
    guesses = [
        body | {"approval": {"employeeId": manager, "pin": f"{1000 + n}"}} for n in range(20)
    ]
    responses = await asyncio.gather(
        *(
            cashier.client.post("/v1/orders/calculate", json=guess, headers=cashier.auth)
            for guess in guesses
        )
    )
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {403, 423, 429}, statuses
    # Each 403 is a PIN that was checked; no more can be checked than the limit allows at
    # once (failures counted + attempts admitted while they were being checked).
    assert statuses.count(403) <= 2 * LIMIT, statuses
    right = body | {"approval": {"employeeId": manager, "pin": "2468"}}
    await cashier.error("POST", "/v1/orders/calculate", right, 423, "ACCOUNT_LOCKED")
