"""A browser as the app will be: a client of its own (its own cookie jar) signed in by cookie,
which sends the session's CSRF token on its writes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support.tenants import PASSWORD, TenantFixture, new_user


@asynccontextmanager
async def browser(app: Any, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


async def browser_sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> dict[str, str]:
    """Sign the browser in; the CSRF header its writes must carry."""
    response = await client.post(
        "/v1/browser-sessions", json={"username": email, "password": password}
    )
    assert response.status_code == 201, response.text
    return {"X-CSRF-Token": response.json()["csrfToken"]}


async def add_user_with_role(
    client: httpx.AsyncClient,
    owner: TenantFixture,
    role: str,
    location_ids: list[str] | None = None,
) -> str:
    """A user with a built-in role (by bearer, as the owner); their email."""
    _, email = await new_user(client, owner, role, location_ids=location_ids)
    return email


async def add_employee(
    client: httpx.AsyncClient,
    owner: TenantFixture,
    role: str,
    pin: str,
    location_ids: list[str] | None = None,
    name: str = "Sam",
) -> str:
    roles = (await client.get("/v1/roles", headers=owner.headers)).json()["items"]
    role_id = next(r["roleId"] for r in roles if r["name"] == role)
    created = await client.post(
        "/v1/employees",
        headers=owner.headers,
        json={"name": name, "roleId": role_id, "locationIds": location_ids or [], "pin": pin},
    )
    assert created.status_code == 201, created.text
    employee_id: str = created.json()["employeeId"]
    return employee_id
