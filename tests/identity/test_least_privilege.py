"""Least privilege (issue 13 item 6): passwords, MFA and who owns a tenant are changed only by a
signed-in person who gives their own password again, never by an API key; the last active
owner stays one, also when two owners demote each other at the same moment."""

import asyncio
import uuid
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import text

from tests.support.tenants import (
    PASSWORD,
    TenantFactory,
    TenantFixture,
    add_api_key,
    add_user,
    bearer,
    login,
)
from tillpoint.core.db import Database

Json = dict[str, Any]
NEW_PASSWORD = "a brand new passphrase"


async def full_scope_key(client: httpx.AsyncClient, tenant: TenantFixture) -> dict[str, str]:
    """An API key holding every permission there is."""
    every = [
        p["name"] for p in (await client.get("/v1/permissions", headers=tenant.headers)).json()
    ]
    return bearer((await add_api_key(client, tenant, every))["key"])


async def role_id(client: httpx.AsyncClient, tenant: TenantFixture, name: str) -> str:
    roles = (await client.get("/v1/roles", headers=tenant.headers)).json()["items"]
    return str(next(r["roleId"] for r in roles if r["name"] == name))


def refused(response: httpx.Response, status: int, code: str) -> Json:
    assert response.status_code == status, response.text
    error: Json = response.json()["error"]
    assert error["code"] == code, error
    return error


async def user(client: httpx.AsyncClient, tenant: TenantFixture, user_id: str) -> Json:
    response = await client.get(f"/v1/users/{user_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def test_a_full_scope_api_key_cannot_touch_credentials_or_the_owner(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    key = await full_scope_key(client, tenant)
    cashier_id, _ = await add_user(client, tenant, "cashier")
    owner_path, cashier_path = f"/v1/users/{tenant.owner_id}", f"/v1/users/{cashier_id}"
    before = await user(client, tenant, tenant.owner_id)
    manager = await role_id(client, tenant, "manager")
    attempts = [
        ("PATCH", owner_path, {"password": NEW_PASSWORD}),
        ("PATCH", owner_path, {"password": NEW_PASSWORD, "currentPassword": PASSWORD}),
        ("PATCH", owner_path, {"active": False}),
        ("PATCH", owner_path, {"roleId": manager}),
        ("PATCH", cashier_path, {"password": NEW_PASSWORD}),
        ("PATCH", cashier_path, {"roleId": await role_id(client, tenant, "owner")}),
        (
            "POST",
            "/v1/users",
            {
                "email": "made-by-a-key@shop.example.com",
                "name": "Key's friend",
                "password": NEW_PASSWORD,
                "roleId": await role_id(client, tenant, "owner"),
            },
        ),
        ("POST", "/v1/me/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
        ("POST", "/v1/me/mfa", None),
        ("POST", "/v1/me/mfa/confirm", {"code": "123456", "currentPassword": PASSWORD}),
        ("POST", "/v1/me/mfa/disable", {"code": "123456"}),
    ]
    for method, path, body in attempts:
        response = await client.request(method, path, headers=key, json=body)
        error = refused(response, 403, "SIGNED_IN_USER_REQUIRED")
        assert "API key" in error["message"], (path, error)
    # Nothing changed: the owner is the owner, signs in with the old password, the cashier too.
    assert await user(client, tenant, tenant.owner_id) == before
    assert (await login(client, tenant.owner_email)).status_code == 201
    assert (await user(client, tenant, cashier_id))["version"] == 1
    users = (await client.get("/v1/users", headers=tenant.headers)).json()
    assert users["total"] == 2


async def test_an_api_key_still_manages_staff_short_of_credentials(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """Renaming, moving or deactivating someone who is not an owner is still an integration's
    job (an HR system offboarding staff)."""
    key = await full_scope_key(client, tenant)
    cashier_id, cashier = await add_user(client, tenant, "cashier")
    path = f"/v1/users/{cashier_id}"
    renamed = await client.patch(path, headers=key, json={"name": "Renamed"})
    assert renamed.status_code == 200, renamed.text
    gone = await client.patch(path, headers=key, json={"active": False})
    assert (gone.status_code, gone.json()["active"]) == (200, False)
    assert (await client.get("/v1/me", headers=bearer(cashier))).status_code == 401
    owner = await client.patch(f"/v1/users/{tenant.owner_id}", headers=key, json={"name": "Boss"})
    assert (owner.status_code, owner.json()["name"]) == (200, "Boss")


async def test_a_user_changes_their_own_password_with_their_session(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    _, cashier = await add_user(client, tenant, "cashier")
    me = (await client.get("/v1/me", headers=bearer(cashier))).json()
    email = (await user(client, tenant, me["principalId"]))["email"]
    other_login = (await login(client, email)).json()["authToken"]
    path = "/v1/me/password"
    wrong = {"currentPassword": "not my password", "newPassword": NEW_PASSWORD}
    error = refused(
        await client.post(path, headers=bearer(cashier), json=wrong),
        403,
        "REAUTHENTICATION_REQUIRED",
    )
    assert [d["field"] for d in error["details"]] == ["currentPassword"]
    missing = await client.post(path, headers=bearer(cashier), json={"newPassword": NEW_PASSWORD})
    refused(missing, 400, "VALIDATION_ERROR")
    assert (await login(client, email)).status_code == 201  # unchanged so far

    right = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    done = await client.post(path, headers=bearer(cashier), json=right)
    assert done.status_code == 204, done.text
    refused(await login(client, email), 401, "LOGIN_ERROR")
    assert (await login(client, email, NEW_PASSWORD)).status_code == 201
    # The session that made the change goes on; the person's other logins end.
    assert (await client.get("/v1/me", headers=bearer(cashier))).status_code == 200
    refused(await client.get("/v1/me", headers=bearer(other_login)), 401, "INVALID_TOKEN")


async def test_an_owner_sets_another_users_password_only_with_their_own(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    cashier_id, _ = await add_user(client, tenant, "cashier")
    email = (await user(client, tenant, cashier_id))["email"]
    path = f"/v1/users/{cashier_id}"
    for extra in ({}, {"currentPassword": "a wrong guess"}):
        response = await client.patch(
            path, headers=tenant.headers, json={"password": NEW_PASSWORD, **extra}
        )
        error = refused(response, 403, "REAUTHENTICATION_REQUIRED")
        assert [d["field"] for d in error["details"]] == ["currentPassword"]
    assert (await login(client, email)).status_code == 201
    assert (await user(client, tenant, cashier_id))["version"] == 1

    ok = await client.patch(
        path, headers=tenant.headers, json={"password": NEW_PASSWORD, "currentPassword": PASSWORD}
    )
    assert ok.status_code == 200, ok.text
    assert (await login(client, email, NEW_PASSWORD)).status_code == 201


async def test_creating_a_user_needs_the_creators_password(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    body = {
        "email": "new-person@shop.example.com",
        "name": "New",
        "password": NEW_PASSWORD,
        "roleId": await role_id(client, tenant, "owner"),
    }
    refused(
        await client.post("/v1/users", headers=tenant.headers, json=body),
        403,
        "REAUTHENTICATION_REQUIRED",
    )
    assert (await client.get("/v1/users", headers=tenant.headers)).json()["total"] == 1
    body["currentPassword"] = PASSWORD
    assert (await client.post("/v1/users", headers=tenant.headers, json=body)).status_code == 201


async def test_wrong_current_passwords_lock_the_login_like_failed_logins(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """A stolen session cannot guess its person's password faster than a login could: each
    wrong currentPassword counts as a failed login (5 lock the name for 15 minutes)."""
    guess = {"currentPassword": "guess", "newPassword": NEW_PASSWORD}
    for _ in range(5):
        response = await client.post("/v1/me/password", headers=tenant.headers, json=guess)
        refused(response, 403, "REAUTHENTICATION_REQUIRED")
    refused(await login(client, tenant.owner_email), 423, "ACCOUNT_LOCKED")
    right = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    locked = await client.post("/v1/me/password", headers=tenant.headers, json=right)
    refused(locked, 423, "ACCOUNT_LOCKED")
    assert int(locked.headers["Retry-After"]) > 0


async def test_turning_mfa_on_needs_the_password(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    started = await client.post("/v1/me/mfa", headers=tenant.headers)
    assert started.status_code == 201, started.text
    code = pyotp.TOTP(started.json()["secret"]).now()
    without = await client.post("/v1/me/mfa/confirm", headers=tenant.headers, json={"code": code})
    refused(without, 403, "REAUTHENTICATION_REQUIRED")
    me = (await client.get("/v1/me", headers=tenant.headers)).json()
    assert me["mfaEnabled"] is False


async def active_owners(db: Database, tenant_id: str) -> int:
    query = text(
        "SELECT count(*) FROM users u JOIN roles r"
        " ON r.tenant_id = u.tenant_id AND r.id = u.role_id"
        " WHERE u.tenant_id = :t AND r.name = 'owner' AND u.active"
    )
    async with db.session() as session:
        return int((await session.execute(query, {"t": tenant_id})).scalar_one())


async def make_owner(client: httpx.AsyncClient, tenant: TenantFixture) -> tuple[str, str]:
    """A second owner (id, token)."""
    return await add_user(client, tenant, "owner")


async def test_the_last_active_owner_cannot_be_deactivated_or_demoted(
    client: httpx.AsyncClient, tenant: TenantFixture, db: Database
) -> None:
    # A custom role with every permission can change an owner, so it can meet the rule.
    every = [
        p["name"] for p in (await client.get("/v1/permissions", headers=tenant.headers)).json()
    ]
    role = await client.post(
        "/v1/roles", headers=tenant.headers, json={"name": "co-owner", "permissions": every}
    )
    assert role.status_code == 201, role.text
    deputy_id, deputy = await _user_with_role(client, tenant, role.json()["roleId"])
    owner_path = f"/v1/users/{tenant.owner_id}"
    reauth = {"currentPassword": PASSWORD}
    for change in ({"active": False}, {"roleId": await role_id(client, tenant, "manager")}):
        response = await client.patch(owner_path, headers=bearer(deputy), json={**change, **reauth})
        error = refused(response, 409, "LAST_OWNER")
        assert "last active owner" in error["message"]
    assert (await user(client, tenant, tenant.owner_id))["active"] is True

    # With a second owner, either may go.
    second_id, _ = await make_owner(client, tenant)
    response = await client.patch(
        owner_path, headers=bearer(deputy), json={"active": False, **reauth}
    )
    assert response.status_code == 200, response.text
    response = await client.patch(
        f"/v1/users/{second_id}", headers=bearer(deputy), json={"active": False, **reauth}
    )
    refused(response, 409, "LAST_OWNER")
    assert await active_owners(db, tenant.id) == 1
    # The deputy holds every permission but is no owner: it cannot demote itself past the rule.
    assert deputy_id != second_id


async def _user_with_role(
    client: httpx.AsyncClient, tenant: TenantFixture, role: str
) -> tuple[str, str]:
    email = f"deputy-{uuid.uuid4().hex[:10]}@shop.example.com"
    body = {
        "email": email,
        "name": "Deputy",
        "password": PASSWORD,
        "roleId": role,
        "currentPassword": PASSWORD,
    }
    created = await client.post("/v1/users", headers=tenant.headers, json=body)
    assert created.status_code == 201, created.text
    return created.json()["userId"], (await login(client, email)).json()["authToken"]


@pytest.mark.parametrize("round_", range(4))
async def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    client: httpx.AsyncClient, make_tenant: TenantFactory, db: Database, round_: int
) -> None:
    """Each request runs on its own database connection; on PostgreSQL the two transactions
    overlap, and the lock on the active owners (in id order) makes the second see the first."""
    tenant = await make_tenant()
    second_id, second = await make_owner(client, tenant)
    change: dict[str, object] = {"currentPassword": PASSWORD}
    change |= (
        {"active": False} if round_ % 2 else {"roleId": await role_id(client, tenant, "manager")}
    )
    first_demotes_second = client.patch(
        f"/v1/users/{second_id}", headers=tenant.headers, json=change
    )
    second_demotes_first = client.patch(
        f"/v1/users/{tenant.owner_id}", headers=bearer(second), json=change
    )
    answers = await asyncio.gather(first_demotes_second, second_demotes_first)
    statuses = sorted(a.status_code for a in answers)
    # One wins; the other is refused as the last owner — or, had the winner committed before
    # the other's caller was resolved, that caller is no longer an owner (401 deactivated,
    # 403 now a manager).
    assert statuses[0] == 200, [a.text for a in answers]
    assert statuses[1] in (401, 403, 409), [a.text for a in answers]
    assert await active_owners(db, tenant.id) == 1


async def test_an_api_key_may_revoke_itself(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """docs/api.md: a key may revoke itself — it only ever takes access away, and a holder who
    finds their key leaked can end it with the key alone."""
    key = await add_api_key(client, tenant, ["api_keys:manage"])
    response = await client.delete(f"/v1/api-keys/{key['apiKeyId']}", headers=bearer(key["key"]))
    assert response.status_code == 200, response.text
    assert response.json()["revokedAt"] is not None
    after = await client.get("/v1/api-keys", headers=bearer(key["key"]))
    refused(after, 401, "INVALID_TOKEN")
