"""Fixtures of the sales tests: a register of its own and its shifts' API."""

import httpx
import pytest

from tests.support.shifts import Json, Shifts, make_register
from tests.support.tenants import TenantFixture


@pytest.fixture
async def register(client: httpx.AsyncClient, tenant: TenantFixture) -> Json:
    return await make_register(client, tenant)


@pytest.fixture
def shifts(client: httpx.AsyncClient, tenant: TenantFixture, register: Json) -> Shifts:
    return Shifts(client, tenant.headers, register["registerId"])
