"""Categories (a tree with paths) and modifier groups over HTTP."""

from typing import Any

import httpx

from tests.support.catalog import create_category, create_product
from tests.support.tenants import TenantFixture

Json = dict[str, Any]
CATEGORIES = "/v1/catalog/categories"
GROUPS = "/v1/catalog/modifier-groups"


async def test_category_tree_paths_and_moves(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    apparel = await create_category(client, tenant, "Apparel")
    tees = await create_category(client, tenant, "Tees", apparel["categoryId"])
    vnecks = await create_category(client, tenant, "V-necks", tees["categoryId"])
    assert vnecks["path"] == "Apparel > Tees > V-necks"
    # A product's category path finds the existing levels (case-insensitively).
    product = await create_product(client, tenant, category="apparel > TEES")
    assert product["categoryId"] == tees["categoryId"]

    dup = await client.post(
        CATEGORIES, headers=tenant.headers, json={"name": "tees", "parentId": apparel["categoryId"]}
    )
    assert dup.json()["error"]["code"] == "ALREADY_EXISTS"
    bad = await client.post(CATEGORIES, headers=tenant.headers, json={"name": "A > B"})
    assert bad.status_code == 400
    url = f"{CATEGORIES}/{apparel['categoryId']}"
    cycle = await client.patch(url, headers=tenant.headers, json={"parentId": vnecks["categoryId"]})
    assert cycle.status_code == 400, cycle.text
    assert cycle.json()["error"]["details"][0]["field"] == "parentId"
    itself = await client.patch(
        url, headers=tenant.headers, json={"parentId": apparel["categoryId"]}
    )
    assert itself.status_code == 400

    moved = await client.patch(
        f"{CATEGORIES}/{vnecks['categoryId']}", headers=tenant.headers, json={"toRoot": True}
    )
    assert (moved.json()["path"], moved.json()["parentId"]) == ("V-necks", None)
    renamed = await client.patch(
        url, headers=tenant.headers, json={"name": "Clothing", "version": 1}
    )
    assert renamed.json()["version"] == 2
    got = (await client.get(f"{CATEGORIES}/{tees['categoryId']}", headers=tenant.headers)).json()
    assert got["path"] == "Clothing > Tees"
    children = await client.get(
        CATEGORIES, headers=tenant.headers, params={"parentId": apparel["categoryId"]}
    )
    assert [c["name"] for c in children.json()["items"]] == ["Tees"]
    assert (await client.get(CATEGORIES, headers=tenant.headers)).json()["total"] == 3


async def test_category_archive_rules(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    parent = await create_category(client, tenant, "Home")
    child = await create_category(client, tenant, "Kitchen", parent["categoryId"])
    product = await create_product(client, tenant, categoryId=child["categoryId"])
    parent_url, child_url = (f"{CATEGORIES}/{c['categoryId']}" for c in (parent, child))
    refused = await client.delete(parent_url, headers=tenant.headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "CONFLICT"
    assert (await client.delete(child_url, headers=tenant.headers)).status_code == 409
    await client.delete(f"/v1/catalog/products/{product['productId']}", headers=tenant.headers)
    assert (await client.delete(child_url, headers=tenant.headers)).json()["archived"] is True
    assert (await client.delete(parent_url, headers=tenant.headers)).json()["archived"] is True
    listed = await client.get(CATEGORIES, headers=tenant.headers)
    assert listed.json()["total"] == 0
    listed = await client.get(CATEGORIES, headers=tenant.headers, params={"includeArchived": True})
    assert listed.json()["total"] == 2
    # An archived category cannot be named by id; a name path creates a fresh one.
    gone = await create_product(client, tenant, expect=400, categoryId=child["categoryId"])
    assert gone["error"]["details"][0]["field"] == "categoryId"
    fresh = await create_product(client, tenant, category="Home")
    assert fresh["categoryId"] != parent["categoryId"]
    early = await client.patch(child_url, headers=tenant.headers, json={"archived": False})
    assert early.status_code == 400
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "category.*"})
    assert [e["type"] for e in events.json()["items"]] == [
        "category.created",
        "category.created",
        "category.archived",
        "category.archived",
        "category.created",
    ]


async def test_modifier_groups(client: httpx.AsyncClient, tenant: TenantFixture) -> None:
    body: Json = {
        "name": "Milk",
        "minSelections": 1,
        "maxSelections": 1,
        "options": [{"name": "Whole", "priceDelta": 0}, {"name": "Oat", "priceDelta": 0.6}],
    }
    created = await client.post(GROUPS, headers=tenant.headers, json=body)
    assert created.status_code == 201, created.text
    group = created.json()
    whole, oat = group["options"]
    assert oat["optionId"].startswith("mdo_")
    assert oat["priceDelta"] == 0.6

    too_many = await client.post(GROUPS, headers=tenant.headers, json={**body, "minSelections": 2})
    error = too_many.json()["error"]
    assert too_many.status_code == 400
    assert error["code"] == "CATEGORY_MIN_OPTIONS_CANNOT_BE_GREATER_THAN_MAX_OPTIONS"
    fine = await client.post(
        GROUPS,
        headers=tenant.headers,
        json={**body, "options": body["options"][:1], "minSelections": 0},
    )
    assert fine.status_code == 201
    cents = await client.post(
        GROUPS,
        headers=tenant.headers,
        json={**body, "options": [{"name": "x", "priceDelta": 0.001}]},
    )
    assert cents.json()["error"]["details"][0]["field"] == "options[0].priceDelta"

    url = f"{GROUPS}/{group['modifierGroupId']}"
    merged = await client.patch(
        url, headers=tenant.headers, json={"maxSelections": 1, "minSelections": 2}
    )
    assert (
        merged.json()["error"]["code"] == "CATEGORY_MIN_OPTIONS_CANNOT_BE_GREATER_THAN_MAX_OPTIONS"
    )
    options = [
        {"optionId": oat["optionId"], "name": "Oat milk", "priceDelta": 0.7},
        {"name": "Soy", "priceDelta": 0.5},
    ]
    patched = await client.patch(
        url, headers=tenant.headers, json={"options": options, "version": 1}
    )
    assert patched.status_code == 200, patched.text
    kept, soy = patched.json()["options"]
    assert (kept["optionId"], kept["name"], kept["priceDelta"]) == (
        oat["optionId"],
        "Oat milk",
        0.7,
    )
    assert soy["optionId"] not in (whole["optionId"], oat["optionId"])
    unknown = await client.patch(
        url,
        headers=tenant.headers,
        json={"options": [{"optionId": "mdo_nope", "name": "x", "priceDelta": 0}]},
    )
    assert unknown.json()["error"]["details"][0]["field"] == "options[0].optionId"
    stale = await client.patch(url, headers=tenant.headers, json={"name": "x", "version": 1})
    assert stale.json()["error"]["code"] == "VERSION_CONFLICT"

    product = await create_product(client, tenant, modifierGroupIds=[group["modifierGroupId"]])
    assert product["modifierGroupIds"] == [group["modifierGroupId"]]
    assert (await client.delete(url, headers=tenant.headers)).json()["archived"] is True
    refused = await create_product(
        client, tenant, expect=400, modifierGroupIds=[group["modifierGroupId"]]
    )
    assert refused["error"]["details"][0]["field"] == "modifierGroupIds"
    listed = (await client.get(GROUPS, headers=tenant.headers)).json()
    assert group["modifierGroupId"] not in [g["modifierGroupId"] for g in listed["items"]]
    events = await client.get(
        "/v1/events", headers=tenant.headers, params={"types": "modifier_group.*"}
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "modifier_group.created",
        "modifier_group.created",
        "modifier_group.updated",
        "modifier_group.archived",
    ]
