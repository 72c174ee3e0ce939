"""Every resource names its id ``<resource>Id`` (DESIGN §4): no response shape has a bare ``id``.

Walks every schema a response can contain in the served OpenAPI document, so a new resource
that answers with ``id`` fails here the day it is added.
"""

from collections.abc import Iterator
from typing import Any

import httpx

from tests.support.tenants import TenantFixture

# The shapes that keep a bare ``id``, and why (docs/api.md says the same).
BARE_ID_ALLOWED = {
    # The event envelope {id, seq, type, occurredAt, data} of DESIGN §5: the event's own id.
    "EventOut",
    # The login response's user {id, name, entitlements}: the reference's shape (DESIGN §4).
    "SessionUser",
}
REF_PREFIX = "#/components/schemas/"


def referenced(schema: Any) -> Iterator[str]:
    """The names of the component schemas ``schema`` refers to, at any depth within it."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            yield ref.removeprefix(REF_PREFIX)
        for value in schema.values():
            yield from referenced(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from referenced(value)


def response_schemas(document: dict[str, Any]) -> set[str]:
    """Every component schema a response body can contain, following references."""
    components = document["components"]["schemas"]
    pending = [
        name
        for operations in document["paths"].values()
        for operation in operations.values()
        for response in operation.get("responses", {}).values()
        for name in referenced(response.get("content", {}))
    ]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(referenced(components[name]))
    return seen


async def test_no_response_shape_has_a_bare_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    components = document["components"]["schemas"]
    in_responses = response_schemas(document)
    assert {"LocationOut", "OrderOut", "ProductOut"} <= in_responses, "the walk missed responses"

    bare = sorted(
        name
        for name in in_responses - BARE_ID_ALLOWED
        if "id" in components[name].get("properties", {})
    )
    assert bare == [], f"name these ids <resource>Id (DESIGN §4), not `id`: {bare}"
    # The exceptions are real: each still exists and still has its `id`.
    for name in BARE_ID_ALLOWED:
        assert name in in_responses, f"{name} is no longer in any response; drop it from the list"
        assert "id" in components[name]["properties"], f"{name} has no `id` now; drop it"


async def test_resources_answer_with_their_own_id_name(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    created = await client.post("/v1/locations", headers=tenant.headers, json={"name": "Ids"})
    assert created.status_code == 201, created.text
    location = created.json()
    assert "id" not in location
    assert location["locationId"].startswith("loc_")
    path = f"/v1/locations/{location['locationId']}/registers"
    register = (await client.post(path, headers=tenant.headers, json={"name": "Till"})).json()
    assert "id" not in register
    assert register["registerId"].startswith("reg_")
    assert register["locationId"] == location["locationId"]
    me = (await client.get("/v1/me", headers=tenant.headers)).json()
    assert (me["principalId"], me["tenant"]["tenantId"]) == (tenant.owner_id, tenant.id)
    events = await client.get("/v1/events", headers=tenant.headers, params={"types": "location.*"})
    (event,) = events.json()["items"]
    assert event["id"].startswith("evt_"), "an event keeps its own `id`"
    assert event["data"]["locationId"] == location["locationId"]
    assert "id" not in event["data"]
