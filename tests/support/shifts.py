"""Register shifts over HTTP, for the tests: one principal's calls on one register's shifts."""

from typing import Any

import httpx

from tests.support.tenants import TenantFixture, add_location

Json = dict[str, Any]


async def make_register(
    client: httpx.AsyncClient, tenant: TenantFixture, location_id: str | None = None
) -> Json:
    if location_id is None:
        location_id = (await add_location(client, tenant))["locationId"]
    response = await client.post(
        f"/v1/locations/{location_id}/registers", headers=tenant.headers, json={"name": "Till 1"}
    )
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


class Shifts:
    """One principal's calls on one register's shifts; each asserts the status it expects."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], register_id: str):
        self.client = client
        self.headers = headers
        self.base = f"/v1/registers/{register_id}/shifts"

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = await self.client.request(
            method, self.base + path, headers=self.headers, json=body
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def open(self, opening_float: float = 100, expect: int = 201, **extra: Any) -> Json:
        body: Json = await self.call("POST", "", {"openingFloat": opening_float, **extra}, expect)
        return body

    async def move(
        self, shift_id: str, kind: str, amount: float | str, reason: str = "x", expect: int = 201
    ) -> Json:
        body: Json = await self.call(
            "POST",
            f"/{shift_id}/cash-movements",
            {"kind": kind, "amount": amount, "reason": reason},
            expect,
        )
        return body

    async def close(self, shift_id: str, counted: float, expect: int = 200, **extra: Any) -> Json:
        body: Json = await self.call(
            "POST", f"/{shift_id}/close", {"countedCash": counted, **extra}, expect
        )
        return body

    async def report(self, shift_id: str) -> Json:
        body: Json = await self.call("GET", f"/{shift_id}/report")
        return body

    async def text(self, shift_id: str) -> str:
        response = await self.client.get(
            f"{self.base}/{shift_id}/report", params={"format": "text"}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


def error_code(body: Json) -> str:
    code: str = body["error"]["code"]
    return code
