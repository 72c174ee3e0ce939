"""Helpers every test may use: settings for a test app, tenants logged in over HTTP, and users,
API keys and locations created through the API."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tillpoint.config import Settings

PASSWORD = "correct horse battery"


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "run_jobs_in_process": False,
        "default_rate_limit_per_minute": 100_000,
        "anonymous_rate_limit_per_minute": 100_000,
        "log_json": False,
        "gc_freeze_at_start": False,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class TenantFixture:
    """A tenant created through the CLI's service path, with an owner logged in over HTTP."""

    id: str
    owner_id: str
    owner_email: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/v1/sessions", json={"username": email, "password": password, **extra}
    )


TenantFactory = Callable[..., Awaitable[TenantFixture]]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_user(
    client: httpx.AsyncClient,
    owner: TenantFixture,
    role: str,
    *,
    location_ids: list[str] | None = None,
) -> tuple[str, str]:
    """Create a user with a built-in role over HTTP (as the owner); returns (user id, email)."""
    roles = (await client.get("/v1/roles", headers=owner.headers)).json()["items"]
    role_id = next(r["roleId"] for r in roles if r["name"] == role)
    email = f"{role}-{uuid.uuid4().hex[:10]}@shop.example.com"
    created = await client.post(
        "/v1/users",
        headers=owner.headers,
        json={
            "email": email,
            "name": role.title(),
            "password": PASSWORD,
            "roleId": role_id,
            "locationIds": location_ids or [],
            # Creating a user sets a password: the owner confirms with their own.
            "currentPassword": PASSWORD,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["userId"], email


async def add_user(
    client: httpx.AsyncClient,
    owner: TenantFixture,
    role: str,
    *,
    location_ids: list[str] | None = None,
) -> tuple[str, str]:
    """Create a user with a built-in role over HTTP and log them in; returns (user id, token)."""
    user_id, email = await new_user(client, owner, role, location_ids=location_ids)
    token = (await login(client, email)).json()["authToken"]
    return user_id, token


async def add_api_key(
    client: httpx.AsyncClient, owner: TenantFixture, scopes: list[str], **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/api-keys", headers=owner.headers, json={"name": "test key", "scopes": scopes, **extra}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_location(
    client: httpx.AsyncClient, owner: TenantFixture, name: str = "Main St", **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/locations",
        headers=owner.headers,
        json={"name": name, "timezone": "America/New_York", **extra},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
