"""Helpers for sales tests: a shop set up over HTTP and a client that rings up orders.

``make_shop`` gives a location (tax-additive by default) with a 9 % standard rate, a register
and an open shift on it, and products to sell; ``Till`` wraps the calls a register makes.
"""

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.catalog import create_product, unique_sku
from tests.support.tenants import TenantFixture

Json = dict[str, Any]


@dataclass
class Till:
    client: httpx.AsyncClient
    tenant: TenantFixture
    location_id: str
    register_id: str
    products: dict[str, Json] = field(default_factory=dict)  # sku → product
    headers: dict[str, str] | None = None

    @property
    def auth(self) -> dict[str, str]:
        return self.headers or self.tenant.headers

    async def call(
        self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any
    ) -> Any:
        response = await self.client.request(
            method, path, json=body, headers={**self.auth, **kw.pop("extra_headers", {})}, **kw
        )
        assert response.status_code == status, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        return await self.call("POST", path, body, status)

    async def error(self, method: str, path: str, body: Any, status: int, code: str) -> Json:
        got = await self.call(method, path, body, status)
        assert got["error"]["code"] == code, got
        return got["error"]

    def line(self, sku: str, quantity: Any = 1, **extra: Any) -> Json:
        return {"sku": sku, "quantity": quantity, **extra}

    async def order(self, *lines: Json, status: int = 201, **extra: Any) -> Json:
        body = {
            "locationId": self.location_id,
            "registerId": self.register_id,
            "lineItems": list(lines),
            **extra,
        }
        return await self.post("/v1/orders", body, status)

    async def pay(
        self,
        order: Json,
        amount: Any = None,
        tender: str = "credit_card",
        status: int = 201,
        **extra: Any,
    ) -> Json:
        due = order["totals"]["balanceDue"] if amount is None else amount
        body: Json = {"tenderType": tender, "amount": due, **extra}
        if tender == "credit_card":
            body.setdefault("cardLast4", "4242")
            body.setdefault("cardBrand", "visa")
            body.setdefault("processorRef", "ch_test")
        return await self.post(f"/v1/orders/{order['orderId']}/payments", body, status)

    async def sell(self, *lines: Json, **extra: Any) -> Json:
        """An order paid in full by card; returns the completed order."""
        paid = await self.pay(await self.order(*lines, **extra))
        assert paid["order"]["status"] == "completed", paid
        return paid["order"]

    async def product(self, name: str = "Item", price: Any = 10, **extra: Any) -> str:
        body = await create_product(
            self.client,
            self.tenant,
            name=name,
            price=price,
            sku=extra.pop("sku", unique_sku()),
            **extra,
        )
        self.products[body["sku"]] = body
        return body["sku"]

    async def stock(self, sku: str, quantity: Any) -> None:
        await self.post(
            "/v1/inventory/adjustments",
            {
                "locationId": self.location_id,
                "reason": "received",
                "items": [{"sku": sku, "deltaQuantity": quantity}],
            },
        )

    async def on_hand(self, sku: str) -> Json:
        levels = await self.get("/v1/inventory/levels", locationId=self.location_id, sku=sku)
        return levels["items"][0]

    async def open_shift(self, float_amount: Any = 100) -> Json:
        return await self.post(
            f"/v1/registers/{self.register_id}/shifts", {"openingFloat": float_amount}
        )


async def add_employee(till: Till, role: str, pin: str) -> str:
    """An employee of the named role (owner, manager, cashier) with this PIN."""
    roles = (await till.get("/v1/roles"))["items"]
    role_id = next(r["roleId"] for r in roles if r["name"] == role)
    body = {"name": f"{role.title()} on duty", "roleId": role_id, "pin": pin}
    employee_id: str = (await till.post("/v1/employees", body))["employeeId"]
    return employee_id


async def make_shop(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    *,
    tax_inclusive: bool = False,
    allow_negative_stock: bool = True,
    rate: Any = 9,
    open_shift: bool = True,
) -> Till:
    async def post(path: str, body: Json) -> Json:
        response = await client.post(path, json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
        return response.json()

    location = await post(
        "/v1/locations",
        {
            "name": f"Shop {unique_sku()}",
            "taxInclusive": tax_inclusive,
            "allowNegativeStock": allow_negative_stock,
        },
    )
    register = await post(f"/v1/locations/{location['locationId']}/registers", {"name": "Till 1"})
    till = Till(client, tenant, location["locationId"], register["registerId"])
    await till.product()  # makes sure the tax classes exist
    if rate is not None:
        await post(
            f"/v1/locations/{location['locationId']}/tax-rates",
            {"taxClass": "standard", "name": "Sales tax", "rate": rate},
        )
    if open_shift:
        response = await client.post(
            f"/v1/registers/{register['registerId']}/shifts",
            json={"openingFloat": 100},
            headers=tenant.headers,
        )
        # Shifts may not be served yet while they are being built; cash tests need them.
        assert response.status_code in (201, 404, 405), response.text
    return till
