"""The demo tenant's catalog and stock, seen over the API as a demo user would see them."""

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx

from tests.support.tenants import login
from tillpoint.catalog.barcodes import is_valid_gtin
from tillpoint.demo.tenant import PASSWORD, seed_demo

Json = dict[str, Any]


async def everything(
    client: httpx.AsyncClient, path: str, headers: Json, **params: Any
) -> list[Json]:
    """Every item of a paginated list."""
    items: list[Json] = []
    page = 1
    while True:
        query = {**params, "page": page, "pageSize": 200}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if len(items) >= body["total"] or not body["items"]:
            return items
        page += 1


async def test_the_demo_has_a_catalog_and_stock_at_both_locations(app, client, db) -> None:
    domain = f"{uuid.uuid4().hex[:8]}.example.com"
    await seed_demo(db, app.state.settings, email_domain=domain)
    response = await login(client, f"owner@{domain}", PASSWORD)
    assert response.status_code == 201, response.text
    headers = {"Authorization": f"Bearer {response.json()['authToken']}"}
    # Renamed, so `tillpoint demo` in later tests of this database does not take it for its own.
    renamed = await client.patch("/v1/tenant", json={"name": "Demo catalog test"}, headers=headers)
    assert renamed.status_code == 200, renamed.text

    products = await everything(client, "/v1/catalog/products", headers)
    assert 190 <= len(products) <= 210
    with_variants = [p for p in products if p["variants"]]
    assert 0.28 <= len(with_variants) / len(products) <= 0.4
    codes = [p["barcode"] for p in products] + [
        v["barcode"] for p in with_variants for v in p["variants"]
    ]
    codes = [c for c in codes if c is not None]
    assert len(codes) > 300
    assert all(is_valid_gtin(c) for c in codes), [c for c in codes if not is_valid_gtin(c)]
    assert len(set(codes)) == len(codes)
    assert all(p["images"] and p["images"][0].startswith("https://") for p in products)
    assert any(p["soldBy"] == "weight" for p in products)

    # The café set: espresso drinks with Size, Milk and Extra shots (and Syrup) groups.
    groups = {
        g["modifierGroupId"]: g
        for g in await everything(client, "/v1/catalog/modifier-groups", headers)
    }
    cappuccino = next(p for p in products if p["name"] == "Cappuccino")
    names = {groups[i]["name"] for i in cappuccino["modifierGroupIds"]}
    assert {"Size", "Milk", "Extra shots"} <= names
    milk = next(g for g in groups.values() if g["name"] == "Milk")
    assert (milk["minSelections"], milk["maxSelections"]) == (0, 1)
    assert {o["name"]: o["priceDelta"] for o in milk["options"]}["Oat"] == 0.75

    categories = await everything(client, "/v1/catalog/categories", headers)
    assert {"Apparel > Tees", "Home > Mugs", "Café > Beans", "Books"} <= {
        c["path"] for c in categories
    }

    locations = {
        loc["name"]: loc["locationId"]
        for loc in (await client.get("/v1/locations", headers=headers)).json()["items"]
    }
    shop = next(i for n, i in locations.items() if "SoHo" in n)
    cafe = next(i for n, i in locations.items() if "Silver Lake" in n)

    tee = next(p for p in with_variants if p["category"] == "Tees")
    scanned = await client.get(
        "/v1/catalog/lookup",
        params={"barcode": tee["variants"][0]["barcode"], "locationId": shop},
        headers=headers,
    )
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["variantId"] == tee["variants"][0]["variantId"]
    assert scanned.json()["onHand"] is not None

    levels = await everything(client, "/v1/inventory/levels", headers)
    by_location = defaultdict(list)
    for level in levels:
        by_location[level["locationId"]].append(level)
    assert len(by_location[shop]) > 100
    assert len(by_location[cafe]) > 30
    assert any(Decimal(str(x["onHand"])) % 1 for x in by_location[cafe]), "beans by weight"
    short = await client.get(
        "/v1/inventory/levels", params={"belowReorderPoint": "true"}, headers=headers
    )
    assert short.json()["total"] > 0
    assert any(x["inTransit"] > 0 for x in by_location[shop])

    # The ledger adds up to every level.
    movements = await everything(client, "/v1/inventory/movements", headers)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for movement in movements:
        sums[(movement["variantId"], movement["locationId"])] += Decimal(str(movement["delta"]))
    on_hand = {(x["variantId"], x["locationId"]): Decimal(str(x["onHand"])) for x in levels}
    assert {k: v for k, v in on_hand.items() if v} == {k: v for k, v in sums.items() if v}
    reasons = {m["reason"] for m in movements}
    assert {"received", "damage", "transfer_out", "transfer_in"} <= reasons

    transfers = await everything(client, "/v1/inventory/transfers", headers)
    assert sorted(t["status"] for t in transfers) == ["received", "shipped"]
    counts = await everything(client, "/v1/inventory/counts", headers)
    assert [c["status"] for c in counts] == ["committed"]
