"""Fixtures of the customers tests: the owner's API and a shop to ring up orders in."""

import uuid
from typing import Any

import httpx
import pytest

from tests.support.api import Api
from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture


@pytest.fixture
def api(client: httpx.AsyncClient, tenant: TenantFixture) -> Api:
    return Api(client, tenant.headers)


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant, open_shift=False)


def unique_email(name: str = "ann") -> str:
    return f"{name}.{uuid.uuid4().hex[:10]}@example.com"


def person(**fields: Any) -> dict[str, Any]:
    """A customer body with a unique email."""
    return {"firstName": "Ann", "lastName": "Lee", "email": unique_email(), **fields}
