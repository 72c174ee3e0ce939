"""Metrics, access logs and the audit log label a request with its route's full template, `/v1`
and all — also when the pipeline answers before the route runs (an idempotent replay, a key
in use or reused, a rate limit, a body too large). Only a path no route serves is `unmatched`."""

import logging
import uuid
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from tests.support.sales import Till, make_shop
from tests.support.tenants import TenantFixture, add_api_key, bearer
from tillpoint.core.db import Database, utcnow
from tillpoint.core.idempotency import IdempotencyRecord

SHIFTS = "/v1/registers/{register_id}/shifts"
CURRENT = "/v1/registers/{register_id}/shifts/current"


async def requests_counted(client: httpx.AsyncClient) -> dict[tuple[str, str, str], float]:
    text = (await client.get("/metrics")).text
    counted: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "tillpoint_http_requests":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total"):
                labels = sample.labels
                counted[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counted


class Counts:
    """The request counter before and after: what a test's requests added, by label."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.before: dict[tuple[str, str, str], float] = {}

    async def start(self) -> None:
        self.before = await requests_counted(self.client)

    async def added(self) -> dict[tuple[str, str, str], float]:
        after = await requests_counted(self.client)
        return {
            label: value - self.before.get(label, 0)
            for label, value in after.items()
            if value != self.before.get(label, 0) and label[1] != "/metrics"
        }


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant, rate=None, open_shift=False)


@pytest.fixture
async def counts(client: httpx.AsyncClient) -> Counts:
    return Counts(client)


async def test_routes_of_included_routers_are_labelled_with_v1(till: Till, counts: Counts) -> None:
    await counts.start()
    shifts = f"/v1/registers/{till.register_id}/shifts"
    await till.call("GET", shifts)
    await till.call("GET", f"{shifts}/current", status=404)
    await till.call("GET", shifts, status=401, extra_headers={"Authorization": "Bearer nope"})
    assert await counts.added() == {
        ("GET", SHIFTS, "200"): 1,
        ("GET", CURRENT, "404"): 1,
        ("GET", SHIFTS, "401"): 1,
    }


async def test_answers_given_before_routing_carry_the_route_template(
    client: httpx.AsyncClient,
    db: Database,
    tenant: TenantFixture,
    till: Till,
    counts: Counts,
    caplog: pytest.LogCaptureFixture,
) -> None:
    shifts = f"/v1/registers/{till.register_id}/shifts"
    key = f"k-{uuid.uuid4().hex}"
    keyed = {**tenant.headers, "Idempotency-Key": key}
    await counts.start()
    first = await client.post(shifts, headers=keyed, json={"openingFloat": 100})
    assert first.status_code == 201, first.text
    with caplog.at_level(logging.INFO, logger="tillpoint.request"):
        replayed = await client.post(shifts, headers=keyed, json={"openingFloat": 100})
    assert replayed.headers["Idempotent-Replayed"] == "true"
    [line] = [r for r in caplog.records if r.name == "tillpoint.request"]
    assert line.__dict__["route"] == SHIFTS
    reused = await client.post(shifts, headers=keyed, json={"openingFloat": 5})
    assert reused.status_code == 422
    # A first request still running holds the key: its duplicate is refused at once.
    async with db.session(tenant_id=tenant.id) as session, session.begin():
        await session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == key)
            .values(completed=False, claimed_at=utcnow())
        )
    in_use = await client.post(shifts, headers=keyed, json={"openingFloat": 100})
    assert in_use.status_code == 409
    too_large = await client.post(
        shifts,
        headers={**tenant.headers, "Content-Type": "application/json"},
        content=b'{"notes": "' + b"x" * 2_000_000 + b'"}',
    )
    assert too_large.status_code == 413
    limited = await add_api_key(client, tenant, ["orders:read"], rateLimitPerMinute=1)
    for status in (200, 429):
        response = await client.get(f"{shifts}/current", headers=bearer(limited["key"]))
        assert response.status_code == status, response.text
    unknown = await client.get("/v1/nowhere/1", headers=tenant.headers)
    assert unknown.status_code == 404
    added = await counts.added()
    added.pop(("POST", "/v1/api-keys", "201"))
    assert added == {
        ("POST", SHIFTS, "201"): 2,
        ("POST", SHIFTS, "422"): 1,
        ("POST", SHIFTS, "409"): 1,
        ("POST", SHIFTS, "413"): 1,
        ("GET", CURRENT, "200"): 1,
        ("GET", CURRENT, "429"): 1,
        ("GET", "unmatched", "404"): 1,
    }


async def test_the_audit_log_names_the_full_route(till: Till) -> None:
    request_id = uuid.uuid4().hex
    opened = await till.call(
        "POST",
        f"/v1/registers/{till.register_id}/shifts",
        {"openingFloat": 100},
        status=201,
        extra_headers={"X-Request-Id": request_id},
    )
    entries: list[dict[str, Any]] = (
        await till.get("/v1/audit-log", pageSize=200, resourceId=opened["shiftId"])
    )["items"]
    [entry] = [e for e in entries if e["requestId"] == request_id]
    assert entry["action"] == f"POST {SHIFTS}"
