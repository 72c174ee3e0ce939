"""Helpers for inventory tests: stockable items made directly in the database (the catalog API
is not needed to test stock), and a small client that asserts statuses."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tillpoint.catalog.models import Category, Product, Variant
from tillpoint.core.db import Database
from tillpoint.core.ids import new_id
from tillpoint.core.transactions import transaction

Json = dict[str, Any]


async def make_item(
    db: Database,
    tenant_id: str,
    *,
    sku: str | None = None,
    sold_by: str = "unit",
    category_id: str | None = None,
) -> str:
    """A simple product with its default variant; returns the sku."""
    sku = sku or f"INV-{uuid.uuid4().hex[:10].upper()}"
    async with transaction(db, tenant_id=tenant_id) as session:
        product = Product(
            tenant_id=tenant_id,
            id=new_id("product"),
            name=f"Item {sku}",
            sku=sku,
            category_id=category_id,
            sold_by=sold_by,
        )
        session.add(product)
        await session.flush()
        session.add(
            Variant(
                tenant_id=tenant_id,
                id=new_id("variant"),
                product_id=product.id,
                is_default=True,
                sku=sku,
            )
        )
    return sku


async def make_category(
    db: Database, tenant_id: str, name: str, parent_id: str | None = None
) -> str:
    async with transaction(db, tenant_id=tenant_id) as session:
        category = Category(tenant_id=tenant_id, id=new_id("category"), name=name)
        category.parent_id = parent_id
        session.add(category)
    return category.id


@dataclass
class Inv:
    """One principal talking to the API; every call asserts the status it expects."""

    client: httpx.AsyncClient
    headers: dict[str, str]

    async def call(
        self, method: str, path: str, body: Any = None, expect: int = 200, **params: Any
    ) -> Any:
        response = await self.client.request(
            method, path, headers=self.headers, json=body, params=params
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, **params)

    async def post(self, path: str, body: Any = None, status: int = 201) -> Any:
        return await self.call("POST", path, body, status)

    async def error(self, method: str, path: str, body: Any, status: int, code: str) -> Json:
        error: Json = (await self.call(method, path, body, status))["error"]
        assert error["code"] == code, error
        return error

    async def adjust(self, location: str, items: dict[str, Any], **extra: Any) -> Json:
        body = {
            "locationId": location,
            "reason": extra.pop("reason", "correction"),
            "items": [{"sku": s, "deltaQuantity": d} for s, d in items.items()],
            **extra,
        }
        result: Json = await self.post("/v1/inventory/adjustments", body)
        return result

    async def level(self, location: str, sku: str, **params: Any) -> Json | None:
        items = (await self.get("/v1/inventory/levels", locationId=location, sku=sku, **params))[
            "items"
        ]
        assert len(items) <= 1
        return items[0] if items else None

    async def on_hand(self, location: str, sku: str, **params: Any) -> float:
        level = await self.level(location, sku, **params)
        return 0 if level is None else level["onHand"]

    async def ledger_sum(self, location: str, sku: str) -> float:
        total, page = 0.0, 1
        while True:
            body = await self.get(
                "/v1/inventory/movements", locationId=location, sku=sku, page=page, pageSize=200
            )
            total += sum(m["delta"] for m in body["items"])
            if page * 200 >= body["total"]:
                return round(total, 3)
            page += 1
