"""Logging in and out, refresh-token rotation, lockout and TOTP, as a client sees them."""

import asyncio
import time
from typing import Any

import httpx
import pyotp
import pytest

from tests.support.tenants import PASSWORD, TenantFixture, bearer, login

OWNER_ENTITLEMENTS = [
    "catalog",
    "customers",
    "integrations",
    "inventory",
    "orders",
    "purchasing",
    "reports",
    "settings",
    "staff",
]


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is ``status`` with the standard error envelope carrying ``code``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details", "requestId"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)
    assert error["requestId"] == response.headers["X-Request-Id"]
    return error


def body_without_request_id(response: httpx.Response) -> bytes:
    request_id = response.json()["error"]["requestId"]
    assert request_id
    return response.content.replace(request_id.encode(), b"")


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/me", headers=bearer(token))


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/sessions/refresh", json={"refreshToken": refresh_token})


async def stable_totp_step(totp: pyotp.TOTP, margin: float = 6.0) -> int:
    """The current TOTP time step, after waiting out a step boundary that is too close."""
    remaining = totp.interval - time.time() % totp.interval
    if remaining < margin:
        await asyncio.sleep(remaining + 0.2)
    return int(time.time() // totp.interval)


def wrong_code(totp: pyotp.TOTP, step: int) -> str:
    """A well-formed code that is not valid anywhere near ``step``."""
    near = {totp.generate_otp(s) for s in range(step - 2, step + 3)}
    return next(c for c in (totp.generate_otp(step + k) for k in range(10, 20)) if c not in near)


async def enable_mfa(client: httpx.AsyncClient, owner: TenantFixture) -> tuple[pyotp.TOTP, int]:
    """Turns MFA on with the previous step's code, so the current code is still unused."""
    started = await client.post("/v1/me/mfa", headers=owner.headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    totp = pyotp.TOTP(secret)
    step = await stable_totp_step(totp)
    confirmed = await client.post(
        "/v1/me/mfa/confirm",
        headers=owner.headers,
        json={"code": totp.generate_otp(step - 1), "currentPassword": PASSWORD},
    )
    assert confirmed.status_code == 204, confirmed.text
    return totp, step


def mfa(code: str) -> dict[str, Any]:
    return {"mfa": {"type": "totp", "code": code}}


async def test_login_returns_tokens_and_user(client, tenant: TenantFixture) -> None:
    response = await login(client, tenant.owner_email.upper())
    assert response.status_code == 201, response.text
    body = response.json()
    assert {"authToken", "expiresIn", "refreshToken", "user"} <= set(body)
    assert body["authToken"] != body["refreshToken"]
    assert isinstance(body["expiresIn"], int)
    assert body["expiresIn"] > 0
    assert body["user"] == {
        "id": tenant.owner_id,
        "name": "Owner",
        "entitlements": OWNER_ENTITLEMENTS,
    }
    who = await me(client, body["authToken"])
    assert who.status_code == 200, who.text
    assert who.json()["kind"] == "user"
    assert who.json()["principalId"] == tenant.owner_id


async def test_bad_credentials_do_not_reveal_whether_the_user_exists(
    client, tenant: TenantFixture
) -> None:
    wrong_password = await login(client, tenant.owner_email, "not the password")
    unknown_user = await login(client, "nobody-at-all@shop.example.com", "not the password")
    assert_error(wrong_password, 401, "LOGIN_ERROR")
    assert_error(unknown_user, 401, "LOGIN_ERROR")
    assert body_without_request_id(wrong_password) == body_without_request_id(unknown_user)


async def test_login_validation_error_names_the_field(client) -> None:
    response = await client.post("/v1/sessions", json={"username": "someone@example.com"})
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["password"]


async def test_repeated_failures_lock_known_and_unknown_accounts_alike(
    client, tenant: TenantFixture, make_tenant
) -> None:
    unknown = f"ghost-{tenant.id.lower()}@shop.example.com"
    for _ in range(5):
        assert_error(await login(client, tenant.owner_email, "wrong password"), 401, "LOGIN_ERROR")
        assert_error(await login(client, unknown, "wrong password"), 401, "LOGIN_ERROR")

    known_locked = await login(client, tenant.owner_email)  # the right password
    unknown_locked = await login(client, unknown, PASSWORD)
    assert_error(known_locked, 423, "ACCOUNT_LOCKED")
    assert_error(unknown_locked, 423, "ACCOUNT_LOCKED")
    assert body_without_request_id(known_locked) == body_without_request_id(unknown_locked)
    for locked in (known_locked, unknown_locked):
        assert int(locked.headers["Retry-After"]) > 0

    # The lock is on the login name, not on sessions or other accounts.
    assert (await me(client, tenant.token)).status_code == 200
    other = await make_tenant()
    assert (await login(client, other.owner_email)).status_code == 201


async def test_fewer_failures_than_the_limit_do_not_lock(client, tenant: TenantFixture) -> None:
    for _ in range(4):
        assert_error(await login(client, tenant.owner_email, "wrong password"), 401, "LOGIN_ERROR")
    assert (await login(client, tenant.owner_email)).status_code == 201
    # A success starts the count again.
    for _ in range(4):
        assert_error(await login(client, tenant.owner_email, "wrong password"), 401, "LOGIN_ERROR")
    assert (await login(client, tenant.owner_email)).status_code == 201


async def test_mfa_enrolment_and_login_with_totp(client, tenant: TenantFixture) -> None:
    started = await client.post("/v1/me/mfa", headers=tenant.headers)
    assert started.status_code == 201, started.text
    enrolment = started.json()
    assert pyotp.parse_uri(enrolment["otpauthUri"]).secret == enrolment["secret"]
    assert enrolment["otpauthUri"].startswith("otpauth://totp/")
    # Not on until a code is confirmed.
    assert (await login(client, tenant.owner_email)).status_code == 201
    assert (await me(client, tenant.token)).json()["mfaEnabled"] is False

    totp = pyotp.TOTP(enrolment["secret"])
    step = await stable_totp_step(totp)
    confirmed = await client.post(
        "/v1/me/mfa/confirm",
        headers=tenant.headers,
        json={"code": totp.generate_otp(step - 1), "currentPassword": PASSWORD},
    )
    assert confirmed.status_code == 204, confirmed.text
    assert (await me(client, tenant.token)).json()["mfaEnabled"] is True

    assert_error(await login(client, tenant.owner_email), 401, "MFA_REQUIRED")
    wrong = await login(client, tenant.owner_email, **mfa(wrong_code(totp, step)))
    assert_error(wrong, 401, "LOGIN_ERROR")
    # A wrong code is answered exactly like a wrong password.
    bad_password = await login(client, tenant.owner_email, "wrong password", **mfa(totp.now()))
    assert body_without_request_id(wrong) == body_without_request_id(bad_password)

    code = totp.now()
    signed_in = await login(client, tenant.owner_email, **mfa(code))
    assert signed_in.status_code == 201, signed_in.text
    assert (await me(client, signed_in.json()["authToken"])).status_code == 200
    # The same code cannot be used twice.
    assert_error(await login(client, tenant.owner_email, **mfa(code)), 401, "LOGIN_ERROR")


async def test_mfa_confirm_errors(client, tenant: TenantFixture) -> None:
    not_started = await client.post(
        "/v1/me/mfa/confirm",
        headers=tenant.headers,
        json={"code": "123456", "currentPassword": PASSWORD},
    )
    assert_error(not_started, 409, "MFA_NOT_STARTED")
    started = (await client.post("/v1/me/mfa", headers=tenant.headers)).json()
    totp = pyotp.TOTP(started["secret"])
    step = await stable_totp_step(totp)
    bad = await client.post(
        "/v1/me/mfa/confirm",
        headers=tenant.headers,
        json={"code": wrong_code(totp, step), "currentPassword": PASSWORD},
    )
    assert_error(bad, 400, "INVALID_MFA_CODE")
    assert (await me(client, tenant.token)).json()["mfaEnabled"] is False
    assert (await login(client, tenant.owner_email)).status_code == 201

    await enable_mfa(client, tenant)
    again = await client.post("/v1/me/mfa", headers=tenant.headers)
    assert_error(again, 409, "MFA_ALREADY_ENABLED")


async def test_mfa_disable(client, tenant: TenantFixture) -> None:
    totp, step = await enable_mfa(client, tenant)
    refused = await client.post(
        "/v1/me/mfa/disable", headers=tenant.headers, json={"code": wrong_code(totp, step)}
    )
    assert_error(refused, 400, "INVALID_MFA_CODE")
    assert_error(await login(client, tenant.owner_email), 401, "MFA_REQUIRED")

    disabled = await client.post(
        "/v1/me/mfa/disable", headers=tenant.headers, json={"code": totp.now()}
    )
    assert disabled.status_code == 204, disabled.text
    assert (await me(client, tenant.token)).json()["mfaEnabled"] is False
    assert (await login(client, tenant.owner_email)).status_code == 201


async def test_mfa_can_be_enabled_again_right_after_disabling(
    client, tenant: TenantFixture
) -> None:
    totp, step = await enable_mfa(client, tenant)
    disabled = await client.post(
        "/v1/me/mfa/disable", headers=tenant.headers, json={"code": totp.generate_otp(step + 1)}
    )
    assert disabled.status_code == 204, disabled.text
    started = await client.post("/v1/me/mfa", headers=tenant.headers)
    assert started.status_code == 201, started.text
    new_totp = pyotp.TOTP(started.json()["secret"])
    confirmed = await client.post(
        "/v1/me/mfa/confirm",
        headers=tenant.headers,
        json={"code": new_totp.now(), "currentPassword": PASSWORD},
    )
    assert confirmed.status_code == 204, confirmed.text


async def test_refresh_rotates_both_tokens(client, tenant: TenantFixture) -> None:
    rotated = await refresh(client, tenant.refresh_token)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["authToken"] not in (tenant.token, tenant.refresh_token)
    assert body["refreshToken"] not in (tenant.token, tenant.refresh_token)
    assert body["user"]["id"] == tenant.owner_id
    assert body["expiresIn"] > 0

    assert_error(await me(client, tenant.token), 401, "INVALID_TOKEN")
    assert (await me(client, body["authToken"])).status_code == 200
    again = await refresh(client, body["refreshToken"])
    assert again.status_code == 200, again.text
    assert (await me(client, again.json()["authToken"])).status_code == 200


async def test_reused_refresh_token_revokes_the_whole_session(
    client, tenant: TenantFixture
) -> None:
    other_login = (await login(client, tenant.owner_email)).json()
    first = (await refresh(client, tenant.refresh_token)).json()
    second = (await refresh(client, first["refreshToken"])).json()

    assert_error(await refresh(client, tenant.refresh_token), 401, "INVALID_TOKEN")

    # The newest tokens of that login stop working too ...
    assert_error(await me(client, second["authToken"]), 401, "INVALID_TOKEN")
    assert_error(await refresh(client, second["refreshToken"]), 401, "INVALID_TOKEN")
    # ... but another login of the same user is untouched.
    assert (await me(client, other_login["authToken"])).status_code == 200
    assert (await refresh(client, other_login["refreshToken"])).status_code == 200


async def test_logout_ends_both_tokens(client, tenant: TenantFixture) -> None:
    other_login = (await login(client, tenant.owner_email)).json()
    out = await client.delete("/v1/sessions/current", headers=tenant.headers)
    assert out.status_code == 204, out.text
    assert out.content == b""
    assert_error(await me(client, tenant.token), 401, "INVALID_TOKEN")
    assert_error(await refresh(client, tenant.refresh_token), 401, "INVALID_TOKEN")
    assert_error(
        await client.delete("/v1/sessions/current", headers=tenant.headers), 401, "INVALID_TOKEN"
    )
    assert (await me(client, other_login["authToken"])).status_code == 200


async def test_request_without_token_is_unauthorized(client) -> None:
    response = await client.get("/v1/me")
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    not_bearer = await client.get("/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(not_bearer, 401, "UNAUTHORIZED")


@pytest.mark.parametrize("token", ["garbage", "tpa_garbage", "tp_garbage", "tpr_garbage"])
async def test_garbage_token_is_invalid(client, token: str) -> None:
    assert_error(await me(client, token), 401, "INVALID_TOKEN")


async def test_refresh_token_is_not_an_access_token(client, tenant: TenantFixture) -> None:
    assert_error(await me(client, tenant.refresh_token), 401, "INVALID_TOKEN")
    assert_error(await refresh(client, tenant.token), 401, "INVALID_TOKEN")
    assert_error(await refresh(client, "tpr_garbage"), 401, "INVALID_TOKEN")


async def test_error_envelope_echoes_request_id(client) -> None:
    response = await client.get("/v1/me", headers={"X-Request-Id": "client-req-42"})
    error = assert_error(response, 401, "UNAUTHORIZED")
    assert error["requestId"] == "client-req-42"
    assert error["details"] == []
