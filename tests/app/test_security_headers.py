"""Every response carries the browser-hardening headers: successes, the pipeline's own refusals
and the errors of endpoints alike (docs/security.md)."""

import httpx

from tests.support.tenants import TenantFixture

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def hardened(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in EXPECTED}


async def test_every_kind_of_response_is_hardened(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    responses = [
        await client.get("/v1/me", headers=tenant.headers),  # 200
        await client.post("/v1/locations", json={"name": "Hdr"}, headers=tenant.headers),  # 201
        await client.get("/v1/me"),  # 401 from the pipeline
        await client.get("/v1/locations/loc_01JD000000000000000000000", headers=tenant.headers),
        await client.post("/v1/locations", json={"name": 5}, headers=tenant.headers),  # 400
        await client.get("/v1/orders?notes=4242424242424242", headers=tenant.headers),  # card
        await client.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 201, 401, 404, 400, 400, 200]
    for response in responses:
        assert hardened(response) == EXPECTED, response.request.url
