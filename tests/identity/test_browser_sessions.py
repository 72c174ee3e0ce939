"""Browser sessions (docs/adr/0013-browser-sessions.md): the session in an httpOnly,
SameSite=Strict cookie, never in the body; CSRF tokens on cookie writes; bearer tokens unchanged;
logout revokes on the server."""

from typing import Any

import httpx

from tests.identity.test_sessions import assert_error
from tests.support.browser import browser, browser_sign_in
from tests.support.tenants import PASSWORD, TenantFixture, bearer


async def location_count(client: httpx.AsyncClient, tenant: TenantFixture) -> int:
    response = await client.get("/v1/locations", headers=tenant.headers)
    total: int = response.json()["total"]
    return total


async def test_sign_in_sets_an_httponly_strict_cookie_and_no_token(
    app: Any, tenant: TenantFixture
) -> None:
    async with browser(app) as page:
        response = await page.post(
            "/v1/browser-sessions", json={"username": tenant.owner_email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {"expiresIn", "csrfToken", "user"}
        cookie = response.headers["set-cookie"]
        name, _, rest = cookie.partition("=")
        value = rest.split(";")[0]
        assert name == "tp_session"
        assert value.startswith("tpb_")
        assert value not in response.text
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        assert "secure" not in attributes  # plain http (development); see the https test
        assert body["user"]["id"] == tenant.owner_id
        me = await page.get("/v1/me")
        assert me.status_code == 200, me.text
        assert me.json()["principalId"] == tenant.owner_id


async def test_a_wrong_password_sets_no_cookie(app: Any, tenant: TenantFixture) -> None:
    async with browser(app) as page:
        response = await page.post(
            "/v1/browser-sessions", json={"username": tenant.owner_email, "password": "nope-nope"}
        )
        assert_error(response, 401, "LOGIN_ERROR")
        assert "set-cookie" not in response.headers


async def test_a_cookie_write_needs_the_csrf_token(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    async with browser(app) as page:
        csrf = await browser_sign_in(page, tenant.owner_email)
        before = await location_count(client, tenant)
        missing = await page.post("/v1/locations", json={"name": "No token"})
        assert_error(missing, 403, "CSRF_TOKEN_INVALID")
        wrong = await page.post(
            "/v1/locations", json={"name": "Bad token"}, headers={"X-CSRF-Token": "0" * 64}
        )
        assert_error(wrong, 403, "CSRF_TOKEN_INVALID")
        for method in ("PATCH", "DELETE"):
            refused = await page.request(method, f"/v1/users/{tenant.owner_id}", json={})
            assert_error(refused, 403, "CSRF_TOKEN_INVALID")
        assert await location_count(client, tenant) == before
        made = await page.post("/v1/locations", json={"name": "With token"}, headers=csrf)
        assert made.status_code == 201, made.text
        assert await location_count(client, tenant) == before + 1
        # A read needs none; the session tells a reloaded page its token.
        current = await page.get("/v1/browser-sessions/current")
        assert current.status_code == 200, current.text
        assert current.json()["csrfToken"] == csrf["X-CSRF-Token"]
        assert current.json()["kind"] == "user"


async def test_bearer_requests_need_no_csrf_token_and_win_over_a_cookie(
    app: Any, tenant: TenantFixture
) -> None:
    async with browser(app) as page:
        await browser_sign_in(page, tenant.owner_email)
        made = await page.post("/v1/locations", json={"name": "Bearer"}, headers=tenant.headers)
        assert made.status_code == 201, made.text
        # The browser-only routes are for cookie sessions.
        assert_error(
            await page.get("/v1/browser-sessions/current", headers=tenant.headers), 403, "FORBIDDEN"
        )


async def test_a_cookie_secret_is_no_bearer_token_and_back(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    async with browser(app) as page:
        response = await page.post(
            "/v1/browser-sessions", json={"username": tenant.owner_email, "password": PASSWORD}
        )
        secret = response.cookies["tp_session"]
    assert_error(await client.get("/v1/me", headers=bearer(secret)), 401, "INVALID_TOKEN")
    as_cookie = await client.get("/v1/me", headers={"Cookie": f"tp_session={tenant.token}"})
    assert_error(as_cookie, 401, "INVALID_TOKEN")


async def test_logout_revokes_the_session_and_clears_the_cookie(
    app: Any, client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    async with browser(app) as page:
        csrf = await browser_sign_in(page, tenant.owner_email)
        secret = page.cookies["tp_session"]
        assert_error(await page.delete("/v1/browser-sessions/current"), 403, "CSRF_TOKEN_INVALID")
        out = await page.delete("/v1/browser-sessions/current", headers=csrf)
        assert out.status_code == 204, out.text
        cleared = out.headers["set-cookie"].lower()
        assert cleared.startswith('tp_session=""') or cleared.startswith("tp_session=;")
        assert "max-age=0" in cleared
    # The copied cookie is useless now, for reads and (with its token) writes alike.
    copied = {"Cookie": f"tp_session={secret}"}
    assert_error(await client.get("/v1/me", headers=copied), 401, "INVALID_TOKEN")
    again = await client.post("/v1/locations", json={"name": "X"}, headers={**copied, **csrf})
    assert_error(again, 401, "INVALID_TOKEN")
    # The bearer login of the same user is untouched.
    assert (await client.get("/v1/me", headers=tenant.headers)).status_code == 200


async def test_over_https_the_cookie_is_secure_and_host_prefixed(
    app: Any, tenant: TenantFixture
) -> None:
    async with browser(app, base_url="https://test") as page:
        response = await page.post(
            "/v1/browser-sessions", json={"username": tenant.owner_email, "password": PASSWORD}
        )
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-tp_session=tpb_")
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=strict", "path=/"} <= attributes
        assert not any(a.startswith("domain") for a in attributes)
        secret = response.cookies["__Host-tp_session"]
        assert (await page.get("/v1/me")).status_code == 200
        # Over https a plain-named cookie (one a sibling subdomain could plant) is not read.
        page.cookies.clear()
        planted = await page.get("/v1/me", headers={"Cookie": f"tp_session={secret}"})
        assert_error(planted, 401, "UNAUTHORIZED")


async def test_api_responses_forbid_loading_anything(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


async def test_sign_in_takes_json_only(app: Any, tenant: TenantFixture) -> None:
    """A cross-site form cannot sign a browser in (login CSRF): forms are not JSON."""
    body = f'{{"username": "{tenant.owner_email}", "password": "{PASSWORD}"}}'
    async with browser(app) as page:
        for content_type in ("text/plain", "application/x-www-form-urlencoded"):
            response = await page.post(
                "/v1/browser-sessions", content=body, headers={"content-type": content_type}
            )
            assert_error(response, 400, "VALIDATION_ERROR")
            assert "set-cookie" not in response.headers


async def test_signing_in_again_replaces_the_cookie_without_a_token(
    app: Any, client: httpx.AsyncClient, make_tenant: Any
) -> None:
    first, second = await make_tenant(name="First"), await make_tenant(name="Second")
    async with browser(app) as page:
        await browser_sign_in(page, first.owner_email)
        old = page.cookies["tp_session"]
        await browser_sign_in(page, second.owner_email)
        assert page.cookies["tp_session"] != old
        assert (await page.get("/v1/me")).json()["principalId"] == second.owner_id
    # The sign-in was nobody's write in the first tenant: the old cookie was not read.
    log = await client.get("/v1/audit-log", headers=first.headers)
    assert [e for e in log.json()["items"] if "browser-sessions" in e["path"]] == []
