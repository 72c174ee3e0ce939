"""Fixtures of the gift card tests: a shop that sells a gift card product."""

import httpx
import pytest

from tests.support.sales import make_shop
from tests.support.stored_value import GiftShop, gift_shop
from tests.support.tenants import TenantFixture


@pytest.fixture
async def shop(client: httpx.AsyncClient, tenant: TenantFixture) -> GiftShop:
    return await gift_shop(await make_shop(client, tenant))
