"""Users, roles and API keys over HTTP: who may use a tenant and what they may do."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.support.tenants import PASSWORD, TenantFixture, add_api_key, add_user, bearer, login

BUILT_IN = {"owner", "manager", "cashier", "integration"}


@dataclass
class Caller:
    """One principal's view of the API: the client plus its Authorization header."""

    client: httpx.AsyncClient
    token: str

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, headers=bearer(self.token), params=params)

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.client.post(path, headers={**bearer(self.token), **headers}, json=body)

    async def patch(self, path: str, **fields: Any) -> httpx.Response:
        return await self.client.patch(path, headers=bearer(self.token), json=fields)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=bearer(self.token))

    async def role_id(self, name: str) -> str:
        roles = (await self.get("/v1/roles", pageSize=200)).json()["items"]
        return next(r["roleId"] for r in roles if r["name"] == name)

    async def create_user(self, role: str = "cashier", **fields: Any) -> httpx.Response:
        body = {
            "email": new_email(),
            "name": "Sam",
            "password": PASSWORD,
            "currentPassword": PASSWORD,  # every test user's, the caller's too
            **fields,
        }
        if "roleId" not in body:
            body["roleId"] = await self.role_id(role)
        return await self.post("/v1/users", body)

    async def create_role(self, permissions: list[str], **fields: Any) -> httpx.Response:
        name = f"role-{uuid.uuid4().hex[:8]}"
        return await self.post("/v1/roles", {"name": name, "permissions": permissions, **fields})

    async def signed_in_user(self, **fields: Any) -> tuple[dict[str, Any], "Caller"]:
        """A new user (its body) and a Caller for a fresh login of theirs."""
        created = await self.create_user(**fields)
        assert created.status_code == 201, created.text
        session = await login(self.client, created.json()["email"])
        assert session.status_code == 201, session.text
        return created.json(), Caller(self.client, session.json()["authToken"])


def as_owner(client: httpx.AsyncClient, tenant: TenantFixture) -> Caller:
    return Caller(client, tenant.token)


async def as_role(client: httpx.AsyncClient, tenant: TenantFixture, role: str) -> Caller:
    return Caller(client, (await add_user(client, tenant, role))[1])


def expect(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is ``status`` with the error envelope carrying ``code``; returns the error."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "requestId"}
    assert error["code"] == code
    return error


def new_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@shop.example.com"


async def tenant_rows(db: Any, table: str, tenant_id: str) -> list[dict[str, Any]]:
    async with db.session() as s:
        query = text(f"SELECT * FROM {table} WHERE tenant_id = :t")
        return [dict(r) for r in (await s.execute(query, {"t": tenant_id})).mappings()]


def as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode(errors="replace")
    return str(value)


# --- users -------------------------------------------------------------------------------


async def test_user_create_list_get_patch(client, tenant: TenantFixture) -> None:
    owner, email = as_owner(client, tenant), new_email("Mixed.Case")
    created = await owner.create_user(email=email, name="Ana")
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["userId"].startswith("usr_")
    assert user["email"] == email.lower()
    assert [user[f] for f in ("name", "active", "mfaEnabled", "version")] == ["Ana", True, False, 1]
    assert not {"password", "passwordHash"} & set(user)
    assert PASSWORD not in created.text

    listed = (await owner.get("/v1/users")).json()
    assert (listed["page"], listed["pageSize"], listed["total"]) == (1, 50, 2)
    assert sorted(u["userId"] for u in listed["items"]) == sorted([tenant.owner_id, user["userId"]])
    fetched = await owner.get(f"/v1/users/{user['userId']}")
    assert fetched.status_code == 200
    assert fetched.json() == user

    renamed = await owner.patch(f"/v1/users/{user['userId']}", name="Ana B")
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["version"]) == ("Ana B", 2)
    assert (await owner.get(f"/v1/users/{user['userId']}")).json()["name"] == "Ana B"
    for missing in ("usr_01JD0000000000000000000000", "nonsense"):
        expect(await owner.get(f"/v1/users/{missing}"), 404, "NOT_FOUND")


async def test_other_tenants_users_are_not_found(client, tenant, make_tenant) -> None:
    owner, path = as_owner(client, tenant), f"/v1/users/{(await make_tenant()).owner_id}"
    expect(await owner.get(path), 404, "NOT_FOUND")
    expect(await owner.patch(path, name="Mallory"), 404, "NOT_FOUND")
    listed = (await owner.get("/v1/users")).json()
    assert [u["userId"] for u in listed["items"]] == [tenant.owner_id]


async def test_email_must_be_unique_across_tenants(client, tenant, make_tenant) -> None:
    owner = as_owner(client, tenant)
    first = (await owner.create_user()).json()
    other_tenant_owner = (await make_tenant()).owner_email
    for email in (first["email"].upper(), tenant.owner_email, other_tenant_owner):
        error = expect(await owner.create_user(email=email), 409, "EMAIL_ALREADY_EXISTS")
        assert error["details"][0]["field"] == "email"
    assert (await owner.get("/v1/users")).json()["total"] == 2


async def test_deactivating_a_user_ends_their_sessions_at_once(client, tenant) -> None:
    owner = as_owner(client, tenant)
    user, cashier = await owner.signed_in_user()
    assert (await cashier.get("/v1/me")).status_code == 200
    done = await owner.patch(f"/v1/users/{user['userId']}", active=False)
    assert done.status_code == 200, done.text
    assert done.json()["active"] is False
    expect(await cashier.get("/v1/me"), 401, "INVALID_TOKEN")
    expect(await login(client, user["email"]), 401, "LOGIN_ERROR")
    inactive = (await owner.get("/v1/users", active="false")).json()
    assert [u["userId"] for u in inactive["items"]] == [user["userId"]]


async def test_password_change_revokes_sessions(client, tenant) -> None:
    owner, new_password = as_owner(client, tenant), "a much better passphrase"
    user, cashier = await owner.signed_in_user()
    changed = await owner.patch(
        f"/v1/users/{user['userId']}", password=new_password, currentPassword=PASSWORD
    )
    assert changed.status_code == 200, changed.text
    expect(await cashier.get("/v1/me"), 401, "INVALID_TOKEN")
    expect(await login(client, user["email"]), 401, "LOGIN_ERROR")
    assert (await login(client, user["email"], new_password)).status_code == 201


async def test_you_cannot_deactivate_yourself_or_change_your_own_role(client, tenant) -> None:
    owner, path = as_owner(client, tenant), f"/v1/users/{tenant.owner_id}"
    expect(await owner.patch(path, active=False), 409, "CONFLICT")
    expect(await owner.patch(path, roleId=await owner.role_id("manager")), 409, "CONFLICT")
    me = (await owner.get(path)).json()
    assert (me["active"], me["version"]) == (True, 1)
    assert (await owner.get("/v1/me")).status_code == 200


async def test_manager_cannot_assign_the_owner_role(client, tenant) -> None:
    owner, manager = as_owner(client, tenant), await as_role(client, tenant, "manager")
    owner_role = await owner.role_id("owner")
    expect(await manager.create_user(roleId=owner_role), 403, "FORBIDDEN")
    cashier = await manager.create_user("cashier")
    assert cashier.status_code == 201, cashier.text
    path = f"/v1/users/{cashier.json()['userId']}"
    expect(await manager.patch(path, roleId=owner_role), 403, "FORBIDDEN")
    assert (await owner.get(path)).json()["roleId"] == cashier.json()["roleId"]
    assert (await owner.get("/v1/users")).json()["total"] == 3


async def test_manager_cannot_take_over_the_owner_account(client, tenant) -> None:
    manager = await as_role(client, tenant, "manager")
    hijack = await manager.patch(f"/v1/users/{tenant.owner_id}", password="manager knows it")
    expect(hijack, 403, "FORBIDDEN")
    assert (await login(client, tenant.owner_email)).status_code == 201


async def test_cashier_cannot_read_or_manage_staff(client, tenant) -> None:
    cashier = await as_role(client, tenant, "cashier")
    expect(await cashier.get("/v1/users"), 403, "FORBIDDEN")
    expect(await cashier.get("/v1/roles"), 403, "FORBIDDEN")
    expect(await cashier.create_user(roleId="rol_x"), 403, "FORBIDDEN")
    expect(await cashier.create_role(["catalog:read"]), 403, "FORBIDDEN")


# --- roles -------------------------------------------------------------------------------


async def test_built_in_roles_are_listed(client, tenant) -> None:
    owner = as_owner(client, tenant)
    by_name = {r["name"]: r for r in (await owner.get("/v1/roles")).json()["items"]}
    assert set(by_name) == BUILT_IN
    assert all(r["builtIn"] and r["active"] for r in by_name.values())
    permissions = [p["name"] for p in (await owner.get("/v1/permissions")).json()]
    assert sorted(by_name["owner"]["permissions"]) == sorted(permissions)
    assert "api_keys:manage" not in by_name["manager"]["permissions"]
    assert "orders:refund" not in by_name["cashier"]["permissions"]


async def test_custom_role_create_patch_archive(client, tenant) -> None:
    owner = as_owner(client, tenant)
    created = await owner.create_role(["orders:read"], description="Reads orders")
    assert created.status_code == 201, created.text
    role = created.json()
    assert role["roleId"].startswith("rol_")
    assert (role["builtIn"], role["active"], role["version"]) == (False, True, 1)
    expect(await owner.create_role(["orders:read"], name=role["name"]), 409, "ALREADY_EXISTS")

    path = f"/v1/roles/{role['roleId']}"
    changed = await owner.patch(
        path, name="Shift lead", permissions=["orders:write", "orders:read"]
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Shift lead"
    assert changed.json()["permissions"] == ["orders:read", "orders:write"]
    assert changed.json()["version"] == 2

    archived = await owner.delete(path)
    assert archived.status_code == 200, archived.text
    assert archived.json()["active"] is False
    assert (await owner.get(path)).json()["active"] is False
    refused = expect(await owner.create_user(roleId=role["roleId"]), 400, "VALIDATION_ERROR")
    assert refused["details"][0]["field"] == "roleId"


async def test_unknown_permission_is_a_validation_error(client, tenant) -> None:
    owner = as_owner(client, tenant)
    error = expect(await owner.create_role(["orders:steal"]), 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "permissions"
    path = f"/v1/roles/{(await owner.create_role(['orders:read'])).json()['roleId']}"
    expect(await owner.patch(path, permissions=["nope:x"]), 400, "VALIDATION_ERROR")
    assert (await owner.get(path)).json()["permissions"] == ["orders:read"]


async def test_built_in_roles_cannot_be_changed_or_archived(client, tenant) -> None:
    owner = as_owner(client, tenant)
    path = f"/v1/roles/{await owner.role_id('cashier')}"
    before = (await owner.get(path)).json()
    expect(await owner.patch(path, permissions=["orders:refund"]), 409, "CONFLICT")
    expect(await owner.delete(path), 409, "CONFLICT")
    assert (await owner.get(path)).json() == before


async def test_role_in_use_cannot_be_archived(client, tenant) -> None:
    owner = as_owner(client, tenant)
    role = (await owner.create_role(["orders:read"])).json()
    user = (await owner.create_user(roleId=role["roleId"])).json()
    path = f"/v1/roles/{role['roleId']}"
    expect(await owner.delete(path), 409, "CONFLICT")
    assert (await owner.get(path)).json()["active"] is True
    assert (await owner.patch(f"/v1/users/{user['userId']}", active=False)).status_code == 200
    assert (await owner.delete(path)).status_code == 200


async def test_role_changes_apply_to_signed_in_users(client, tenant) -> None:
    owner = as_owner(client, tenant)
    role = (await owner.create_role(["staff:read"])).json()
    _, reader = await owner.signed_in_user(roleId=role["roleId"])
    assert (await reader.get("/v1/users")).status_code == 200
    await owner.patch(f"/v1/roles/{role['roleId']}", permissions=["catalog:read"])
    expect(await reader.get("/v1/users"), 403, "FORBIDDEN")


async def test_manager_cannot_grant_permissions_they_lack_or_manage_keys(client, tenant) -> None:
    manager = await as_role(client, tenant, "manager")
    expect(await manager.create_role(["api_keys:manage"]), 403, "FORBIDDEN")
    assert (await manager.create_role(["orders:read"])).status_code == 201
    # Nor may a manager hold API keys at all (api_keys:manage is the owner's).
    expect(
        await manager.post("/v1/api-keys", {"name": "k", "scopes": ["orders:read"]}),
        403,
        "FORBIDDEN",
    )
    expect(await manager.get("/v1/api-keys"), 403, "FORBIDDEN")


@pytest.mark.parametrize("kind", ["users", "roles"])
async def test_stale_version_is_a_conflict_and_changes_nothing(client, tenant, kind) -> None:
    owner = as_owner(client, tenant)
    if kind == "users":
        made = await owner.create_user(name="First")
    else:
        made = await owner.create_role(["orders:read"], name="First")
    path = f"/v1/{kind}/{made.json()['userId' if kind == 'users' else 'roleId']}"
    fresh = await owner.patch(path, name="Second", version=1)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["version"] == 2
    stale = expect(await owner.patch(path, name="Third", version=1), 409, "VERSION_CONFLICT")
    assert stale["details"][0]["field"] == "version"
    current = (await owner.get(path)).json()
    assert (current["name"], current["version"]) == ("Second", 2)


# --- API keys ----------------------------------------------------------------------------


async def test_api_key_secret_is_shown_once(client, tenant) -> None:
    owner = as_owner(client, tenant)
    created = await add_api_key(client, tenant, ["settings:read"])
    secret = created["key"]
    assert secret.startswith("tp_")
    assert len(secret) > 20
    assert created["apiKeyId"].startswith("key_")
    assert secret.startswith(created["prefix"])
    assert created["prefix"] != secret
    fetched = await owner.get(f"/v1/api-keys/{created['apiKeyId']}")
    listed = await owner.get("/v1/api-keys")
    for response in (fetched, listed):
        assert response.status_code == 200, response.text
        assert secret not in response.text
        assert '"key"' not in response.text
    assert fetched.json()["scopes"] == ["settings:read"]
    assert [k["apiKeyId"] for k in listed.json()["items"]] == [created["apiKeyId"]]


async def test_api_key_works_only_within_its_scopes(client, tenant) -> None:
    key = Caller(client, (await add_api_key(client, tenant, ["settings:read"]))["key"])
    assert (await key.get("/v1/locations")).status_code == 200
    expect(await key.post("/v1/locations", {"name": "X"}), 403, "FORBIDDEN")
    expect(await key.get("/v1/users"), 403, "FORBIDDEN")
    expect(await key.get("/v1/api-keys"), 403, "FORBIDDEN")
    assert (await as_owner(client, tenant).get("/v1/locations")).json()["total"] == 0


async def test_api_key_secret_is_not_stored_in_plain_text(client, tenant, db) -> None:
    secret = (await add_api_key(client, tenant, ["settings:read"]))["key"]
    rows = await tenant_rows(db, "api_keys", tenant.id)
    assert len(rows) == 1
    for column, value in rows[0].items():
        assert secret not in as_text(value), column
        assert secret[-24:] not in as_text(value), column


async def test_api_key_secret_is_not_stored_by_idempotency(client, tenant, db) -> None:
    body = {"name": "shop sync", "scopes": ["settings:read"]}
    created = await as_owner(client, tenant).post("/v1/api-keys", body, **{"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.text
    rows = await tenant_rows(db, "idempotency_keys", tenant.id)
    assert len(rows) == 1
    stored = " ".join(as_text(v) for v in rows[0].values())
    assert created.json()["key"] not in stored
    replay = await as_owner(client, tenant).post("/v1/api-keys", body, **{"Idempotency-Key": "k1"})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["apiKeyId"] == created.json()["apiKeyId"]
    assert replay.json()["key"] is None


async def test_revoked_api_key_stops_working(client, tenant) -> None:
    owner, created = as_owner(client, tenant), await add_api_key(client, tenant, ["settings:read"])
    key = Caller(client, created["key"])
    assert (await key.get("/v1/locations")).status_code == 200
    revoked = await owner.delete(f"/v1/api-keys/{created['apiKeyId']}")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revokedAt"]
    expect(await key.get("/v1/locations"), 401, "INVALID_TOKEN")
    assert (await owner.get("/v1/api-keys")).json()["items"] == []
    with_revoked = (await owner.get("/v1/api-keys", includeRevoked="true")).json()["items"]
    assert [k["apiKeyId"] for k in with_revoked] == [created["apiKeyId"]]


async def test_api_key_scopes_cannot_exceed_the_creator(client, tenant) -> None:
    owner = as_owner(client, tenant)
    role = (await owner.create_role(["api_keys:manage", "catalog:read"])).json()
    user, creator = await owner.signed_in_user(roleId=role["roleId"])
    wider = {"name": "k", "scopes": ["catalog:read", "catalog:write"]}
    expect(await creator.post("/v1/api-keys", wider), 403, "FORBIDDEN")
    ok = await creator.post("/v1/api-keys", {"name": "k", "scopes": ["catalog:read"]})
    assert ok.status_code == 201, ok.text
    assert ok.json()["createdBy"] == user["userId"]

    # A key that may manage keys cannot mint a wider one either.
    key_manager = Caller(client, (await add_api_key(client, tenant, ["api_keys:manage"]))["key"])
    expect(await key_manager.post("/v1/api-keys", wider), 403, "FORBIDDEN")
    assert (await owner.get("/v1/api-keys")).json()["total"] == 2


async def test_unknown_scope_is_a_validation_error(client, tenant) -> None:
    body = {"name": "k", "scopes": ["catalog:read", "everything:all"]}
    error = expect(
        await as_owner(client, tenant).post("/v1/api-keys", body), 400, "VALIDATION_ERROR"
    )
    assert error["details"][0]["field"] == "scopes"


async def test_me_for_an_api_key(client, tenant) -> None:
    created = await add_api_key(client, tenant, ["orders:read", "catalog:read"])
    response = await Caller(client, created["key"]).get("/v1/me")
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["kind"], me["principalId"], me["name"]) == (
        "api_key",
        created["apiKeyId"],
        "test key",
    )
    assert me["permissions"] == ["catalog:read", "orders:read"]
    assert me["entitlements"] == ["catalog", "orders"]
    assert me["email"] is None
    assert me["tenant"]["tenantId"] == tenant.id
