"""The bench shop for ``bench.reports``: made through the API (locations, tax rates, categories,
products with costs), then read back from the database with what the bulk load needs.

Two locations in different timezones, ``PRODUCTS`` products in ``CATEGORIES`` categories, a
9 % standard rate at each location. Each variant's cost history is written straight into
``variant_costs`` (the catalog keeps one row per change): 90 % of today's cost from the first
day of the year of sales, today's cost from the middle of it, and the API's own row from now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.harness import BenchError
from bench.harness.servers import Server

LOCATIONS = (("Bench New York", "America/New_York"), ("Bench Berlin", "Europe/Berlin"))
PRODUCTS = 50
CATEGORIES = 5
TAX_PERCENT = 9
SCOPES = (
    "catalog:read,catalog:write,inventory:read,inventory:write,orders:read,"
    "settings:read,settings:write,reports:read"
)


@dataclass(frozen=True)
class Variant:
    id: str
    product_id: str
    sku: str
    name: str
    price_minor: int
    early_cost_minor: int  # in force from the first day of sales
    cost_minor: int  # from ``Shop.cost_change`` on

    def cost_at(self, moment: dt.datetime, change: dt.datetime) -> int:
        return self.early_cost_minor if moment < change else self.cost_minor


@dataclass
class Shop:
    tenant_id: str
    locations: list[tuple[str, str]]  # (id, timezone)
    tax_rates: dict[str, str]  # location id → tax rate id
    variants: list[Variant] = field(default_factory=list)
    first_day: dt.date = dt.date.min  # the first business day with sales
    cost_change: dt.datetime = dt.datetime.min.replace(tzinfo=dt.UTC)
    opening: dt.datetime = dt.datetime.min.replace(tzinfo=dt.UTC)  # opening stock, costs


def product_price_minor(i: int) -> int:
    return 199 + (i * 373) % 4800  # 1.99 … 49.98


def product_cost_minor(i: int) -> int:
    return product_price_minor(i) * (40 + i % 25) // 100  # 40–64 % of the price


def set_up_shop(server: Server, api_key: str, run_id: str) -> tuple[list[str], dict[str, str]]:
    """Locations, tax rates and products through the API: (location ids, sku → name)."""
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as client:

        def post(path: str, body: dict[str, Any]) -> Any:
            response = client.post(path, json=body)
            if response.status_code != 201:
                raise BenchError(f"POST {path}: {response.status_code} {response.text[:500]}")
            return response.json()

        location_ids = []
        for name, zone in LOCATIONS:
            made = post("/v1/locations", {"name": name, "timezone": zone})
            location_ids.append(made["locationId"])
            post(
                f"/v1/locations/{made['locationId']}/tax-rates",
                {"taxClass": "standard", "name": "Sales tax", "rate": TAX_PERCENT},
            )
        names = {}
        for i in range(PRODUCTS):
            sku = f"RB-{run_id}-P{i:03d}"
            names[sku] = f"Bench product {i}"
            post(
                "/v1/catalog/products",
                {
                    "name": names[sku],
                    "sku": sku,
                    "category": f"Bench category {i % CATEGORIES}",
                    "price": product_price_minor(i) / 100,
                    "cost": product_cost_minor(i) / 100,
                },
            )
    return location_ids, names


async def read_shop(conn: Any, tenant_id: str, location_ids: list[str], run_id: str) -> Shop:
    """The shop as the load needs it, from the rows the API wrote."""
    zones = dict(
        await conn.fetch(
            "SELECT id, timezone FROM locations WHERE tenant_id = $1 AND id = ANY($2::text[])",
            tenant_id,
            location_ids,
        )
    )
    rates = dict(
        await conn.fetch("SELECT location_id, id FROM tax_rates WHERE tenant_id = $1", tenant_id)
    )
    shop = Shop(tenant_id, [(lid, zones[lid]) for lid in location_ids], rates)
    rows = await conn.fetch(
        "SELECT v.id, v.product_id, v.sku, p.name FROM variants v JOIN products p "
        "ON p.tenant_id = v.tenant_id AND p.id = v.product_id "
        "WHERE v.tenant_id = $1 ORDER BY v.sku",
        tenant_id,
    )
    prefix = f"RB-{run_id}-P"
    for row in rows:
        i = int(row["sku"].removeprefix(prefix))
        cost = product_cost_minor(i)
        shop.variants.append(
            Variant(
                row["id"], row["product_id"], row["sku"], row["name"],
                product_price_minor(i), cost * 9 // 10, cost,
            )
        )  # fmt: skip
    if len(shop.variants) != PRODUCTS or len(rates) != len(location_ids):
        raise BenchError(f"the shop is not as made: {len(shop.variants)} variants, {rates}")
    return shop
