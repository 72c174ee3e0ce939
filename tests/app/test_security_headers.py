"""Every response carries the browser-hardening headers: successes, the pipeline's own refusals
and the errors of endpoints alike (docs/security.md)."""

import httpx
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from tests.support.tenants import TenantFixture
from tillpoint.core.browser import API_CSP, APP_CSP, AppSecurityHeaders

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
        # JSON is data, never a document: nothing may load from it or frame it.
        assert response.headers["content-security-policy"] == API_CSP, response.request.url


async def test_the_docs_page_keeps_working(client: httpx.AsyncClient) -> None:
    """Swagger UI (HTML with its own scripts) is not given the JSON policy."""
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "content-security-policy" not in response.headers


async def test_the_apps_static_responses_get_a_strict_policy() -> None:
    """The wrapper the /app/ mount will use: no inline script, no framing, no sniffing."""

    async def static(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("<html></html>", media_type="text/html")(scope, receive, send)

    transport = httpx.ASGITransport(app=AppSecurityHeaders(static))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as page:
        response = await page.get("/app/")
    policy = response.headers["content-security-policy"]
    assert policy == APP_CSP
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
