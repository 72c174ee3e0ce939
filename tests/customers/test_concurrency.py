"""Duplicates under real parallel connections on PostgreSQL: of many tills creating the same
person at once, one wins and every other gets 409 naming the winner (the unique indexes
decide where the check before the insert cannot)."""

import asyncio

import httpx
import pytest

from tests.customers.conftest import unique_email
from tests.support.tenants import TenantFixture

CLIENTS = 16


@pytest.fixture(autouse=True)
def postgres_only(dialect: str) -> None:
    if dialect == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")


@pytest.mark.parametrize("field", ["email", "phone"])
async def test_parallel_creates_of_one_person_make_one_customer(
    client: httpx.AsyncClient, tenant: TenantFixture, field: str
) -> None:
    email = unique_email("race")
    phone = "+12125550999"

    async def create(n: int) -> httpx.Response:
        # Every body differs in the other field, so only ``field`` clashes.
        body = {"lastName": f"Racer {n}", "email": email if field == "email" else unique_email()}
        body["phone"] = phone if field == "phone" else f"+1212555{1000 + n:04d}"
        return await client.post("/v1/customers", json=body, headers=tenant.headers)

    responses = await asyncio.gather(*(create(n) for n in range(CLIENTS)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CLIENTS - 1), [r.text for r in responses]
    [winner] = [r.json()["customerId"] for r in responses if r.status_code == 201]
    for refused in (r.json()["error"] for r in responses if r.status_code == 409):
        assert refused["code"] == "CUSTOMER_ALREADY_EXISTS"
        assert [(d["field"], d["customerId"]) for d in refused["details"]] == [(field, winner)]
    listed = await client.get(
        "/v1/customers",
        params={field: email if field == "email" else phone},
        headers=tenant.headers,
    )
    assert [c["customerId"] for c in listed.json()["items"]] == [winner]
