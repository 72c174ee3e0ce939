"""Privacy: the export holds everything about the person; erasure leaves no personal field in
any column of any table (checked with SQL), keeps the orders and their totals, and the events
keep only ids."""

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from tests.customers.conftest import unique_email
from tests.support.api import Api
from tests.support.sales import Till
from tests.support.tenants import TenantFixture, add_location, add_user, bearer
from tillpoint.core.db import Database
from tillpoint.migrations.metadata import metadata


async def every_value(db: Database, tenant_id: str) -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every column of every row of the tenant's tables, and
    of every row of the tables that belong to no tenant."""
    found = []
    async with db.session() as session:
        for table in metadata.sorted_tables:
            query = select(table)
            if "tenant_id" in table.c:
                query = query.where(table.c.tenant_id == tenant_id)
            rows = await session.execute(query.execution_options(all_tenants=True))
            for row in rows:
                for column, value in zip(table.c.keys(), row, strict=True):
                    text = (
                        value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    )
                    found.append((table.name, column, text))
    return found


def personal_profile(tag: str) -> dict[str, Any]:
    return {
        "firstName": f"Zelda{tag}",
        "lastName": f"Quixote{tag}",
        "email": unique_email(f"zq{tag}"),
        "addresses": [{"line1": f"{tag} Privet Drive", "city": f"Hogs{tag}", "country": "US"}],
        "birthday": "1979-03-14",
        "notes": f"allergic to {tag}",
        "tags": [f"t{tag}"],
    }


async def test_export_then_erase_leaves_no_personal_field(
    client: httpx.AsyncClient, tenant: TenantFixture, api: Api, till: Till, db: Database
) -> None:
    mark = uuid.uuid4().hex[:8]
    location = await add_location(client, tenant)
    consent = {"locationId": location["locationId"], "method": "written", "note": f"form {mark}"}
    body = personal_profile(mark) | {
        "phone": "+12125550123",
        "marketingOptIn": True,
        "marketingConsent": consent,
    }
    created = await client.post(
        "/v1/customers", json=body, headers={**tenant.headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert created.status_code == 201, created.text
    customer_id = created.json()["customerId"]
    await api.patch(f"/v1/customers/{customer_id}", {"notes": f"updated {mark}"})
    other = personal_profile(mark[::-1]) | {"phone": "+12125550124"}
    other_id = (await api.post("/v1/customers", other))["customerId"]
    sku = await till.product("Tea", 4)
    orders = [
        await till.sell(till.line(sku), customerId=customer_id),
        await till.sell(till.line(sku, 3), customerId=other_id),
    ]
    await api.call("POST", f"/v1/customers/{customer_id}/merge", {"mergeCustomerId": other_id})

    exported = await api.get(f"/v1/customers/{customer_id}/export")
    assert exported["customer"]["email"] == body["email"]
    assert exported["mergedCustomerIds"] == [other_id]
    assert [c["note"] for c in exported["consentHistory"]] == [f"form {mark}"]
    assert exported["orders"]["count"] == 2
    assert sorted(o["orderId"] for o in exported["orders"]["items"]) == sorted(
        o["orderId"] for o in orders
    )
    assert exported["loyalty"] == {"balances": {}, "entries": []}  # no program, no points
    assert exported["storeCredit"] == {"balances": {}, "entries": []}
    assert exported["giftCards"] is None  # cards are bearer instruments: no one's personal data

    # Only the owner may erase.
    _, manager = await add_user(client, tenant, "manager")
    refused = await client.post(f"/v1/customers/{customer_id}/erase", headers=bearer(manager))
    assert refused.status_code == 403
    erased = await api.call("POST", f"/v1/customers/{customer_id}/erase")
    assert (erased["erased"], erased["customerId"]) == (True, customer_id)
    assert (erased["firstName"], erased["email"], erased["phone"], erased["tags"]) == (
        "",
        None,
        None,
        [],
    )
    await api.error("POST", f"/v1/customers/{customer_id}/erase", None, 409, "INVALID_STATUS")

    personal = [
        mark,
        mark[::-1],
        body["email"],
        other["email"],
        "2125550123",
        "2125550124",
        "1979-03-14",
    ]
    leaks = [
        (table, column, value)
        for table, column, value in await every_value(db, tenant.id)
        for word in personal
        if word in value
    ]
    assert leaks == []

    # The books are kept: the orders still name the customer, their totals unchanged.
    for order in orders:
        now = await till.get(f"/v1/orders/{order['orderId']}")
        assert now["customerId"] == customer_id
        assert now["totals"] == order["totals"]
    # The merged-away id still resolves, to the erased customer.
    assert (await api.get(f"/v1/customers/{other_id}"))["customerId"] == customer_id

    feed = await api.get("/v1/events", types="customer.*", limit=500)
    about = [e for e in feed["items"] if e["data"]["customerId"] in (customer_id, other_id)]
    assert about[-1]["type"] == "customer.erased"
    assert about[-1]["data"] == {"customerId": customer_id}
    assert all(set(e["data"]) <= {"customerId", "erased"} for e in about)
    audit = await api.get("/v1/audit-log", resourceId=customer_id)
    assert any(a["action"].endswith("/erase") for a in audit["items"])
