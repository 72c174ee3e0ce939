"""Fixtures of the promotion tests: a shop in a timezone far from UTC, and a helper that
creates promotions and coupon codes over HTTP."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture

Json = dict[str, Any]
# Auckland is UTC+13 in December: its local date is not the UTC date for half the day.
ZONE = "Pacific/Auckland"


def local_instant(day: date, at: time = time(12, 0)) -> str:
    """``day`` at ``at`` in the shop's timezone, as the ISO UTC instant an order carries."""
    moment = datetime.combine(day, at, tzinfo=ZoneInfo(ZONE)).astimezone(ZoneInfo("UTC"))
    return moment.isoformat().replace("+00:00", "Z")


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


@dataclass
class Promos:
    till: Till

    async def create(self, status: int = 201, **fields: Any) -> Json:
        kind = {} if "kind" in fields else {"kind": "percentage", "percent": 10}
        body = {"name": "Promo", **kind, **fields}
        result: Json = await self.till.call("POST", "/v1/promotions", body, status)
        return result

    async def coupon(self, code: str, **fields: Any) -> Json:
        promotion = await self.create(trigger="coupon", **fields)
        await self.till.post(f"/v1/promotions/{promotion['promotionId']}/codes", {"code": code})
        return promotion

    async def get(self, promotion_id: str) -> Json:
        result: Json = await self.till.get(f"/v1/promotions/{promotion_id}")
        return result

    async def calculate(self, *lines: Json, status: int = 200, **extra: Any) -> Json:
        body = {"locationId": self.till.location_id, "lineItems": list(lines), **extra}
        result: Json = await self.till.call("POST", "/v1/orders/calculate", body, status)
        return result


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    """A tax-free shop in Auckland (amounts are then exactly what the promotions leave)."""
    shop = await make_shop(client, tenant, rate=None, open_shift=False)
    location = await shop.get(f"/v1/locations/{shop.location_id}")
    await shop.call(
        "PATCH",
        f"/v1/locations/{shop.location_id}",
        {"timezone": ZONE, "version": location["version"]},
    )
    return shop


@pytest.fixture
def promos(till: Till) -> Promos:
    return Promos(till)


def days(n: int) -> timedelta:
    return timedelta(days=n)
