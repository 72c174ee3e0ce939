"""One principal talking to the API over the test client; every call asserts the status it
expects, so a test reads as the requests a client makes."""

from dataclasses import dataclass
from typing import Any

import httpx

Json = dict[str, Any]


@dataclass
class Api:
    client: httpx.AsyncClient
    headers: dict[str, str]

    async def call(
        self, method: str, path: str, body: Any = None, status: int = 200, **params: Any
    ) -> Any:
        response = await self.client.request(
            method, path, headers=self.headers, json=body, params=params
        )
        assert response.status_code == status, response.text
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, **params)

    async def post(self, path: str, body: Any) -> Any:
        return await self.call("POST", path, body, 201)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.call("PATCH", path, body)

    async def error(
        self, method: str, path: str, body: Any, status: int, code: str, field: str = ""
    ) -> Json:
        """The error envelope of a refused call, checked for its code (and a detail's field)."""
        error: Json = (await self.call(method, path, body, status))["error"]
        assert error["code"] == code, error
        if field:
            assert field in [d["field"] for d in error["details"]], error
        return error
