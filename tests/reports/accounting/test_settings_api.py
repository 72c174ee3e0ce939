"""GET/PUT /v1/accounting/settings: the standard chart until the tenant saves its own,
validation per field, optimistic concurrency, accounting:export only, per tenant."""

from typing import Any

import httpx

from tests.support.tenants import TenantFixture, add_api_key, add_user, bearer
from tillpoint.reports.accounting.chart import DEFAULT_ACCOUNTS

PATH = "/v1/accounting/settings"
NO_RATE = "txr_01NOSUCHRATE0000000000000000"


async def _put(client: httpx.AsyncClient, tenant: TenantFixture, body: Any) -> httpx.Response:
    return await client.put(PATH, json=body, headers=tenant.headers)


async def test_a_new_tenant_has_the_standard_chart(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    response = await client.get(PATH, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = {
        key: None if account is None else {"code": account.code, "name": account.name}
        for key, account in DEFAULT_ACCOUNTS.items()
    }
    assert body["accounts"] == expected
    assert body["version"] == 0
    assert body["xeroTaxRate"] == "Tax Exempt"
    assert (body["cardBrands"], body["categories"], body["summaryRecipients"]) == ({}, {}, [])


async def test_saving_replaces_the_settings_and_counts_versions(
    client: httpx.AsyncClient, tenant: TenantFixture, make_tenant: Any
) -> None:
    category = await client.post(
        "/v1/catalog/categories", json={"name": "Drinks"}, headers=tenant.headers
    )
    assert category.status_code == 201, category.text
    category_id = category.json()["categoryId"]
    body = {
        "accounts": {
            "cash": {"code": "1001", "name": "Undeposited Funds"},
            "discounts": {"code": "4900", "name": "Sales:Discounts"},
        },
        "cardBrands": {"visa": {"code": "1011", "name": "Stripe Clearing"}},
        "categories": {category_id: {"code": "4010", "name": "Sales:Drinks"}},
        "xeroTaxRate": "No GST",
        "summaryRecipients": ["books@shop.example.com"],
    }
    saved = await _put(client, tenant, body)
    assert saved.status_code == 200, saved.text
    first = saved.json()
    assert first["version"] == 1
    assert first["accounts"]["cash"] == {"code": "1001", "name": "Undeposited Funds"}
    assert first["accounts"]["discounts"] == {"code": "4900", "name": "Sales:Discounts"}
    # Left out: the standard chart's.
    assert first["accounts"]["sales"] == {"code": "4000", "name": "Sales"}
    assert first["categories"] == {category_id: {"code": "4010", "name": "Sales:Drinks"}}
    assert first["updatedBy"]
    assert first["updatedAt"]
    assert (await client.get(PATH, headers=tenant.headers)).json() == first

    again = await _put(client, tenant, {**body, "xeroTaxRate": "Tax Exempt", "version": 1})
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2
    stale = await _put(client, tenant, {**body, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "VERSION_CONFLICT"

    other = await make_tenant()
    theirs = (await client.get(PATH, headers=other.headers)).json()
    assert theirs["version"] == 0
    assert theirs["accounts"]["cash"]["code"] == "1000"
    # Another tenant's category is not one of theirs.
    foreign = await _put(client, other, {"categories": body["categories"]})
    assert foreign.status_code == 400
    assert foreign.json()["error"]["details"][0]["field"] == f"categories.{category_id}"


async def test_bad_settings_are_400_per_field(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    cases: list[tuple[Any, str]] = [
        ({"accounts": {"cash": {"code": "", "name": "Cash"}}}, "accounts.cash.code"),
        ({"accounts": {"cash": {"code": "1000", "name": "  "}}}, "accounts.cash.name"),
        ({"accounts": {"sales": None}}, "accounts.sales"),
        ({"accounts": {"cash": {"code": "1000", "name": "x" * 101}}}, "accounts.cash.name"),
        ({"summaryRecipients": ["not an address"]}, "summaryRecipients[0]"),
        ({"taxRates": {NO_RATE: {"code": "1", "name": "T"}}}, f"taxRates.{NO_RATE}"),
        ({"version": 0}, "version"),
        ({"accounts": {"bank": {"code": "1", "name": "B"}}}, "accounts.bank"),
    ]
    for body, field in cases:
        response = await _put(client, tenant, body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        fields = [d["field"] for d in error["details"]]
        assert any(f.startswith(field) for f in fields), (body, fields)
    assert (await client.get(PATH, headers=tenant.headers)).json()["version"] == 0


async def test_only_accounting_export_may_see_or_change_them(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    _, manager = await add_user(client, tenant, "manager")
    reader = await add_api_key(client, tenant, ["reports:read"])
    exporter = await add_api_key(client, tenant, ["accounting:export"])
    for headers in (bearer(manager), bearer(reader["key"])):
        assert (await client.get(PATH, headers=headers)).status_code == 403
        assert (await client.put(PATH, json={}, headers=headers)).status_code == 403
    assert (await client.get(PATH, headers=bearer(exporter["key"]))).status_code == 200
    assert (await client.get(PATH)).status_code == 401
